import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';
import {
  changeIgnored,
  describeIgnored,
  ignoreFromJson,
  MAX_IGNORED,
} from '../../src/ui/settings/ignore-list.ts';
import { settingsFromJson } from '../../src/ui/settings/tui-settings.ts';
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  initialChatState,
} from '../../src/ui/state/chat-state.ts';
import { idleText, listLines, namesLine, whoisLines } from '../../src/ui/text/server-answers.ts';
import { welcomeFrame } from '../helpers/chat-frames.ts';

const T0 = Date.UTC(2026, 10, 25, 12, 0);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value))
      deepFreeze((value as Record<string | symbol, unknown>)[key]);
  }
  return value;
}

/** alice in #general (current) and #dev, ignoring `ignored`; deep-frozen. */
function base(ignored: string[] = ['bob']): ChatState {
  let state = initialChatState({ server: 'localhost:7000', bell: true, timeZone: 'UTC' });
  state = chatReducer(state, {
    type: 'welcome',
    now: T0,
    frame: welcomeFrame({
      rooms: [
        { room: '#general', topic: '', members: ['alice', 'bob', 'carol'], lastId: 0 },
        { room: '#dev', topic: '', members: ['alice', 'bob', 'carol'], lastId: 0 },
      ],
    }),
  });
  return deepFreeze(chatReducer(state, { type: 'ignoreChanged', users: ignored }));
}

const msg = (room: string, id: number, from: string, text: string): ChatAction => ({
  type: 'message',
  frame: { type: 'msg', id, ts: T0 + id, room, from, text },
});
const dm = (id: number, from: string, to: string, text: string): ChatAction => ({
  type: 'dm',
  frame: { type: 'dm', id, ts: T0 + id, from, to, text },
});

function messages(state: ChatState, name: string): string[] {
  return (state.conversations[name]?.lines ?? []).flatMap((line) =>
    line.kind === 'message' ? [`${line.from}: ${line.text}`] : [],
  );
}

describe('chatReducer: /ignore', () => {
  it('drops a room message from an ignored user: not shown, not unread, no mention, no bell', () => {
    const state = base();
    const next = [msg('#dev', 1, 'bob', 'alice look'), msg('#dev', 2, 'carol', 'hi')].reduce(
      chatReducer,
      state,
    );
    assert.deepEqual(messages(next, '#dev'), ['carol: hi']);
    assert.equal(next.conversations['#dev']?.unread, 1);
    assert.equal(next.conversations['#dev']?.mention, false);
    assert.equal(next.bell, state.bell);
  });

  it('drops a DM from an ignored user without opening a window; one to them is shown', () => {
    const state = base();
    const next = chatReducer(state, dm(1, 'bob', 'alice', 'psst'));
    assert.equal(next, state);
    assert.equal(next.conversations['@bob'], undefined);
    const sent = chatReducer(state, dm(2, 'alice', 'bob', 'stop'));
    assert.deepEqual(messages(sent, '@bob'), ['alice: stop']);
  });

  it('drops their messages from a history page and their mention lines from unread', () => {
    const state = base();
    const page: ServerFrameOf<'history'> = {
      type: 'history',
      room: '#general',
      more: false,
      messages: [
        { type: 'msg', id: 1, ts: T0 + 1, room: '#general', from: 'bob', text: 'old bob' },
        { type: 'msg', id: 2, ts: T0 + 2, room: '#general', from: 'carol', text: 'old carol' },
      ],
    };
    const next = chatReducer(state, { type: 'history', frame: page });
    assert.deepEqual(messages(next, '#general'), ['carol: old carol']);
    assert.equal(next.conversations['#general']?.oldestId, 1, 'the next page starts below bob’s');
    const onlyBob = chatReducer(state, {
      type: 'history',
      frame: { ...page, more: true, messages: page.messages.slice(0, 1) },
    });
    assert.equal(onlyBob.conversations['#general']?.oldestId, 1, 'a page of bob only moves on too');
  });

  it('never ignores the user themself, and shows new messages again after /unignore', () => {
    const state = chatReducer(base(['alice', 'bob']), msg('#general', 1, 'alice', 'mine'));
    assert.deepEqual(messages(state, '#general'), ['alice: mine']);
    const shown = [
      { type: 'ignoreChanged', users: ['alice'] } as ChatAction,
      msg('#general', 2, 'bob', 'back'),
    ].reduce(chatReducer, state);
    assert.deepEqual(messages(shown, '#general'), ['alice: mine', 'bob: back']);
  });

  it('keeps the list sorted and distinct', () => {
    const state = chatReducer(base([]), { type: 'ignoreChanged', users: ['dave', 'bob', 'dave'] });
    assert.deepEqual(state.ignored, ['bob', 'dave']);
  });
});

