import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientFrame, HelloFrame } from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import type { ConnId, Effect } from '../../src/server/core-effects.ts';
import type { CoreOptions } from '../../src/server/core-state.ts';
import { testCoreOptions } from '../helpers/core-options.ts';

// Quiet presence: a script's connection (`hello.script`) is not announced.
// bob (conn 1) is a person in #general and #ops; carol has a person's
// connection (10) and scripts' (20, 21). Each case lists what bob hears.

const OPTIONS: CoreOptions = testCoreOptions({}, { rateBurst: 20 });

const BOB = 1;
const PERSON = 10;
const SCRIPT = 20;
const SCRIPT2 = 21;

type Step =
  | { hello: ConnId; script?: boolean; join?: string[] }
  | { frame: ClientFrame; from: ConnId }
  | { quit: ConnId };

/** A frame as one short line: `presence carol online`, `joined #ops carol`, `msg #ops carol`. */
function summary(effect: Effect): string | undefined {
  if (effect.kind !== 'frames') return undefined;
  const f = effect.frame;
  switch (f.type) {
    case 'presence':
      return `presence ${f.user} ${f.status}`;
    case 'joined':
      return `joined ${f.room} ${f.user}${f.state ? ` state ${f.state.members.join(',')}` : ''}`;
    case 'left':
      return `left ${f.room} ${f.user} ${f.reason}`;
    case 'msg':
      return `msg ${f.room} ${f.from}`;
    default:
      return undefined;
  }
}

/** Runs the steps after bob's hello; what each connection in `watch` was sent, in order. */
function run(steps: Step[], watch: ConnId[] = [BOB]): Map<ConnId, string[]> {
  const core = new ChatCore(OPTIONS);
  let now = 0;
  const heard = new Map<ConnId, string[]>(watch.map((conn) => [conn, []]));
  const note = (effects: Effect[]) => {
    for (const effect of effects) {
      // A message goes to the conversation's recipients when stored.
      const targets =
        effect.kind === 'frames'
          ? effect.to
          : effect.kind === 'message'
            ? core.recipients(effect.conversation)
            : [];
      const text =
        effect.kind === 'message'
          ? `msg ${effect.conversation} ${effect.message.from}`
          : summary(effect);
      if (text === undefined) continue;
      for (const conn of targets) heard.get(conn)?.push(text);
    }
  };
  core.hello(BOB, 'bob', hello({ join: ['#general', '#ops'] }), now);
  for (const step of steps) {
    now += 1000;
    if ('hello' in step) {
      const { hello: conn, ...extra } = step;
      note(core.hello(conn, conn === BOB ? 'bob' : 'carol', hello(extra), now));
    } else if ('frame' in step) note(core.receive(step.from, step.frame, now));
    else note(core.disconnect(step.quit, now));
  }
  return heard;
}

function hello(extra: Partial<HelloFrame>): HelloFrame {
  return { type: 'hello', v: 1, client: 'test/1', ...extra };
}

const send = (room: string): ClientFrame => ({ type: 'send', room, text: 'hi', ref: `r-${room}` });

const CASES: Array<{ name: string; steps: Step[]; bob: string[] }> = [
  {
    name: 'a script alone: its join, message and quit say nothing but the message',
    steps: [
      { hello: SCRIPT, script: true, join: ['#ops'] },
      { frame: send('#ops'), from: SCRIPT },
      { quit: SCRIPT },
    ],
    bob: ['msg #ops carol'],
  },
  {
    name: 'a script while the person is online, in a room the person is in: nothing',
    steps: [
      { hello: PERSON, join: ['#ops'] },
      { hello: SCRIPT, script: true, join: ['#ops'] },
      { frame: send('#ops'), from: SCRIPT },
      { quit: SCRIPT },
    ],
    bob: ['presence carol online', 'joined #ops carol', 'msg #ops carol'],
  },
  {
    name: "a script's join of a room the person is not in: the user (and so the person) joins it",
    steps: [
      { hello: PERSON, join: ['#general'] },
      { hello: SCRIPT, script: true, join: ['#ops'] },
      { quit: SCRIPT },
    ],
    bob: ['presence carol online', 'joined #general carol', 'joined #ops carol'],
  },
  {
    name: 'the person quits while a script is connected: they quit and go offline then',
    steps: [
      { hello: PERSON, join: ['#general'] },
      { hello: SCRIPT, script: true, join: ['#general'] },
      { quit: PERSON },
      { quit: SCRIPT },
    ],
    bob: [
      'presence carol online',
      'joined #general carol',
      'left #general carol quit',
      'presence carol offline',
    ],
  },
  {
    name: "the person comes while a script holds a room: online, then joined in the script's rooms",
    steps: [
      { hello: SCRIPT, script: true, join: ['#ops'] },
      { hello: PERSON, join: ['#general'] },
    ],
    bob: ['presence carol online', 'joined #ops carol', 'joined #general carol'],
  },
  {
    name: "two scripts, one after the other's quit: nothing",
    steps: [
      { hello: SCRIPT, script: true, join: ['#general'] },
      { hello: SCRIPT2, script: true, join: ['#general'] },
      { quit: SCRIPT },
      { quit: SCRIPT2 },
    ],
    bob: [],
  },
  {
    name: "a script-only user's away and back stay theirs",
    steps: [
      { hello: SCRIPT, script: true, join: ['#general'] },
      { frame: { type: 'away', text: 'lunch' }, from: SCRIPT },
      { frame: { type: 'back' }, from: SCRIPT },
    ],
    bob: [],
  },
  {
    name: "a script's part of a room the person is in: everyone sees carol part",
    steps: [
      { hello: PERSON, join: ['#ops'] },
      { hello: SCRIPT, script: true, join: ['#ops'] },
      { frame: { type: 'part', room: '#ops' }, from: SCRIPT },
    ],
    bob: ['presence carol online', 'joined #ops carol', 'left #ops carol part'],
  },
];

