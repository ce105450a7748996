import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import type { ChatClient } from '../../src/net/chat-client.ts';
import type { ChatClientEvents } from '../../src/net/client-types.ts';
import type { RoomMessage, ServerFrameOf, StoredMessage } from '../../src/net/protocol/frames.ts';
import { DEFAULT_SETTINGS } from '../../src/ui/settings/tui-settings.ts';
import { App } from '../../src/ui/tui/App.tsx';
import { welcomeFrame } from '../helpers/chat-frames.ts';
import { effectsRun, inputReady, until } from '../helpers/ink.ts';

/** /search through the whole App: the overlay, then Enter to the message in its room. */

const T0 = Date.UTC(2026, 10, 25, 12, 0);
const ENTER = '\r';

function msg(room: string, id: number, text = `m${id}`): RoomMessage {
  return { type: 'msg', id, ts: T0 + id * 60_000, room, from: 'bob', text };
}

/** What App reads of a ChatClient, with searches and history requests recorded. */
class FakeClient extends EventEmitter<ChatClientEvents> {
  readonly facts = { tlsVersion: 'TLSv1.3' };
  readonly searches: [string, unknown][] = [];
  readonly histories: { room: string; before?: number; limit: number }[] = [];
  found: StoredMessage[] = [];
  page: StoredMessage[] = [];

  connect(): Promise<void> {
    return new Promise(() => {});
  }
  async close(): Promise<void> {}
  markRead(): void {}

  async search(text: string, opts?: { room?: string }) {
    this.searches.push([text, opts]);
    return { messages: this.found, more: false };
  }

  history(room: string, options: { before?: number; limit: number }) {
    this.histories.push({ room, ...options });
    const frame: ServerFrameOf<'history'> = {
      type: 'history',
      room,
      messages: this.page,
      more: false,
    };
    return Promise.resolve(frame).finally(() => setImmediate(() => this.emit('history', frame)));
  }
}

afterEach(() => cleanup());

async function type(app: ReturnType<typeof render>, text: string) {
  app.stdin.write(text);
  for (let turn = 0; turn < 3; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await effectsRun();
  }
}

describe('/search in the App', () => {
  it('opens the results, and Enter shows the message in its room with what surrounds it', async () => {
    const client = new FakeClient();
    const app = render(
      <App
        client={client as unknown as ChatClient}
        server="localhost:7000"
        settings={{ saved: { ...DEFAULT_SETTINGS, backlog: 0 } }}
        notices={[]}
      />,
    );
    await inputReady(app.stdin);
    client.emit('state', 'connected', {});
    client.emit(
      'welcome',
      welcomeFrame({
        rooms: [
          { room: '#general', topic: '', members: ['alice', 'bob'], lastId: 0 },
          { room: '#ops', topic: '', members: ['alice', 'bob'], lastId: 60 },
        ],
      }),
    );
    const frame = () => stripAnsi(app.lastFrame() ?? '');
    await until(() => frame().includes('[#general]'), 'the welcome');
    client.found = [msg('#ops', 12, 'the deploy key')];
    client.page = Array.from({ length: 60 }, (_, i) =>
      msg('#ops', i + 1, i + 1 === 12 ? 'the deploy key' : undefined),
    );
    await type(app, '/search deploy #ops');
    await type(app, ENTER);
    await until(() => frame().includes('1 result'), 'the results');
    assert.deepEqual(client.searches, [['deploy', { room: '#ops' }]]);
    assert.match(frame(), /#ops +11-25 12:12 <bob> the deploy key/);
    await inputReady(app.stdin);
    await type(app, ENTER);
    await until(() => frame().includes('[#ops]'), 'the switch to #ops');
    await until(
      () => frame().includes('the deploy key') && frame().includes('m11'),
      'the message in context',
    );
    assert.equal(client.histories[0]?.room, '#ops');
    assert.ok(!frame().includes('1 result'), 'the overlay closed');
  });
});
