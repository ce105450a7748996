import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  ClientFrame,
  HelloFrame,
  ModerationAction,
  ServerFrame,
  ServerFrameOf,
} from '../../src/net/protocol/frames.ts';
import { moderationAction } from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import type { ConnId, Effect } from '../../src/server/core-effects.ts';
import type { CoreOptions } from '../../src/server/core-state.ts';
import { parseKeptState } from '../../src/server/kept-state.ts';
import { testCoreOptions } from '../helpers/core-options.ts';

// Operators and moderation (docs/PROTOCOL.md, section 7, Operators): who may
// do what, what each act does to the room and its members, bans and mutes
// that end by themselves (the time is a parameter), and what outlives a
// restart. The rest of the core's rules are in chat-core.test.ts.

const OPTIONS: CoreOptions = testCoreOptions({ operators: new Set(['sam', 'root']) });

const START = 1_767_261_600_000;

/** A core and a clock that moves a second before every call (or jumps to `at`). */
class Harness {
  readonly core: ChatCore;
  now = START;

  constructor(options: Partial<CoreOptions> = {}) {
    this.core = new ChatCore({ ...OPTIONS, ...options });
  }

  private tick(at?: number): number {
    this.now = at ?? this.now + 1000;
    return this.now;
  }

  hello(conn: ConnId, user: string, extra: Partial<HelloFrame> = {}, at?: number): Effect[] {
    return this.core.hello(
      conn,
      user,
      { type: 'hello', v: 1, client: 'test/1', ...extra },
      this.tick(at),
    );
  }

  receive(conn: ConnId, frame: ClientFrame, at?: number): Effect[] {
    return this.core.receive(conn, frame, this.tick(at));
  }

  moderate(
    conn: ConnId,
    action: ModerationAction,
    fields: { room?: string; user?: string; reason?: string; duration?: number } = {},
    at?: number,
  ): Effect[] {
    return this.receive(conn, { type: 'moderate', action, ...fields, ref: `m-${conn}` }, at);
  }

  disconnect(conn: ConnId): Effect[] {
    return this.core.disconnect(conn, this.tick());
  }
}

/** The frames of `effects` of one type, with their recipients sorted. */
function framesOf<T extends ServerFrame['type']>(effects: readonly Effect[], type: T) {
  return effects.flatMap((e) =>
    e.kind === 'frames' && e.frame.type === type
      ? [{ to: [...e.to].sort((a, b) => a - b), frame: e.frame as ServerFrameOf<T> }]
      : [],
  );
}

/** The one error of `effects`: its code, ref and message. */
function errorOf(effects: readonly Effect[]) {
  const errors = framesOf(effects, 'error');
  assert.equal(errors.length, 1, `one error in ${JSON.stringify(effects)}`);
  assert.equal(effects.length, 1, 'nothing but the error');
  const [error] = errors;
  assert.ok(error);
  return error.frame;
}

function closesOf(effects: readonly Effect[]) {
  return effects.flatMap((e) => (e.kind === 'close' ? [e] : []));
}

function logsOf(effects: readonly Effect[]) {
  return effects.flatMap((e) => (e.kind === 'log' ? [e] : []));
}

function welcomeOf(effects: readonly Effect[]): ServerFrameOf<'welcome'> {
  const [welcome] = framesOf(effects, 'welcome');
  assert.ok(welcome, 'a welcome');
  return welcome.frame;
}

function membersOf(h: Harness, room: string): string[] {
  // A member's join repeats the state to them: the members as the core holds them.
  const [probe] = framesOf(h.receive(99, { type: 'join', room }), 'joined').filter(
    (f) => f.frame.state !== undefined,
  );
  return probe?.frame.state?.members.filter((m) => m !== 'probe') ?? [];
}

/**
 * The cast: sam and root are server operators; alice creates #ops (its
 * first operator) and names olive one; bob, carol (and sam) are members;
 * dave is connected and not in #ops; erin was never seen.
 */
