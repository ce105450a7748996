import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import type { ChatClient } from '../../src/net/chat-client.ts';
import type { ChatClientEvents } from '../../src/net/client-types.ts';
import type {
  RoomMessage,
  ServerFrameOf,
  StoredMessage,
  UnreadEntry,
} from '../../src/net/protocol/frames.ts';
import { DEFAULT_SETTINGS } from '../../src/ui/settings/tui-settings.ts';
import { App } from '../../src/ui/tui/App.tsx';
import { welcomeFrame } from '../helpers/chat-frames.ts';
import { effectsRun, inputReady, until } from '../helpers/ink.ts';

/**
 * Backlog, read positions and the away summary through the whole App, fed
 * by a fake client that plays the server's frames (the real server sends
 * `unread` and `read` once issue 16's server side is in).
 */

const T0 = Date.UTC(2026, 10, 25, 12, 0);
const ENTER = '\r';
const ESC = '\u001b';
const PAGE_UP = '\u001b[5~';

type HistoryCall = { room: string; before?: number; limit: number };

/** What App reads of a ChatClient, with every history request and read recorded. */
class FakeClient extends EventEmitter<ChatClientEvents> {
  readonly facts = { tlsVersion: 'TLSv1.3' };
  readonly histories: HistoryCall[] = [];
  readonly reads: [string, number][] = [];
  /** Answers to give history requests, by room (none: an empty page). */
  readonly pages = new Map<string, StoredMessage[][]>();

  connect(): Promise<void> {
    return new Promise(() => {});
  }

  async close(): Promise<void> {}

  markRead(room: string, id: number): void {
    this.reads.push([room, id]);
  }

  join(_room: string): 'sent' {
    return 'sent';
  }

  history(room: string, options: { before?: number; limit: number }) {
    this.histories.push({ room, ...options });
    const messages = this.pages.get(room)?.shift() ?? [];
    const frame: ServerFrameOf<'history'> = {
      type: 'history',
      room,
      messages,
      more: (this.pages.get(room)?.length ?? 0) > 0,
    };
    // As the real client: the promise settles, then the event reaches the state.
    return Promise.resolve(frame).finally(() => setImmediate(() => this.emit('history', frame)));
  }
}

function msg(room: string, id: number, from: string, text = `m${id}`): RoomMessage {
  return { type: 'msg', id, ts: T0 + id * 60_000, room, from, text };
}

function range(room: string, from: number, to: number, who = 'bob'): RoomMessage[] {
  const out: RoomMessage[] = [];
  for (let id = from; id <= to; id++) out.push(msg(room, id, who));
  return out;
}

function entry(room: string, lastId: number, read: number, extra: Partial<UnreadEntry> = {}) {
  return { room, lastId, read, unread: lastId - read, mentions: 0, lines: [], ...extra };
}

const WELCOME = welcomeFrame({
  rooms: [
    { room: '#general', topic: '', members: ['alice', 'bob'], lastId: 30 },
    { room: '#dev', topic: '', members: ['alice', 'bob'], lastId: 40 },
  ],
  users: [
    { user: 'alice', status: 'online' },
    { user: 'bob', status: 'online' },
  ],
});

/** Renders App over a fake client, connected with a welcome. */
async function start(props: { focused?: boolean; backlog?: number } = {}) {
  const client = new FakeClient();
  const app = render(
    <App
      client={client as unknown as ChatClient}
      server="localhost:7000"
      settings={{ saved: { ...DEFAULT_SETTINGS, bell: false } }}
      notices={[]}
      {...props}
    />,
  );
  await inputReady(app.stdin);
  client.emit('state', 'connected', {});
  client.emit('welcome', WELCOME);
  const frame = () => stripAnsi(app.lastFrame() ?? '');
  await until(() => frame().includes('#general'), 'the welcome');
  return { client, app, frame };
}

function backlog(client: FakeClient, room: string, messages: StoredMessage[], more = true) {
  client.emit('history', { type: 'history', room, messages, more, ref: 'backlog' });
}

afterEach(() => cleanup());

