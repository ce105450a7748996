import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CHAT_BIN,
  chatEnvWords,
  runChat,
  type Serving,
  startServe,
  stop,
  teamMadeByCli,
} from '../helpers/cli.ts';
import { colourCodes } from '../helpers/sgr.ts';
import { shellWord, TmuxTerminal } from '../helpers/tmux.ts';

/**
 * `chat ARGS` as a tmux command line, in an environment of its own: only
 * PATH and TERM from outside (no CI variable: Ink and chalk change their
 * ways under one), the team's folders in `cwd`, and `env`.
 */
function chatLine(cwd: string, args: string[], env: Record<string, string> = {}): string {
  const words = [process.execPath, CHAT_BIN, ...args].map(shellWord).join(' ');
  return `env -i PATH="$PATH" TERM="$TERM" ${chatEnvWords(cwd, env)} ${words}`;
}

/** An SGR sequence with inverse (7) among its parameters: styles stay without colour. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are the point.
const INVERSE = /\u001b\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m/;

describe('NO_COLOR and --no-color, in a real terminal', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: Serving;
  const terminals: TmuxTerminal[] = [];

  before(async () => {
    dir = await teamMadeByCli(['ada', 'bob']);
    server = await startServe([], dir.path);
  });
  after(async () => {
    await Promise.all(terminals.map((t) => t.stop()));
    await stop(server.child);
    await dir.cleanup();
  });

  /** ada's TUI with bob's message, her reply and (unless `help` is false) /help on screen. */
  async function tuiWithMessages(name: string, args: string[], env: Record<string, string>) {
    const tui = await TmuxTerminal.start(
      name,
      dir.path,
      chatLine(dir.path, ['tui', '--user', 'ada', '--port', String(server.port), ...args], env),
      { rawTo: join(dir.path, `${name}.raw`) },
    );
    terminals.push(tui);
    await tui.waitFor(/connected/);
    await tui.waitFor(/Welcome to chat/);
    // Words of this terminal's own: the earlier tests' lines come back as backlog, and a
    // wait that matched one of them would type on before this Enter was read.
    const sent = await runChat(
      ['send', '--user', 'bob', '--port', String(server.port), `hi ada in ${name}`],
      { cwd: dir.path },
    );
    assert.equal(sent.code, 0, sent.stderr);
    await tui.waitFor(new RegExp(`<bob> hi ada in ${name}`));
    await tui.type(`hello bob from ${name}`);
    await tui.waitFor(new RegExp(`<ada> hello bob from ${name}`));
    return tui;
  }

  it('the TUI with NO_COLOR=1: no colour on screen or in any byte written; bold and inverse stay', async () => {
    const tui = await tuiWithMessages('chat-nc-tui', [], { NO_COLOR: '1' });
    const chat = await tui.screen(true);
    await tui.type('/help');
    await tui.waitFor(/Esc closes this help/);
    const help = await tui.screen(true);
    assert.deepEqual(colourCodes(chat, { ignoreDefault: true }), [], chat);
    assert.deepEqual(colourCodes(help, { ignoreDefault: true }), [], help);
    assert.match(chat, INVERSE, 'the status bar is still inverse');
    const raw = await tui.raw();
    assert.deepEqual(colourCodes(raw), [], 'no ESC[3x/4x/9x/10x/38;/48; in the output');
    assert.match(raw, INVERSE);
    await tui.press('Escape');
    await tui.type('/quit');
    await tui.waitFor(/\[exited 0\]/);
  });

  it('the TUI with --no-color: the same, although chalk reads that flag itself', async () => {
    const tui = await tuiWithMessages('chat-nf-tui', ['--no-color'], {});
    const chat = await tui.screen(true);
    assert.deepEqual(colourCodes(chat, { ignoreDefault: true }), [], chat);
    assert.match(chat, INVERSE, 'the status bar and the cursor are still inverse');
    assert.deepEqual(colourCodes(await tui.raw()), []);
    await tui.type('/quit');
    await tui.waitFor(/\[exited 0\]/);
  });

  it('the TUI without either: nicks and the user list in colour', async () => {
    const tui = await tuiWithMessages('chat-c-tui', [], {});
    const chat = await tui.screen(true);
    assert.notDeepEqual(colourCodes(chat, { ignoreDefault: true }), [], chat);
    await tui.type('/quit');
    await tui.waitFor(/\[exited 0\]/);
  });

  for (const colour of [false, true]) {
    it(`the dashboard ${colour ? 'without NO_COLOR: in colour' : 'with NO_COLOR=1: no colour in its panes, help and questions'}`, async () => {
      const name = colour ? 'chat-c-dash' : 'chat-nc-dash';
      const dash = await TmuxTerminal.start(
        name,
        dir.path,
        chatLine(
          dir.path,
          ['serve', '--dashboard', '--port', '0', '--log-file', `${name}.log`, '--data', name],
          colour ? {} : { NO_COLOR: '1' },
        ),
        { columns: 110, rows: 30, rawTo: join(dir.path, `${name}.raw`) },
      );
      terminals.push(dash);
      const screens = [await dash.waitFor(/Connections \(0\)/).then(() => dash.screen(true))];
      if (colour) {
        assert.notDeepEqual(colourCodes(screens[0] ?? '', { ignoreDefault: true }), []);
      } else {
        await dash.press('?');
        await dash.waitFor(/Dashboard keys/);
        screens.push(await dash.screen(true));
        await dash.press('Escape');
        // Gone first: an Escape and a q read together would be Alt+q, which is no key.
        await dash.waitForGone(/Dashboard keys/);
        await dash.press('q');
        await dash.waitFor(/Shut the server down\?/);
        screens.push(await dash.screen(true));
        for (const screen of screens) {
          assert.deepEqual(colourCodes(screen, { ignoreDefault: true }), [], screen);
        }
        assert.match(screens[0] ?? '', INVERSE, 'the header and the focused pane stay inverse');
        assert.deepEqual(colourCodes(await dash.raw()), []);
        await dash.press('n');
      }
      await dash.press('q');
      await dash.waitFor(/Shut the server down\?/);
      await dash.press('y');
      await dash.waitFor(/\[exited 0\]/);
    });
  }
});