const CONN = { root: 1, alice: 2, olive: 3, bob: 4, carol: 5, sam: 6, dave: 7 } as const;
type Actor = keyof typeof CONN;

function cast(): Harness {
  const h = new Harness();
  h.hello(CONN.root, 'root');
  h.hello(CONN.alice, 'alice', { join: ['#ops'] });
  for (const user of ['olive', 'bob', 'carol', 'sam'] as const)
    h.hello(CONN[user], user, { join: ['#ops'] });
  h.hello(CONN.dave, 'dave');
  h.hello(99, 'probe');
  h.moderate(CONN.alice, 'op', { room: '#ops', user: 'olive' });
  return h;
}

const OPS_MEMBERS = [CONN.alice, CONN.olive, CONN.bob, CONN.carol, CONN.sam];

type Outcome = 'done' | 'not_operator' | 'not_member';

/** What `actor` doing `action` to `target` (in #ops, or server-wide) comes to, by the rules. */
function expected(
  actor: Actor,
  action: ModerationAction,
  target: string | undefined,
  serverWide: boolean,
): Outcome {
  const serverOp = actor === 'root' || actor === 'sam';
  const roomOp = serverOp || actor === 'alice' || actor === 'olive';
  if (serverWide) return serverOp ? 'done' : 'not_operator';
  if (!roomOp) return 'not_operator';
  if (!serverOp && target === 'sam' && ['kick', 'ban', 'mute'].includes(action))
    return 'not_operator';
  if (
    action === 'kick' &&
    target !== undefined &&
    !['bob', 'carol', 'sam', 'olive'].includes(target)
  )
    return 'not_member';
  return 'done';
}

const ACTIONS: readonly ModerationAction[] = moderationAction.options;
const ACTORS: Actor[] = ['root', 'alice', 'olive', 'bob', 'dave'];
/** A plain member, another room operator, a server operator, a connected non-member, a user never seen. */
const TARGETS = ['carol', 'olive', 'sam', 'dave', 'erin'];

describe('moderate: who may do what', () => {
  const cases: Array<[Actor, ModerationAction, string | undefined, boolean]> = [];
  for (const actor of ACTORS) {
    for (const action of ACTIONS) {
      if (action === 'topic-lock' || action === 'topic-unlock') {
        cases.push([actor, action, undefined, false]);
        continue;
      }
      for (const target of TARGETS) {
        if (target === actor) continue;
        cases.push([actor, action, target, false]);
        if (action === 'ban' || action === 'unban') cases.push([actor, action, target, true]);
      }
    }
  }

  for (const [actor, action, target, serverWide] of cases) {
    const outcome = expected(actor, action, target, serverWide);
    const where = serverWide ? 'the server' : '#ops';
    it(`${actor} ${action} ${target ?? ''} in ${where}: ${outcome}`, () => {
      const h = cast();
      const effects = h.moderate(CONN[actor], action, {
        ...(serverWide ? {} : { room: '#ops' }),
        ...(target === undefined ? {} : { user: target }),
        reason: 'because',
        ...(action === 'ban' || action === 'mute' ? { duration: 60 } : {}),
      });
      if (outcome !== 'done') {
        const error = errorOf(effects);
        assert.equal(error.code, outcome);
        assert.equal(error.ref, `m-${CONN[actor]}`);
        assert.ok(!error.message.includes('\n'), 'one line');
        if (outcome === 'not_operator' && !serverWide && target !== 'sam')
          assert.match(
            error.message,
            /you do not operate #ops: only its operators \(alice, olive\)/,
          );
        return;
      }
      const [shown, ...more] = framesOf(effects, 'moderated');
      assert.ok(shown, 'shown as moderated');
      assert.equal(more.length, 0, 'once');
      const timed = action === 'ban' || action === 'mute';
      assert.deepEqual(shown.frame, {
        type: 'moderated',
        action,
        ...(serverWide ? {} : { room: '#ops' }),
        ...(target === undefined ? {} : { user: target }),
        by: actor,
        ...(['kick', 'ban', 'mute'].includes(action) ? { reason: 'because' } : {}),
        ...(timed ? { until: h.now + 60_000 } : {}),
        ts: h.now,
      });
      // Without a room: everyone who shares a room with the target (the
      // cast's #ops, or #general for dave), and the operator.
      const sharing =
        target === 'dave'
          ? [CONN.root, CONN.dave, 99]
          : ['carol', 'olive', 'sam'].includes(target ?? '')
            ? OPS_MEMBERS
            : [];
      const audience = serverWide ? [...sharing, CONN[actor]] : [...OPS_MEMBERS, CONN[actor]];
      assert.deepEqual(
        shown.to,
        [...new Set(audience)].sort((a, b) => a - b),
      );
      const [log] = logsOf(effects);
      assert.equal(log?.message, 'moderation');
      assert.equal(log?.fields.action, action);
      assert.equal(log?.fields.by, actor);
      if (target !== undefined) assert.equal(log?.fields.user, target);
      if (serverWide && action === 'ban') {
        const closes = closesOf(effects);
        const own = target === 'erin' ? [] : [CONN[target as Actor]];
        assert.deepEqual(
          closes.map((c) => [c.conn, c.code]),
          own.map((conn) => [conn, 'server_banned']),
        );
      }
    });
  }
});

