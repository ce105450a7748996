import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import { ChatError } from '../../src/errors.ts';
import type { ChatClient, ModerateAct } from '../../src/net/chat-client.ts';
import type { RoomMessage } from '../../src/net/protocol/frames.ts';
import { DEFAULT_SETTINGS } from '../../src/ui/settings/tui-settings.ts';
import { App } from '../../src/ui/tui/App.tsx';
import { welcomeFrame } from '../helpers/chat-frames.ts';
import { IdleClient } from '../helpers/idle-client.ts';
import { effectsRun, inputReady, until } from '../helpers/ink.ts';

/**
 * Edits and operators through the whole App, fed by a fake client that
 * plays the server's frames (the real server answers edit and moderate once
 * issue 17's server side is in).
 */

const T0 = Date.UTC(2026, 10, 25, 12, 0);
const ENTER = '\r';
const ESC = '\u001b';
const UP = '\u001b[A';

/** What App reads of a ChatClient, with every edit, delete and act recorded. */
class FakeClient extends IdleClient {
  readonly edits: Array<[string, number, string]> = [];
  readonly deletes: Array<[string, number]> = [];
  readonly acts: ModerateAct[] = [];
  /** The error the next act is refused with, if any. */
  refuse: ChatError | undefined;

  edit(room: string, id: number, text: string) {
    this.edits.push([room, id, text]);
    return Promise.resolve({ id, ts: T0 + 5 });
  }

  delete(room: string, id: number) {
    this.deletes.push([room, id]);
    return Promise.resolve({ id, ts: T0 + 6 });
  }

  moderate(act: ModerateAct) {
    this.acts.push(act);
    const refusal = this.refuse;
    return refusal ? Promise.reject(refusal) : new Promise(() => {});
  }
}

function msg(id: number, from: string, text: string): RoomMessage {
  return { type: 'msg', id, ts: T0 + id * 60_000, room: '#ops', from, text };
}

const WELCOME = welcomeFrame({
  rooms: [
    { room: '#ops', topic: '', members: ['alice', 'bob', 'dave'], lastId: 0, ops: ['bob'] },
    { room: '#general', topic: '', members: ['alice', 'bob'], lastId: 0 },
  ],
  users: [
    { user: 'alice', status: 'online' },
    { user: 'bob', status: 'online' },
    { user: 'dave', status: 'online' },
  ],
});

async function start() {
  const client = new FakeClient();
  const app = render(
    <App
      client={client as unknown as ChatClient}
      server="localhost:7000"
      settings={{ saved: { ...DEFAULT_SETTINGS, bell: false } }}
      notices={[]}
    />,
  );
  await inputReady(app.stdin);
  client.emit('state', 'connected', {});
  client.emit('welcome', WELCOME);
  const frame = () => stripAnsi(app.lastFrame() ?? '');
  await until(() => frame().includes('[#ops]'), 'the welcome');
  const press = async (keys: string) => {
    app.stdin.write(keys);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await effectsRun();
  };
  return { client, app, frame, press };
}

afterEach(() => cleanup());

describe('App: editing your last message', () => {
  it('Up on an empty input puts it there, Enter edits it, and the update shows (edited)', async () => {
    const { client, frame, press } = await start();
    client.emit('message', msg(1, 'alice', 'helo world'));
    client.emit('message', msg(2, 'bob', 'hi alice'));
    await until(() => frame().includes('hi alice'), 'the messages');
    await press(UP);
    await until(() => frame().includes('[edit #ops] helo world'), 'the edit prompt');
    await press('!');
    await press(ENTER);
    await until(() => client.edits.length === 1, 'the edit sent');
    assert.deepEqual(client.edits, [['#ops', 1, 'helo world!']]);
    await until(() => frame().includes('[#ops]') && !frame().includes('[edit'), 'the prompt back');
    client.emit('update', {
      type: 'update',
      message: { ...msg(1, 'alice', 'helo world!'), edited: T0 + 5 },
    });
    await until(() => frame().includes('helo world! (edited)'), 'the edited line');
  });

  it('Esc cancels the edit; /delete deletes the last message and shows the placeholder', async () => {
    const { client, frame, press } = await start();
    client.emit('message', msg(1, 'alice', 'oops'));
    await until(() => frame().includes('oops'), 'the message');
    await press(UP);
    await until(() => frame().includes('[edit #ops] oops'), 'the edit prompt');
    await press(ESC);
    await until(() => !frame().includes('[edit'), 'the edit cancelled');
    assert.deepEqual(client.edits, []);
    await press('/delete');
    await press(ENTER);
    await until(() => client.deletes.length === 1, 'the delete sent');
    assert.deepEqual(client.deletes, [['#ops', 1]]);
    client.emit('update', {
      type: 'update',
      message: { ...msg(1, 'alice', ''), deleted: { ts: T0 + 6 } },
    });
    await until(() => frame().includes('(message deleted)'), 'the placeholder');
    assert.ok(!frame().includes('oops'));
  });
});

describe('App: operators', () => {
  it('marks operators with @ and says a refusal in one line', async () => {
    const { client, frame, press } = await start();
    await until(() => frame().includes('@bob'), 'the op mark');
    client.refuse = new ChatError('SERVER_ERROR', 'you do not operate #ops', {
      hint: 'not_operator',
    });
    await press('/kick dave bye');
    await press(ENTER);
    await until(() => frame().includes('/kick #ops dave: you do not operate #ops'), 'the refusal');
    assert.deepEqual(client.acts, [{ action: 'kick', room: '#ops', user: 'dave', reason: 'bye' }]);
  });

  it('kicked myself: who and why, the user list cleared, the room kept', async () => {
    const { client, frame } = await start();
    client.emit('message', msg(1, 'dave', 'earlier words'));
    await until(() => frame().includes('3 users'), 'the user list');
    client.emit('moderated', {
      type: 'moderated',
      action: 'kick',
      room: '#ops',
      user: 'alice',
      by: 'bob',
      reason: 'take a break',
      ts: T0 + 1000,
    });
    await until(() => frame().includes('bob kicked you from #ops: take a break'), 'the line');
    assert.match(frame(), /0 users/);
    assert.ok(frame().includes('earlier words'), 'the messages stay readable');
    assert.match(frame(), /#ops/);
  });

  it('closed for good by the server: the reason shown, no user list', async () => {
    const { client, frame } = await start();
    await until(() => frame().includes('3 users'), 'the user list');
    client.emit('state', 'offline', {
      error: new ChatError('REMOVED', 'server: kicked by the server operator: spam', {
        hint: 'an operator of the server closed your connection; start chat again to come back',
      }),
    });
    await until(() => frame().includes('Disconnected by an operator'), 'the panel');
    assert.match(frame(), /chat does not reconnect/);
    assert.match(frame(), /server: kicked by the server operator: spam/);
    assert.match(frame(), /0 users/);
  });
});