describe('App: backlog and the "new since you left" line', () => {
  it('shows the backlog, its separator and the new line, and marks it read', async () => {
    const { client, frame } = await start();
    client.emit('unread', { type: 'unread', conversations: [entry('#general', 30, 27)] });
    backlog(client, '#general', range('#general', 21, 30));
    await until(() => frame().includes('m30'), 'the backlog');
    const lines = frame().split('\n');
    const at = (text: string) => lines.findIndex((line) => line.includes(text));
    assert.ok(at('m27') < at('new since you left'), 'the line is under the last one read');
    assert.ok(at('new since you left') < at('m28'), '...and above the first one unseen');
    assert.ok(at('m30') < at('backlog'), 'the separator is under the backlog');
    assert.match(frame(), /↑ PageUp loads older messages/);
    await until(() => client.reads.length > 0, 'a read');
    assert.deepEqual(client.reads, [['#general', 30]]);
    // The server's read frame (its echo) changes nothing; the line stays.
    client.emit('read', { type: 'read', room: '#general', id: 30 });
    client.emit('message', msg('#general', 31, 'bob', 'live one'));
    await until(() => frame().includes('live one'), 'a live message');
    assert.ok(frame().includes('new since you left'));
    // At most once a second per conversation: the next read waits.
    assert.deepEqual(client.reads, [['#general', 30]]);
    await until(() => client.reads.length > 1, 'the next read', 3_000);
    assert.deepEqual(client.reads, [
      ['#general', 30],
      ['#general', 31],
    ]);
  });

  it('tells nothing while the terminal has no focus', async () => {
    const { client, frame } = await start({ focused: false });
    client.emit('unread', { type: 'unread', conversations: [entry('#general', 30, 27)] });
    backlog(client, '#general', range('#general', 21, 30));
    await until(() => frame().includes('m30'), 'the backlog');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(client.reads, []);
  });

  it('counts come from unread, and drop when another device reads', async () => {
    const { client, frame } = await start();
    client.emit('unread', {
      type: 'unread',
      conversations: [
        entry('#general', 30, 30),
        entry('#dev', 40, 35, { mentions: 1 }),
        entry('@carol', 4, 1, { mentions: 3 }),
      ],
    });
    await until(() => /#dev +5!/.test(frame()) && /@carol +3!/.test(frame()), 'the counts');
    client.emit('read', { type: 'read', room: '#dev', id: 40 });
    await until(() => !/#dev +5/.test(frame()), 'the count to drop');
    assert.match(frame(), /2 #dev\s+│/);
  });

  it('PageUp at the top loads the page before the oldest message', async () => {
    const { client, app, frame } = await start();
    client.emit('unread', { type: 'unread', conversations: [entry('#general', 30, 30)] });
    backlog(client, '#general', range('#general', 28, 30));
    await until(() => frame().includes('m28'), 'the backlog');
    client.pages.set('#general', [range('#general', 20, 27)]);
    app.stdin.write(PAGE_UP);
    await until(() => frame().includes('m20'), 'the older page');
    assert.deepEqual(client.histories, [{ room: '#general', before: 28, limit: 50 }]);
  });

  it('a room just joined is filled with its newest messages', async () => {
    const { client, app, frame } = await start({ backlog: 20 });
    client.pages.set('#new', [range('#new', 3, 5, 'carol')]);
    // Asked for here, so the pane switches to it.
    app.stdin.write('/join #new');
    await effectsRun();
    app.stdin.write('\r');
    await effectsRun();
    client.emit('joined', {
      type: 'joined',
      room: '#new',
      user: 'alice',
      ts: T0,
      state: { room: '#new', topic: '', members: ['alice', 'carol'], lastId: 5 },
    });
    await until(() => frame().includes('m5'), 'the newest messages');
    assert.deepEqual(client.histories, [{ room: '#new', limit: 20 }]);
    assert.match(frame(), /┄ backlog ┄/);
  });
});

describe('App: the away summary', () => {
  const away = (client: FakeClient) =>
    client.emit('unread', {
      type: 'unread',
      since: T0 - 3_600_000,
      conversations: [
        entry('#general', 30, 30),
        entry('#dev', 40, 20, {
          mentions: 1,
          lines: [msg('#dev', 25, 'bob', 'alice: the build is red')],
          topic: { text: 'release friday', by: 'bob', ts: T0 },
        }),
        entry('@carol', 2, 0, {
          mentions: 2,
          lines: [
            { type: 'dm', id: 1, ts: T0 + 60_000 * 30, from: 'carol', to: 'alice', text: 'lunch?' },
            { type: 'dm', id: 2, ts: T0 + 60_000 * 31, from: 'carol', to: 'alice', text: 'ping' },
          ],
        }),
      ],
    });

  it('lists what happened; Esc dismisses it', async () => {
    const { client, app, frame } = await start();
    away(client);
    await until(() => frame().includes('While you were away'), 'the summary');
    const shown = frame();
    assert.match(shown, /#dev +20 unread, 1 mention/);
    assert.match(shown, /<bob> alice: the build is red/);
    assert.match(shown, /bob set the topic: release friday/);
    assert.match(shown, /@carol +2 unread, 2 mentions/);
    assert.match(shown, /<carol> lunch\?/);
    assert.match(shown, /Enter: first mention · Esc: close/);
    // Typing goes nowhere while it shows: keys are read in order, so once Esc
    // has closed it the x was taken or dropped.
    app.stdin.write('x');
    app.stdin.write(ESC);
    await until(() => !frame().includes('While you were away'), 'the summary to close');
    assert.ok(!frame().includes('] x'), 'the x went nowhere');
  });

  it('keeps the conversation under it: Ctrl+N and PageUp do nothing until it closes', async () => {
    const { client, app, frame } = await start();
    away(client);
    await until(() => frame().includes('While you were away'), 'the summary');
    assert.match(frame(), /\[#general\]/);
    // Keys are read in order: by the time Esc has closed it, Ctrl+N was taken or not.
    app.stdin.write('\u000e');
    app.stdin.write(ESC);
    await until(() => !frame().includes('While you were away'), 'the summary to close');
    assert.match(frame(), /\[#general\]/, 'still the conversation it covered');
    app.stdin.write('\u000e');
    await until(() => !frame().includes('[#general]'), 'Ctrl+N to work once it closed');
  });

  it('Enter goes to the first mention, loading down to it', async () => {
    const { client, app, frame } = await start();
    away(client);
    backlog(client, '#dev', range('#dev', 31, 40));
    await until(() => frame().includes('While you were away'), 'the summary');
    // #dev's mention (id 25, 12:25) is older than #carol's (12:30), and not held yet.
    client.pages.set('#dev', [
      [
        ...range('#dev', 20, 24),
        msg('#dev', 25, 'bob', 'alice: the build is red'),
        ...range('#dev', 26, 30),
      ],
    ]);
    app.stdin.write(ENTER);
    await until(() => !frame().includes('While you were away'), 'the summary to close');
    assert.deepEqual(client.histories[0], { room: '#dev', before: 31, limit: 16 });
    await until(() => frame().includes('the build is red'), 'the mention in view');
    assert.match(frame(), /\[#dev\]/);
    assert.match(frame(), /more below/);
  });
});
