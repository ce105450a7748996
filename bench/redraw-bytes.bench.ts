/**
 * Bytes the real `chat tui` writes to its terminal per keystroke and per
 * received message, at 110x30 and 200x60: run in tmux, its output counted
 * with `tmux pipe-pane`, as issue 21 measured it. Each size runs twice in
 * turn: `--redraw frames` (Ink rewriting every frame whole, as before issue
 * 21) and `--redraw changes` (only the cells that changed, the default).
 * The reference, in the same run: irssi typing into its own input line, in
 * the same tmux, when irssi is installed (Debian's `irssi`).
 *
 * A keystroke is typed, the screen is polled until it shows it, then the
 * bytes are read once the output has been still for QUIET_MS; the same for
 * a message sent by another user. Bounded: fixed counts, a deadline on
 * every wait. About 60 s; about 30 s with --quick.
 *
 *   npx tsx bench/redraw-bytes.bench.ts [--quick]
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadClientCredentials } from '../src/commands/client-identity.ts';
import { formatTable } from '../src/commands/format-table.ts';
import { ChatClient } from '../src/net/chat-client.ts';
import { issueClient } from '../src/pki/client-certs.ts';
import { initPki } from '../src/pki/init-pki.ts';
import { pkiLayout } from '../src/pki/layout.ts';
import { listening, ROOT, track } from './lib/servers.ts';
import { median } from './lib/stats.ts';

const exec = promisify(execFile);
const quick = process.argv.includes('--quick');
const KEYS = quick ? 10 : 20;
const MESSAGES = quick ? 10 : 20;
const SIZES: Array<[number, number]> = [
  [110, 30],
  [200, 60],
];
/** Output still for this long counts as done (ms). */
const QUIET_MS = 150;
/** Longest wait for anything to show (ms). */
const DEADLINE_MS = 20_000;
const CHAT_BIN = join(ROOT, 'bin', 'chat.js');
/** A tmux server of the bench's own, so no other session is touched. */
const SOCKET = `chat-bench-${process.pid}`;
/** The issue's target: a keystroke writes at most this share of the screen's cells. */
const TARGET_SHARE = 0.05;