describe('ChatCore quiet presence (hello.script)', () => {
  for (const { name, steps, bob } of CASES) {
    it(name, () => assert.deepEqual(run(steps).get(BOB), bob));
  }

  it("gives the user's own connections their joined with state, a script's join included", () => {
    const heard = run(
      [
        { hello: PERSON, join: ['#general'] },
        { hello: SCRIPT, script: true, join: ['#ops'] },
      ],
      [PERSON, SCRIPT],
    );
    assert.deepEqual(heard.get(PERSON), ['joined #ops carol state bob,carol']);
    assert.deepEqual(heard.get(SCRIPT), []); // its welcome carries the room
  });

  it('lists a script-only user neither in welcome.users nor among room members', () => {
    const core = new ChatCore(OPTIONS);
    core.hello(SCRIPT, 'carol', hello({ script: true, join: ['#general'] }), 1);
    const effects = core.hello(BOB, 'bob', hello({ join: ['#general'] }), 2);
    const welcome = effects.find((e) => e.kind === 'frames' && e.frame.type === 'welcome');
    assert.ok(welcome?.kind === 'frames' && welcome.frame.type === 'welcome');
    assert.deepEqual(
      welcome.frame.users.map((u) => u.user),
      ['bob'],
    );
    assert.deepEqual(welcome.frame.rooms[0]?.members, ['bob']);
    // Once carol's person comes, she is both.
    core.hello(PERSON, 'carol', hello({ join: ['#general'] }), 3);
    const again = core.hello(SCRIPT2, 'bob', hello({ join: ['#general'] }), 4);
    const second = again.find((e) => e.kind === 'frames' && e.frame.type === 'welcome');
    assert.ok(second?.kind === 'frames' && second.frame.type === 'welcome');
    assert.deepEqual(
      second.frame.users.map((u) => u.user),
      ['bob', 'carol'],
    );
    assert.deepEqual(second.frame.rooms[0]?.members, ['bob', 'carol']);
  });

  it('says online again to a person coming back while a script stays, away forgotten', () => {
    const heard = run([
      { hello: PERSON, join: ['#general'] },
      { frame: { type: 'away', text: 'lunch' }, from: PERSON },
      { hello: SCRIPT, script: true, join: ['#general'] },
      { quit: PERSON },
      { hello: PERSON, join: ['#general'] },
    ]);
    assert.deepEqual(heard.get(BOB), [
      'presence carol online',
      'joined #general carol',
      'presence carol away',
      'left #general carol quit',
      'presence carol offline',
      'presence carol online',
      'joined #general carol',
    ]);
  });
});

describe("ChatCore quiet presence: the away summary's absence is the person's", () => {
  const sinceOf = (effects: Effect[]) => {
    const unread = effects.find((e) => e.kind === 'unread');
    assert.ok(unread?.kind === 'unread');
    return unread.query.since;
  };

  it('counts from when the person left, not from a script run since', () => {
    const core = new ChatCore(OPTIONS);
    core.hello(PERSON, 'carol', hello({}), 1_000);
    core.disconnect(PERSON, 2_000);
    assert.equal(sinceOf(core.hello(SCRIPT, 'carol', hello({ script: true }), 3_000)), undefined);
    core.disconnect(SCRIPT, 4_000);
    assert.equal(sinceOf(core.hello(PERSON, 'carol', hello({}), 5_000)), 2_000);
  });

  it('is an absence even while a script (chat tail) stays connected', () => {
    const core = new ChatCore(OPTIONS);
    core.hello(PERSON, 'carol', hello({}), 1_000);
    core.hello(SCRIPT, 'carol', hello({ script: true }), 1_500);
    core.disconnect(PERSON, 2_000);
    assert.equal(sinceOf(core.hello(PERSON, 'carol', hello({}), 5_000)), 2_000);
  });
});