describe('moderate: the frame', () => {
  for (const [what, fields, action] of [
    ['a kick with no user', { room: '#ops' }, 'kick'],
    ['an op with no user', { room: '#ops' }, 'op'],
    ['a mute with no room', { user: 'bob' }, 'mute'],
    ['a kick with no room', { user: 'bob' }, 'kick'],
    ['a topic lock with no room', {}, 'topic-lock'],
    ['a kick with a duration', { room: '#ops', user: 'bob', duration: 60 }, 'kick'],
    ['an op with a duration', { room: '#ops', user: 'bob', duration: 60 }, 'op'],
    ['an unban with a duration', { user: 'bob', duration: 60 }, 'unban'],
  ] as const) {
    it(`refuses ${what} with invalid_frame and the ref, even from a server operator`, () => {
      const h = cast();
      const error = errorOf(h.moderate(CONN.root, action, fields));
      assert.equal(error.code, 'invalid_frame');
      assert.equal(error.ref, `m-${CONN.root}`);
    });
  }

  it('says who operates the room and what the act was when refused', () => {
    const h = cast();
    assert.equal(
      errorOf(h.moderate(CONN.bob, 'kick', { room: '#ops', user: 'carol' })).message,
      "you do not operate #ops: only its operators (alice, olive) and the server's may kick",
    );
    assert.equal(
      errorOf(h.moderate(CONN.bob, 'topic-lock', { room: '#general' })).message,
      "you do not operate #general: only its operators (none yet) and the server's may lock its topic",
    );
  });
});