const tmux = (...args: string[]) => exec('tmux', ['-L', SOCKET, ...args]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

async function screen(): Promise<string> {
  return (await tmux('capture-pane', '-p', '-t', 'bench')).stdout;
}

async function until(what: string, test: (text: string) => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!test(await screen())) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not on screen after ${DEADLINE_MS} ms:\n${await screen()}`);
    }
    await sleep(20);
  }
}

async function size(file: string): Promise<number> {
  return (await stat(file).catch(() => ({ size: 0 }))).size;
}

/** The output's size once nothing was written for QUIET_MS (bounded). */
async function settled(file: string): Promise<number> {
  const deadline = Date.now() + DEADLINE_MS;
  let last = await size(file);
  for (;;) {
    await sleep(QUIET_MS);
    const now = await size(file);
    if (now === last || Date.now() > deadline) return now;
    last = now;
  }
}

/** Starts `command` in a fresh tmux session of that size, its output appended to `file`. */
async function startIn(
  command: string,
  columns: number,
  rows: number,
  file: string,
): Promise<void> {
  await tmux('kill-session', '-t', 'bench').catch(() => {});
  // The command waits for a line on stdin, so pipe-pane is on before its first byte.
  await tmux(
    ...['new-session', '-d', '-s', 'bench', '-x', String(columns), '-y', String(rows)],
    `read -r _; exec ${command}`,
  );
  await tmux('set', '-g', 'status', 'off');
  await tmux('pipe-pane', '-t', 'bench', '-o', `cat >> ${quote(file)}`);
  await tmux('send-keys', '-t', 'bench', 'Enter');
}

/** Median bytes per keystroke: each key typed alone, after the one before was drawn. */
async function perKeystroke(file: string, shows: (typed: string) => (text: string) => boolean) {
  const bytes: number[] = [];
  let typed = '';
  for (let n = 0; n < KEYS; n++) {
    const before = await settled(file);
    const key = String.fromCharCode(97 + (n % 26));
    typed += key;
    await tmux('send-keys', '-t', 'bench', '-l', key);
    await until(`key ${n + 1}`, shows(typed));
    bytes.push((await settled(file)) - before);
  }
  return median(bytes);
}

interface Row {
  size: string;
  cells: number;
  what: string;
  key?: number | undefined;
  message?: number | undefined;
}

const dir = await mkdtemp(join(tmpdir(), 'chat-bench-redraw-'));
let server: ChildProcess | undefined;
let writer: ChatClient | undefined;
const rows: Row[] = [];
try {
  // A session that outlives the rounds: a tmux server left empty exits, racing the next start.
  await tmux('new-session', '-d', '-s', 'keep', 'sleep 3600');
  const layout = pkiLayout(join(dir, 'certs'));
  await initPki({ layout, now: new Date() }, { user: 'ada' });
  await issueClient({ layout, now: new Date() }, { name: 'bob' });
  server = track(
    spawn(
      process.execPath,
      [CHAT_BIN, 'serve', '--certs', layout.dir, '--data', join(dir, 'data')].concat([
        '--store',
        'memory',
        '--port',
        '0',
        '--rate',
        '1000',
        '--burst',
        '1000',
      ]),
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CHAT_CERTS_DIR: '' } },
    ),
  );
  const { port } = await listening(server, 'chat serve');
  writer = new ChatClient({
    host: 'localhost',
    port,
    credentials: (await loadClientCredentials(layout.dir, 'bob', 'bob')).credentials,
    clientName: 'bench-redraw/0',
    reconnect: false,
    pingIntervalMs: 0,
  });
  await writer.connect();

  let round = 0;
  for (const [columns, height] of SIZES) {
    for (const mode of ['frames', 'changes'] as const) {
      const file = join(dir, `${mode}-${columns}x${height}.out`);
      const tui = [process.execPath, CHAT_BIN, 'tui']
        .concat(['--certs', layout.dir, '--user', 'ada', '--port', String(port), '--redraw', mode])
        .map(quote)
        .join(' ');
      // No CI variable at all: with CI set, even to false, chalk writes no styles.
      await startIn(`env -u CI CHAT_CERTS_DIR= ${tui}`, columns, height, file);
      await until('chat tui connected', (text) => /connected/.test(text) && /2 users/.test(text));
      // From the second round, the messages of the round before greet ada: close that summary.
      if (/While you were away/.test(await screen())) {
        await tmux('send-keys', '-t', 'bench', 'Escape');
        await until('the summary closed', (text) => !/While you were away/.test(text));
      }
      const key = await perKeystroke(
        file,
        (typed) => (text) => text.includes(`[#general] ${typed}`),
      );
      // The draft is sent away first, so the messages arrive on a quiet screen.
      await tmux('send-keys', '-t', 'bench', 'C-u');
      const messages: number[] = [];
      for (let n = 0; n < MESSAGES; n++) {
        const before = await settled(file);
        const text = `round ${round} message ${n} from bob about the build and the release notes`;
        await writer.send('#general', text);
        await until(`message ${n}`, (shown) => shown.includes(text));
        messages.push((await settled(file)) - before);
      }
      rows.push({
        size: `${columns}x${height}`,
        cells: columns * height,
        what: mode === 'frames' ? 'chat, whole frames (before)' : 'chat, changed cells (after)',
        key,
        message: median(messages),
      });
      round++;
    }
    const irssi = await exec('sh', ['-c', 'command -v irssi']).catch(() => undefined);
    if (irssi !== undefined) {
      const file = join(dir, `irssi-${columns}x${height}.out`);
      const home = join(dir, `irssi-${columns}`);
      await startIn(`env irssi --home=${quote(home)} -n ada --noconnect`, columns, height, file);
      await until('irssi started', (text) => /\[\(status\)\]/.test(text));
      const key = await perKeystroke(file, (typed) => (text) => text.includes(typed));
      rows.push({
        size: `${columns}x${height}`,
        cells: columns * height,
        what: 'irssi (reference)',
        key,
      });
    } else {
      rows.push({
        size: `${columns}x${height}`,
        cells: columns * height,
        what: 'irssi: not installed',
      });
    }
  }
} finally {
  await tmux('kill-server').catch(() => {});
  await writer?.close();
  if (server !== undefined && server.exitCode === null) {
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
}

const bytes = (n: number | undefined) => (n === undefined ? '-' : String(Math.round(n)));
const share = (n: number | undefined, cells: number) =>
  n === undefined ? '-' : `${((n / cells) * 100).toFixed(2)}%`;
console.log(
  `\nchat tui: bytes written to the terminal (median of ${KEYS} keystrokes, ${MESSAGES} messages), tmux pipe-pane`,
);
console.log(
  formatTable([
    ['size', 'what', 'bytes/key', 'of cells', 'bytes/message'],
    ...rows.map((row) => [
      row.size,
      row.what,
      bytes(row.key),
      share(row.key, row.cells),
      bytes(row.message),
    ]),
  ]),
);
for (const row of rows.filter((r) => r.what.includes('after'))) {
  const met = row.key !== undefined && row.key <= row.cells * TARGET_SHARE;
  console.log(
    `target at ${row.size}: a keystroke writes ≤ ${TARGET_SHARE * 100}% of ${row.cells} cells: ${met ? 'met' : 'missed'}`,
  );
}
