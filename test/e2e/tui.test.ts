import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CHAT_BIN, chatEnv, runChat } from '../helpers/cli.ts';
import { tempDir } from '../helpers/pki.ts';
import { chatCommandLine, TmuxTerminal } from '../helpers/tmux.ts';

const _exec = promisify(execFile);

/** `chat tui ARGS` (or another chat command) in a real terminal of the given size. */
function startTerminal(
  name: string,
  cwd: string,
  args: string[],
  size = { columns: 100, rows: 30 },
  chat = ['tui'],
): Promise<TmuxTerminal> {
  return TmuxTerminal.start(name, cwd, chatCommandLine(cwd, [...chat, ...args]), size);
}

describe('chat tui in a real terminal', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: ReturnType<typeof spawn>;
  let port = 0;
  const terminals: TmuxTerminal[] = [];

  before(async () => {
    dir = await tempDir();
    for (const args of [
      ['certs', '--user', 'ada'],
      ['certs', 'client', 'bob'],
      ['certs', 'client', 'cy'],
    ]) {
      const made = await runChat(args, { cwd: dir.path });
      assert.equal(made.code, 0, made.stderr);
    }
    server = spawn(process.execPath, [CHAT_BIN, 'serve', '--port', '0'], {
      cwd: dir.path,
      env: chatEnv(dir.path),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    port = await new Promise<number>((resolve) => {
      server.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        log += chunk;
        const match = /"port":(\d+)[^\n]*"msg":"listening"/.exec(log);
        if (match) resolve(Number(match[1]));
      });
    });
  });

  after(async () => {
    await Promise.all(terminals.map((t) => t.stop()));
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
    await dir.cleanup();
  });

  it('shows in one what is typed in the other; /msg reaches only its target', async () => {
    const ada = await startTerminal('chat-e2e-ada', dir.path, [
      '--user',
      'ada',
      '--port',
      String(port),
    ]);
    const bob = await startTerminal('chat-e2e-bob', dir.path, [
      '--user',
      'bob',
      '--port',
      String(port),
    ]);
    const cy = await startTerminal('chat-e2e-cy', dir.path, [
      '--user',
      'cy',
      '--port',
      String(port),
    ]);
    terminals.push(ada, bob, cy);
    for (const t of [ada, bob, cy]) await t.waitFor(/connected/);
    await bob.waitFor(/3 users/);

    await ada.type('hello from ada');
    await bob.waitFor(/<ada> hello from ada/);
    await cy.waitFor(/<ada> hello from ada/);

    await ada.type('/msg bob just for you');
    await bob.waitFor(/@ada\s+1!/);
    await ada.press('M-1'); // back to #general, the first in the list
    await ada.waitFor(/\[#general\]/);
    await ada.type('after the dm');
    await cy.waitFor(/<ada> after the dm/);
    assert.doesNotMatch(await cy.screen(), /just for you|@ada/);
  });

  it('lays the screen out again on a resize', async () => {
    const bob = terminals[1] as TmuxTerminal;
    assert.match(await bob.screen(), /3 users/);
    await bob.resize(60, 20);
    const narrow = await bob.waitFor(/^.{0,60}\n/m);
    await bob.waitFor(/#general/);
    assert.doesNotMatch(await bob.screen(), /3 users/, 'the user list hides under 70 columns');
    for (const line of narrow.split('\n')) assert.ok([...line].length <= 60, line);
    await bob.resize(100, 30);
    await bob.waitFor(/3 users/);
  });

  it('with /set mouse on, the wheel scrolls and clicks switch; nothing typed; off again on /quit', async () => {
    const ada = terminals[0] as TmuxTerminal;
    const MOUSE_OFF = { standard: false, button: false, all: false, sgr: false };
    const press = (x: number, y: number, button = 0) => ada.input(`\u001b[<${button};${x};${y}M`);
    const click = (x: number, y: number) => ada.input(`\u001b[<0;${x};${y}M\u001b[<0;${x};${y}m`);
    assert.deepEqual(await ada.mouseModes(), MOUSE_OFF);
    await ada.type('/set mouse on');
    await ada.waitFor(/mouse set to on/);
    // Presses and the wheel, SGR coordinates; no motion, so Shift+drag still selects.
    assert.deepEqual(await ada.mouseModes(), {
      standard: true,
      button: false,
      all: false,
      sgr: true,
    });

    // One message of 30 lines (Alt+Enter between them): more than the pane holds.
    const lines = Array.from({ length: 30 }, (_, index) => `r${index + 1}.`);
    await ada.press(...lines.flatMap((line) => [line, 'M-Enter']).slice(0, -1), 'Enter');
    await ada.waitFor(/r30\./);
    await press(40, 10, 64); // a notch of the wheel up, over the pane
    await ada.waitForGone(/r30\./);
    await press(40, 10, 65);
    await ada.waitFor(/r30\./);

    // 100x30: the status bar on row 1, then #general and @bob in the room list.
    await click(3, 3);
    await ada.waitFor(/^\[@bob\]\s*$/m);
    await click(3, 2);
    await ada.waitFor(/^\[#general\]\s*$/m);
    // The user list's last 16 columns: a header row, then one member a row.
    const rows = (await ada.screen()).split('\n');
    const cyRow = rows.findIndex((line, index) => index > 1 && /\bcy\b/.test(line.slice(-16)));
    assert.ok(cyRow > 1, rows.join('\n'));
    await click(95, cyRow + 1);
    const dm = await ada.waitFor(/^\[@cy\]\s*$/m);
    assert.match(dm, /^3 @cy/m, 'a DM window with cy, third in the list');
    assert.doesNotMatch(dm, /\[<|\d+;\d+[Mm]/, 'no report typed anywhere');

    await ada.type('/quit');
    await ada.waitFor(/\[exited 0\]/);
    assert.deepEqual(await ada.mouseModes(), MOUSE_OFF);
  });

  it('leaves the terminal in its normal screen on /quit', async () => {
    const cy = terminals[2] as TmuxTerminal;
    await cy.type('/quit');
    const after = await cy.waitFor(/\[exited 0\]/);
    assert.doesNotMatch(
      after,
      /#general|users/,
      'the chat screen is gone: the normal screen is back',
    );
  });

  it('chat serve --dashboard shows a client, and q then y stops it and gives the screen back', async () => {
    const dash = await startTerminal(
      'chat-e2e-dash',
      dir.path,
      // Its own data directory: the TUIs' embedded server may still hold ./data.
      ['--port', '0', '--log-file', 'dash.log', '--data', 'dash-data'],
      { columns: 120, rows: 35 },
      ['serve', '--dashboard'],
    );
    terminals.push(dash);
    const screen = await dash.waitFor(/127\.0\.0\.1:\d+/);
    const dashPort = /127\.0\.0\.1:(\d+)/.exec(screen)?.[1] ?? '';
    const tail = spawn(process.execPath, [CHAT_BIN, 'tail', '--user', 'bob', '--port', dashPort], {
      cwd: dir.path,
      env: chatEnv(dir.path),
      stdio: 'ignore',
    });
    try {
      await dash.waitFor(/^ bob +127\.0\.0\.1 +TLSv1\.3 +TLS_AES_\w+ .* active/m);
      await dash.waitFor(/connection open/);
      // Smaller, then back to the full size: drawn once, nothing left of the small frames.
      await dash.resize(80, 24);
      await dash.waitFor(/^ USER +ADDRESS +UP▼/m);
      await dash.resize(120, 35);
      const redrawn = await dash.waitFor(/^ bob +127\.0\.0\.1 +TLSv1\.3 +TLS_AES/m);
      assert.equal(redrawn.match(/ chat serve /g)?.length, 1, redrawn);
      assert.equal(redrawn.match(/msg\/s, last minute/g)?.length, 1, redrawn);
      await dash.press('q');
      await dash.waitFor(/Shut the server down\?/);
      await dash.press('y');
      const after = await dash.waitFor(/\[exited 0\]/);
      assert.doesNotMatch(after, /Connections \(/);
    } finally {
      tail.kill();
    }
  });
});
