import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { ChatClient } from '../../src/net/chat-client.ts';
import { client, makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import { chatCommandLine, TmuxTerminal } from '../helpers/tmux.ts';

const exec = promisify(execFile);
const ESC = '\u001b';
/** What the screen writer puts after a paint of everything (its synchronized-output end). */
const PAINT_END = `${ESC}[?2026l`;
const PAINT_START = `${ESC}[?2026h`;
const EMOJI_ROW = '👍🏽 👨‍👩‍👧 🇯🇵 ❤️ end-of-emoji';
const FLOOD = 60;

/** How many times `needle` occurs in `text`. */
function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/**
 * The column (from 0) of the `nth` `│` in the screen's row `row`, as tmux
 * lays the row out: its copy mode walks cells, not characters.
 */
async function borderColumn(terminal: TmuxTerminal, row: number, nth: number): Promise<number> {
  const x = async (...args: string[]) =>
    exec('tmux', ['send-keys', '-t', terminal.name, '-X', ...args]);
  await exec('tmux', ['copy-mode', '-t', terminal.name]);
  try {
    await x('top-line');
    if (row > 0) await x('-N', String(row), 'cursor-down');
    await x('start-of-line');
    await x('jump-forward', '│');
    for (let index = 1; index < nth; index++) await x('jump-again');
    const { stdout } = await exec('tmux', [
      'display',
      '-p',
      '-t',
      terminal.name,
      '#{copy_cursor_x}',
    ]);
    return Number(stdout.trim());
  } finally {
    await x('cancel');
  }
}

/**
 * Issue 21: the TUI writes only what changed, and what it leaves on the
 * screen is what a full paint draws. After each step the screen (with its
 * colours) is compared with the one Ctrl+L paints from scratch.
 */
describe('chat tui redraws only what changed, and the screen stays right', () => {
  let team: Team;
  let started: Started;
  let bob: ChatClient;
  let raw: string;
  let terminal: TmuxTerminal;

  before(async () => {
    team = await makeTeam(['ada', 'bob']);
    // bob floods within the rate limit.
    started = await startServer(team, { ratePerSecond: 1000, rateBurst: 1000 });
    bob = await client(team, started, 'bob');
    await bob.connect();
    raw = join(team.dir.path, 'tui.raw');
    terminal = await TmuxTerminal.start(
      'redraw-ada',
      team.dir.path,
      // Colours on (CI=false alone turns chalk's off), so styles are compared too.
      chatCommandLine(team.dir.path, ['tui', '--user', 'ada', '--port', String(started.port)], {
        FORCE_COLOR: '3',
      }),
      { columns: 110, rows: 30, rawTo: raw },
    );
  });

  after(async () => {
    await terminal.stop();
    await bob.close();
    await started.server.close();
    await team.dir.cleanup();
  });

  /**
   * The screen now, then the screen Ctrl+L paints from scratch: they must be
   * the same. A comparison counts only if nothing but that paint was written
   * in between (the status bar's latency changes on its own, every ping).
   */
  async function assertSameAsFreshPaint(what: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = (await readFile(raw)).length;
      const shown = await terminal.screen(true);
      const paints = count(await readFile(raw, 'utf8'), PAINT_END);
      await terminal.press('C-l');
      const deadline = Date.now() + 10_000;
      while (count(await readFile(raw, 'utf8'), PAINT_END) === paints) {
        assert.ok(Date.now() < deadline, `${what}: Ctrl+L painted nothing`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const written = await readFile(raw);
      const painted = await terminal.screen(true);
      const since = written.subarray(before).toString('utf8');
      const onlyThePaint = since.startsWith(PAINT_START) && since.endsWith(PAINT_END);
      if (onlyThePaint && (await readFile(raw)).length === written.length) {
        assert.equal(shown, painted, `${what}: the screen differs from a fresh paint`);
        return;
      }
    }
    assert.fail(`${what}: the screen kept changing around Ctrl+L`);
  }

  it('after typing, a resize, a flood of messages and an emoji row', async () => {
    await terminal.waitFor(/2 users/);
    assert.ok(
      (await terminal.screen(true)).includes(`${ESC}[`),
      'the screen has styles to compare',
    );
    await assertSameAsFreshPaint('at start');

    for (const key of 'twenty characters ok') await terminal.type(key, false);
    await terminal.waitFor(/twenty characters ok/);
    await assertSameAsFreshPaint('after typing 20 characters');

    await terminal.resize(90, 26);
    await terminal.waitFor(/2 users/);
    await assertSameAsFreshPaint('after a resize');

    await Promise.all(
      Array.from({ length: FLOOD }, (_, n) => bob.send('#general', `flood ${n + 1}`)),
    );
    await terminal.waitFor(new RegExp(`flood ${FLOOD}\\b`));
    await assertSameAsFreshPaint('after a flood');

    for (const columns of [80, 120]) {
      await terminal.resize(columns, 24);
      await bob.send('#general', `${EMOJI_ROW} at ${columns}`);
      const screen = await terminal.waitFor(new RegExp(`end-of-emoji at ${columns}`));
      const rows = screen.split('\n');
      const emoji = rows.findIndex((row) => row.includes(`end-of-emoji at ${columns}`));
      const plain = rows.findIndex((row) => row.includes(`flood ${FLOOD}`));
      assert.ok(emoji > 0 && plain > 0, screen);
      // The message pane's right border: the second │ of the row.
      const border = await borderColumn(terminal, plain, 2);
      assert.equal(await borderColumn(terminal, emoji, 2), border, `at ${columns}:\n${screen}`);
      await assertSameAsFreshPaint(`the emoji row at ${columns} columns`);
    }
  });
});