describe('moderate: what each act does', () => {
  it('kick: out of the room on every connection, with no left frame, and out of the remembered rooms', () => {
    const h = cast();
    h.hello(14, 'bob', { join: ['#ops'] });
    const effects = h.moderate(CONN.alice, 'kick', { room: '#ops', user: 'bob', reason: 'go' });
    assert.deepEqual(framesOf(effects, 'left'), []);
    assert.ok(framesOf(effects, 'moderated')[0]?.to.includes(14), 'every device of the target');
    assert.ok(effects.some((e) => e.kind === 'persist'));
    assert.ok(!membersOf(h, '#ops').includes('bob'));
    const sent = errorOf(h.receive(CONN.bob, { type: 'send', room: '#ops', text: 'hi', ref: 'r' }));
    assert.equal(sent.code, 'not_member');
    // Their next hello that names no rooms lands where they are remembered: not #ops.
    h.disconnect(CONN.bob);
    h.disconnect(14);
    const rooms = welcomeOf(h.hello(CONN.bob, 'bob')).rooms.map((r) => r.room);
    assert.deepEqual(rooms, ['#general']);
    // A kick is no ban: back at once.
    const back = h.receive(CONN.bob, { type: 'join', room: '#ops' });
    assert.ok(framesOf(back, 'joined').length > 0);
  });

  it('kick: refuses a user not in the room with not_member', () => {
    const h = cast();
    const error = errorOf(h.moderate(CONN.alice, 'kick', { room: '#ops', user: 'dave' }));
    assert.equal(error.code, 'not_member');
    assert.equal(error.ref, `m-${CONN.alice}`);
  });

  it('ban with a duration: out, joins refused with banned (by, until, reason) until it ends, then allowed', () => {
    const h = cast();
    const at = h.now + 1000;
    h.moderate(
      CONN.alice,
      'ban',
      { room: '#ops', user: 'bob', duration: 600, reason: 'flooding' },
      at,
    );
    assert.ok(!membersOf(h, '#ops').includes('bob'));
    const refused = errorOf(h.receive(CONN.bob, { type: 'join', room: '#ops' }, at + 599_000));
    assert.equal(refused.code, 'banned');
    assert.equal(
      refused.message,
      `you are banned from #ops by alice until ${new Date(at + 600_000).toISOString().slice(0, 19).replace('T', ' ')} UTC (flooding): ask one of its operators to lift it`,
    );
    const after = h.receive(CONN.bob, { type: 'join', room: '#ops' }, at + 600_000);
    assert.ok(framesOf(after, 'joined').length > 0, 'joined once the ban ended');
  });

  it('a room operator banned or muted in the room does not operate it meanwhile: no lifting it oneself', () => {
    const h = cast();
    h.moderate(CONN.olive, 'ban', { room: '#ops', user: 'alice', duration: 600 });
    const unban = errorOf(h.moderate(CONN.alice, 'unban', { room: '#ops', user: 'alice' }));
    assert.equal(unban.code, 'not_operator');
    assert.equal(
      errorOf(h.moderate(CONN.alice, 'deop', { room: '#ops', user: 'olive' })).code,
      'not_operator',
    );
    assert.equal(errorOf(h.receive(CONN.alice, { type: 'join', room: '#ops' })).code, 'banned');
    h.moderate(CONN.olive, 'mute', { room: '#ops', user: 'bob' });
    h.moderate(CONN.olive, 'op', { room: '#ops', user: 'bob' });
    assert.equal(
      errorOf(h.moderate(CONN.bob, 'unmute', { room: '#ops', user: 'bob' })).code,
      'not_operator',
    );
    // Once the ban ends, alice operates #ops again.
    const later = h.moderate(CONN.alice, 'unmute', { room: '#ops', user: 'bob' }, h.now + 600_000);
    assert.equal(framesOf(later, 'moderated').length, 1);
  });

  it('ban: anyone, in the room or not; unban lets them in again', () => {
    const h = cast();
    h.moderate(CONN.alice, 'ban', { room: '#ops', user: 'dave' });
    assert.equal(errorOf(h.receive(CONN.dave, { type: 'join', room: '#ops' })).code, 'banned');
    h.moderate(CONN.olive, 'unban', { room: '#ops', user: 'dave' });
    assert.ok(framesOf(h.receive(CONN.dave, { type: 'join', room: '#ops' }), 'joined').length > 0);
  });

  it('ban: a hello leaves the room out without a word, and forgets it', () => {
    const h = cast();
    h.disconnect(CONN.bob);
    h.moderate(CONN.alice, 'ban', { room: '#ops', user: 'bob' });
    const resumed = h.hello(CONN.bob, 'bob', { resume: { '#ops': 0 }, join: ['#general'] });
    assert.deepEqual(
      welcomeOf(resumed).rooms.map((r) => r.room),
      ['#general'],
    );
    assert.deepEqual(framesOf(resumed, 'error'), []);
    assert.ok(!resumed.some((e) => e.kind === 'replay' && e.conversation === '#ops'));
    h.disconnect(CONN.bob);
    h.moderate(CONN.alice, 'unban', { room: '#ops', user: 'bob' });
    assert.deepEqual(
      welcomeOf(h.hello(CONN.bob, 'bob')).rooms.map((r) => r.room),
      ['#general'],
      'forgotten: not joined again by a hello that names no rooms',
    );
  });

  it('mute: sends refused with muted, naming who and until when; reading, parting and joining go on; it ends by itself', () => {
    const h = cast();
    const at = h.now + 1000;
    h.moderate(
      CONN.alice,
      'mute',
      { room: '#ops', user: 'bob', duration: 60, reason: 'calm down' },
      at,
    );
    const send = (t: number) =>
      h.receive(CONN.bob, { type: 'send', room: '#ops', text: 'hey', ref: `s${t}` }, t);
    const refused = errorOf(send(at + 59_000));
    assert.equal(refused.code, 'muted');
    assert.equal(refused.ref, `s${at + 59_000}`);
    assert.match(
      refused.message,
      /you are muted in #ops by alice until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(calm down\)/,
    );
    assert.ok(membersOf(h, '#ops').includes('bob'), 'still in the room');
    assert.ok(
      send(at + 60_000).some((e) => e.kind === 'message'),
      'the mute ended',
    );
  });

  it('mute: a topic from the muted user is refused too (it speaks to the whole room)', () => {
    const h = cast();
    h.moderate(CONN.alice, 'mute', { room: '#ops', user: 'bob' });
    const refused = errorOf(h.receive(CONN.bob, { type: 'topic', room: '#ops', text: 'mine now' }));
    assert.equal(refused.code, 'muted');
    assert.match(refused.message, /you are muted in #ops by alice/);
    h.moderate(CONN.alice, 'unmute', { room: '#ops', user: 'bob' });
    assert.ok(
      h
        .receive(CONN.bob, { type: 'topic', room: '#ops', text: 'mine now' })
        .some((e) => e.kind === 'frames' && e.frame.type === 'topic'),
    );
  });

  it('unmute lets them send again; a mute elsewhere does not count', () => {
    const h = cast();
    h.moderate(CONN.alice, 'mute', { room: '#ops', user: 'bob' });
    h.receive(CONN.bob, { type: 'join', room: '#general' });
    assert.ok(
      h
        .receive(CONN.bob, { type: 'send', room: '#general', text: 'x', ref: 'g' })
        .some((e) => e.kind === 'message'),
    );
    h.moderate(CONN.alice, 'unmute', { room: '#ops', user: 'bob' });
    assert.ok(
      h
        .receive(CONN.bob, { type: 'send', room: '#ops', text: 'x', ref: 'o' })
        .some((e) => e.kind === 'message'),
    );
  });

  it('op and deop: the room state lists its operators, who may then act, until deopped', () => {
    const h = cast();
    assert.equal(
      errorOf(h.moderate(CONN.bob, 'mute', { room: '#ops', user: 'carol' })).code,
      'not_operator',
    );
    h.moderate(CONN.olive, 'op', { room: '#ops', user: 'bob' });
    const [state] = framesOf(h.receive(CONN.bob, { type: 'join', room: '#ops' }), 'joined');
    assert.deepEqual(state?.frame.state?.ops, ['alice', 'bob', 'olive']);
    assert.ok(
      framesOf(h.moderate(CONN.bob, 'mute', { room: '#ops', user: 'carol' }), 'moderated').length >
        0,
    );
    h.moderate(CONN.bob, 'deop', { room: '#ops', user: 'alice' });
    assert.equal(
      errorOf(h.moderate(CONN.alice, 'unmute', { room: '#ops', user: 'carol' })).code,
      'not_operator',
    );
  });

  it('the creator of a room is its first operator; the default room has none', () => {
    const h = new Harness();
    const created = h.hello(1, 'alice', { join: ['#new', '#general'] });
    const rooms = welcomeOf(created).rooms;
    assert.deepEqual(
      rooms.map((r) => [r.room, r.ops]),
      [
        ['#general', undefined],
        ['#new', ['alice']],
      ],
    );
    h.hello(2, 'bob');
    const [joined] = framesOf(h.receive(2, { type: 'join', room: '#new' }), 'joined').filter(
      (f) => f.frame.state,
    );
    assert.deepEqual(
      joined?.frame.state?.ops,
      ['alice'],
      'joining an existing room makes no operator',
    );
  });

  it('topic-lock: only operators set the topic (not_operator), shown in the room state; topic-unlock undoes it', () => {
    const h = cast();
    h.moderate(CONN.alice, 'topic-lock', { room: '#ops' });
    const [state] = framesOf(h.receive(CONN.bob, { type: 'join', room: '#ops' }), 'joined');
    assert.equal(state?.frame.state?.topicLock, true);
    const refused = errorOf(h.receive(CONN.bob, { type: 'topic', room: '#ops', text: 'mine' }));
    assert.equal(refused.code, 'not_operator');
    assert.match(refused.message, /topic of #ops is locked/);
    assert.equal(
      framesOf(h.receive(CONN.olive, { type: 'topic', room: '#ops', text: 'ours' }), 'topic')
        .length,
      1,
    );
    assert.equal(
      framesOf(h.receive(CONN.sam, { type: 'topic', room: '#ops', text: 'server' }), 'topic')
        .length,
      1,
    );
    h.moderate(CONN.alice, 'topic-unlock', { room: '#ops' });
    assert.equal(
      framesOf(h.receive(CONN.bob, { type: 'topic', room: '#ops', text: 'mine' }), 'topic').length,
      1,
    );
    const [unlocked] = framesOf(h.receive(CONN.bob, { type: 'join', room: '#ops' }), 'joined');
    assert.equal(unlocked?.frame.state?.topicLock, undefined, 'absent once unlocked');
  });

  it('a room emptied of members is kept while it has a ban, a mute or a lock', () => {
    const h = new Harness();
    h.hello(1, 'alice', { join: ['#tmp'] });
    h.hello(2, 'root');
    h.moderate(1, 'ban', { room: '#tmp', user: 'bob', duration: 60 });
    h.receive(1, { type: 'part', room: '#tmp' });
    assert.ok(h.core.roomSummaries().some((r) => r.room === '#tmp'));
    h.moderate(2, 'unban', { room: '#tmp', user: 'bob' });
    assert.ok(!h.core.roomSummaries().some((r) => r.room === '#tmp'), 'nothing left to keep');
  });
});

describe('moderate: server-wide bans', () => {
  it('closes every connection of the user with server_banned and refuses their hello until unban', () => {
    const h = cast();
    h.hello(14, 'bob');
    const effects = h.moderate(CONN.root, 'ban', { user: 'bob', reason: 'spam' });
    const closes = closesOf(effects);
    assert.deepEqual(
      closes.map((c) => [c.conn, c.code]),
      [
        [CONN.bob, 'server_banned'],
        [14, 'server_banned'],
      ],
    );
    assert.equal(
      closes[0]?.message,
      'you are banned from this server by root (spam): ask a server operator to lift it',
    );
    // Shown before the closes, to everyone sharing a room with bob, and root.
    const shownAt = effects.findIndex((e) => e.kind === 'frames' && e.frame.type === 'moderated');
    assert.ok(shownAt >= 0 && shownAt < effects.findIndex((e) => e.kind === 'close'));
    const [shown] = framesOf(effects, 'moderated');
    assert.deepEqual(
      shown?.to,
      [...OPS_MEMBERS, CONN.root, 14].sort((a, b) => a - b),
    );
    h.disconnect(CONN.bob);
    h.disconnect(14);
    const again = h.hello(CONN.bob, 'bob');
    assert.deepEqual(
      again.map((e) => e.kind === 'close' && e.code),
      ['server_banned'],
      'nothing else done for them',
    );
    h.moderate(CONN.sam, 'unban', { user: 'bob' });
    assert.ok(welcomeOf(h.hello(CONN.bob, 'bob')));
  });

  it('ends by itself at until', () => {
    const h = cast();
    const at = h.now + 1000;
    h.moderate(CONN.root, 'ban', { user: 'dave', duration: 3600 }, at);
    h.disconnect(CONN.dave);
    assert.equal(
      closesOf(h.hello(CONN.dave, 'dave', {}, at + 3_599_000))[0]?.code,
      'server_banned',
    );
    assert.ok(welcomeOf(h.hello(CONN.dave, 'dave', {}, at + 3_600_000)));
  });

  it('room operators may not ban from the server', () => {
    const h = cast();
    const error = errorOf(h.moderate(CONN.alice, 'ban', { user: 'bob' }));
    assert.equal(error.code, 'not_operator');
    assert.match(error.message, /only the server's operators/);
  });
});

describe('welcome.operators and the dashboard kick', () => {
  it('lists the server operators, sorted; absent when there are none', () => {
    const h = new Harness();
    assert.deepEqual(welcomeOf(h.hello(1, 'alice')).operators, ['root', 'sam']);
    const plain = new Harness({ operators: undefined });
    assert.equal('operators' in welcomeOf(plain.hello(1, 'alice')), false);
  });

  it('kickConnection: moderated (no room, no by) to everyone sharing a room, a log line, then kicked', () => {
    const h = cast();
    const effects = h.core.kickConnection(CONN.bob, 'spam', h.now);
    assert.deepEqual(
      effects.map((e) => e.kind),
      ['frames', 'log', 'close'],
    );
    const [shown] = framesOf(effects, 'moderated');
    assert.deepEqual(shown?.frame, {
      type: 'moderated',
      action: 'kick',
      user: 'bob',
      reason: 'spam',
      ts: h.now,
    });
    assert.deepEqual(shown?.to, OPS_MEMBERS);
    const [close] = closesOf(effects);
    assert.deepEqual(
      [close?.conn, close?.code, close?.message],
      [CONN.bob, 'kicked', 'kicked by the server operator: spam'],
    );
    assert.deepEqual(logsOf(effects)[0]?.fields, {
      action: 'kick',
      user: 'bob',
      by: 'server',
      reason: 'spam',
    });
  });

  it('kickConnection before a hello: only the close', () => {
    const h = new Harness();
    assert.deepEqual(
      h.core.kickConnection(5, 'x', h.now).map((e) => e.kind),
      ['close'],
    );
  });
});

describe('moderation kept across a restart', () => {
  it('ops, locks, bans, mutes and server bans come back and apply the same', () => {
    const h = cast();
    const at = h.now + 1000;
    h.moderate(
      CONN.alice,
      'ban',
      { room: '#ops', user: 'bob', duration: 600, reason: 'flood' },
      at,
    );
    h.moderate(CONN.alice, 'mute', { room: '#ops', user: 'carol' }, at + 1000);
    h.moderate(CONN.alice, 'topic-lock', { room: '#ops' }, at + 2000);
    h.moderate(CONN.root, 'ban', { user: 'dave' }, at + 3000);
    // Through JSON and the schema, as state.bin would carry it.
    const kept = parseKeptState(JSON.parse(JSON.stringify(h.core.keptState())));
    assert.ok(kept, 'the schema takes it');
    assert.deepEqual(
      kept.rooms?.map(([room, r]) => [
        room,
        r.ops,
        r.topicLock,
        r.bans.map(([u]) => u),
        r.mutes.map(([u]) => u),
      ]),
      [['#ops', ['alice', 'olive'], true, ['bob'], ['carol']]],
    );
    assert.deepEqual(
      kept.bans?.map(([u]) => u),
      ['dave'],
    );

    const after = new Harness();
    after.core.restoreKeptState(kept, at + 4000);
    after.now = at + 5000;
    // Everyone left: the room exists again with its operators and lock.
    after.hello(1, 'carol', { join: ['#ops'] });
    after.hello(2, 'bob');
    after.hello(3, 'olive', { join: ['#ops'] });
    const [state] = framesOf(after.receive(1, { type: 'join', room: '#ops' }), 'joined');
    assert.deepEqual(state?.frame.state?.ops, ['alice', 'olive']);
    assert.equal(state?.frame.state?.topicLock, true);
    assert.equal(
      errorOf(after.receive(1, { type: 'send', room: '#ops', text: 'x', ref: 'c' })).code,
      'muted',
    );
    assert.equal(errorOf(after.receive(2, { type: 'join', room: '#ops' })).code, 'banned');
    assert.ok(
      framesOf(after.moderate(3, 'unmute', { room: '#ops', user: 'carol' }), 'moderated').length,
    );
    // Unmuted, carol still meets the lock.
    assert.equal(
      errorOf(after.receive(1, { type: 'topic', room: '#ops', text: 'x' })).code,
      'not_operator',
    );
    assert.equal(closesOf(after.hello(4, 'dave'))[0]?.code, 'server_banned');
    // The ban's end came with it.
    assert.ok(
      framesOf(after.receive(2, { type: 'join', room: '#ops' }, at + 600_000), 'joined').length,
    );
  });

  it('leaves out bans and mutes that ended by the time given', () => {
    const h = cast();
    h.moderate(CONN.alice, 'ban', { room: '#ops', user: 'bob', duration: 10 });
    h.moderate(CONN.root, 'ban', { user: 'dave', duration: 10 });
    const ended = h.core.keptState(h.now + 10_000);
    assert.deepEqual(ended.rooms?.[0]?.[1].bans, []);
    assert.equal(ended.bans, undefined);
    assert.equal(h.core.keptState(h.now + 9_000).bans?.length, 1);
  });

  it('restores a room kept for its operators alone only when it has history or a topic', () => {
    const kept = {
      topics: [],
      users: [],
      rooms: [
        ['#quiet', { ops: ['alice'], bans: [], mutes: [] }],
        ['#busy', { ops: ['alice'], bans: [], mutes: [] }],
      ] as Array<[string, { ops: string[]; bans: []; mutes: [] }]>,
    };
    const h = new Harness();
    h.core.seedLastId('#busy', 7);
    h.core.restoreKeptState(kept, h.now);
    assert.deepEqual(
      h.core.roomSummaries().map((r) => r.room),
      ['#busy'],
    );
    h.hello(1, 'bob', { join: ['#quiet', '#busy'] });
    const rooms = welcomeOf(h.hello(2, 'bob')).rooms;
    assert.deepEqual(
      rooms.map((r) => [r.room, r.ops]),
      [
        ['#busy', ['alice']],
        ['#quiet', ['bob']],
      ],
      '#quiet was made anew by its join',
    );
  });

  it('a kept state from before operators still parses, with nothing to restore', () => {
    const old = { topics: [['#general', { text: 't', by: 'alice', ts: 1 }]], users: [] };
    const kept = parseKeptState(old);
    assert.ok(kept);
    assert.equal(kept.rooms, undefined);
    const h = new Harness();
    h.core.restoreKeptState(kept, h.now);
    assert.deepEqual(h.core.keptState(), { topics: old.topics, users: [] });
  });

  it('refuses a kept state whose rooms are malformed', () => {
    const bad = {
      topics: [],
      users: [],
      rooms: [['#ops', { ops: ['Not A User'], bans: [], mutes: [] }]],
    };
    assert.equal(parseKeptState(bad), undefined);
  });
});