describe('chatReducer: answers as system lines, /close', () => {
  it('puts system lines in the current conversation', () => {
    const state = chatReducer(base(), { type: 'systemLines', lines: ['a', 'b'], now: T0 });
    const lines = state.conversations['#general']?.lines ?? [];
    assert.deepEqual(lines.flatMap((l) => (l.kind === 'system' ? [l.text] : [])).slice(-2), [
      'a',
      'b',
    ]);
  });

  it('closes a DM window; a room is left with /part, not closed', () => {
    const opened = chatReducer(base([]), dm(1, 'carol', 'alice', 'hi'));
    const closed = chatReducer(opened, { type: 'closeConversation', name: '@carol' });
    assert.equal(closed.conversations['@carol'], undefined);
    const room = chatReducer(opened, { type: 'closeConversation', name: '#dev' });
    assert.ok(room.conversations['#dev']);
  });
});

describe('the ignore list in tui.json', () => {
  it('reads old files without the key as no one, and keeps settings valid beside it', () => {
    assert.deepEqual(ignoreFromJson(undefined), { ignored: [], problems: [] });
    assert.deepEqual(ignoreFromJson({ bell: false }), { ignored: [], problems: [] });
    const raw = { bell: false, ignore: ['dave', 'bob', 'bob'] };
    assert.deepEqual(ignoreFromJson(raw), { ignored: ['bob', 'dave'], problems: [] });
    assert.deepEqual(settingsFromJson(raw).problems, []);
  });

  it('names a damaged list and keeps the names that are names', () => {
    assert.deepEqual(ignoreFromJson({ ignore: 'bob' }), {
      ignored: [],
      problems: ['ignore is not a list'],
    });
    assert.deepEqual(ignoreFromJson({ ignore: ['bob', 'B O B', 3] }), {
      ignored: ['bob'],
      problems: ['ignore holds names that are not user names'],
    });
  });

  it('changes: add, twice, remove, not there, full', () => {
    assert.deepEqual(changeIgnored(['dave'], { kind: 'ignore', user: 'bob' }).ignored, [
      'bob',
      'dave',
    ]);
    const list = ['bob'];
    assert.equal(changeIgnored(list, { kind: 'ignore', user: 'bob' }).ignored, list);
    assert.deepEqual(changeIgnored(list, { kind: 'unignore', user: 'bob' }).ignored, []);
    assert.equal(
      changeIgnored(list, { kind: 'unignore', user: 'carol' }).notice,
      'carol is not ignored',
    );
    const full = Array.from({ length: MAX_IGNORED }, (_, i) => `u${i}`);
    assert.equal(changeIgnored(full, { kind: 'ignore', user: 'bob' }).ignored, full);
    assert.equal(describeIgnored([]), 'no one is ignored: /ignore user hides their messages');
    assert.equal(describeIgnored(['bob', 'dave']), 'ignored (2): bob, dave');
  });
});

describe('server answers as lines', () => {
  it('idle times', () => {
    assert.deepEqual(
      [0, 42_000, 303_000, 7_800_000, 3 * 86_400_000 + 4 * 3_600_000].map(idleText),
      ['0s', '42s', '5m 3s', '2h 10m', '3d 4h'],
    );
  });

  it('/list', () => {
    assert.deepEqual(
      listLines({
        type: 'list',
        ref: 'r',
        rooms: [
          { room: '#general', members: 3, topic: 'Release on Friday' },
          { room: '#ops', members: 1, topic: '' },
        ],
        more: true,
      }),
      [
        '2 rooms (more not shown):',
        '#general  3 members    Release on Friday',
        '#ops      1 member',
      ],
    );
    assert.deepEqual(listLines({ type: 'list', ref: 'r', rooms: [], more: false }), [
      'no rooms on this server have members or a topic',
    ]);
  });

  it('/whois online and away, and offline', () => {
    const print = Array.from({ length: 32 }, () => 'AB').join(':');
    assert.deepEqual(
      whoisLines({
        type: 'whois',
        ref: 'r',
        user: 'bob',
        online: true,
        devices: 2,
        status: 'away',
        text: 'lunch',
        idleMs: 95_000,
        fingerprints: [print],
      }),
      ['bob: away (lunch), 2 devices, idle 1m 35s', `  certificate SHA-256 ${print}`],
    );
    assert.deepEqual(
      whoisLines({
        type: 'whois',
        ref: 'r',
        user: 'carol',
        online: false,
        devices: 0,
        status: 'offline',
        idleMs: 7_200_000,
        fingerprints: [],
      }),
      ['carol: offline, last seen 2h 0m ago'],
    );
  });

  it('/names', () => {
    assert.equal(namesLine('#ops', ['carol', 'alice']), '#ops: 2 here: alice, carol');
  });
});
