import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import type { ChatClient } from '../../src/net/chat-client.ts';
import { hashPassword } from '../../src/server/password-hash.ts';
import { writeUsers } from '../../src/server/users-file.ts';
import { PasswordInput } from '../../src/ui/components/PasswordInput.tsx';
import { DEFAULT_SETTINGS } from '../../src/ui/settings/tui-settings.ts';
import { App } from '../../src/ui/tui/App.tsx';
import { PasswordPrompter } from '../../src/ui/tui/password-prompter.ts';
import { client, makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import { inputReady, until } from '../helpers/ink.ts';
import { tempDir } from '../helpers/pki.ts';

/**
 * The TUI's password prompt (issue 6, part 2): the whole App against a real
 * server run with --require-password, typed into through ink-testing-library.
 */

const TEST = { timeout: 20_000 };
const RIGHT = 'open sesame 42';
const ENTER = '\r';

/** Lets Ink parse a write and React re-render and re-subscribe (a few turns when busy). */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

afterEach(() => cleanup());

describe('PasswordInput', () => {
  it('shows a star per character, never the text; Ctrl+U clears; Enter submits', async () => {
    const submitted: string[] = [];
    const app = render(
      <PasswordInput
        prompt="password for alice@localhost: "
        width={60}
        onSubmit={(p) => submitted.push(p)}
      />,
    );
    await inputReady(app.stdin);
    const frame = () => stripAnsi(app.lastFrame() ?? '');
    app.stdin.write('hunter2');
    await settle();
    assert.equal(frame().trimEnd(), 'password for alice@localhost: *******');
    app.stdin.write('\u007f');
    await settle();
    assert.equal(frame().trimEnd(), 'password for alice@localhost: ******');
    app.stdin.write('\u0015');
    await settle();
    assert.equal(frame().trimEnd(), 'password for alice@localhost:');
    app.stdin.write(ENTER);
    await settle();
    assert.deepEqual(submitted, [], 'an empty password is not sent');
    app.stdin.write('s3cret');
    await settle();
    app.stdin.write(ENTER);
    await settle();
    assert.deepEqual(submitted, ['s3cret']);
    assert.equal(frame().trimEnd(), 'password for alice@localhost:');
  });
});

describe('chat tui against a server that requires passwords', () => {
  let team: Team;
  let data: { path: string; cleanup: () => Promise<void> };
  let started: Started;
  const clients: ChatClient[] = [];

  before(async () => {
    team = await makeTeam(['alice']);
    data = await tempDir();
    const now = new Date().toISOString();
    const hash = await hashPassword(RIGHT, { N: 1024, r: 8, p: 1 });
    await writeUsers(data.path, new Map([['alice', { hash, created: now, changed: now }]]));
    started = await startServer(team, {
      requirePassword: true,
      dataDir: data.path,
      authFailDelayMs: 20,
      maxAuthFailures: 2,
    });
  });
  after(async () => {
    for (const c of clients) await c.close();
    await started.server.close();
    await data.cleanup();
    await team.dir.cleanup();
  });

  async function tui() {
    const passwords = new PasswordPrompter();
    const chat = await client(team, started, 'alice', { password: passwords.ask });
    clients.push(chat);
    const app = render(
      <App
        client={chat}
        server={`localhost:${started.port}`}
        settings={{ saved: { ...DEFAULT_SETTINGS, bell: false } }}
        notices={[]}
        passwords={passwords}
      />,
    );
    const frame = () => stripAnsi(app.lastFrame() ?? '');
    const type = async (text: string) => {
      app.stdin.write(text);
      await settle();
    };
    await inputReady(app.stdin);
    return { app, chat, frame, type };
  }

  it('asks with a masked input, retries a wrong password, then chats', TEST, async () => {
    const { chat, frame, type } = await tui();
    await until(() => frame().includes('password for alice@localhost:'), 'the password prompt');

    await type('not it');
    assert.match(frame(), /password for alice@localhost: \*{6}/);
    assert.ok(!frame().includes('not it'), 'the typed text is never shown');
    await type(ENTER);
    await until(
      () => frame().includes('server: wrong password for alice'),
      'the reason of the failure',
      5_000,
    );
    await until(() => frame().includes('password for alice@localhost:'), 'the prompt again', 5_000);

    await type(RIGHT);
    assert.match(frame(), /password for alice@localhost: \*{14}/);
    await type(ENTER);
    await until(() => chat.state === 'connected', 'the welcome', 5_000);
    await until(
      () => frame().includes('[#general]') && !frame().includes('password for alice@'),
      'the chat',
    );
    await type('hello after login');
    await type(ENTER);
    await until(() => frame().includes('hello after login'), 'the message echoed');
    assert.ok(!frame().includes(RIGHT));
  });

  it('shows the lock-out and does not ask again', TEST, async () => {
    const { chat, frame, type } = await tui();
    // One failure is left of two (the test before used one; its success reset it, so two).
    for (let i = 0; i < 2; i++) {
      await until(() => frame().includes('password for alice@localhost:'), 'the prompt', 5_000);
      await type('wrong');
      await type(ENTER);
      await until(() => !frame().includes('password for alice@'), 'the prompt closed', 5_000);
    }
    await until(() => frame().includes('Cannot connect'), 'the lock-out explained', 5_000);
    assert.match(frame().replace(/\s+/g, ' '), /too many wrong passwords from 127\.0\.0\.1/);
    assert.equal(chat.state, 'offline');
    assert.ok(!frame().includes('password for alice@'), 'no prompt while locked out');
  });
});
