/**
 * `npm run screenshots`: the pictures in the README, made from a real run.
 *
 * A team is made in a temporary home; `chat serve --dashboard` and three
 * people's `chat tui` run in pseudo-terminals of their own against it, on a
 * free loopback port; a short conversation is played (a topic, a mention, a
 * room, a DM, the help). ada's terminal is recorded as an asciicast, and the
 * screens are read off a headless terminal (xterm.js) into SVG:
 *
 *   demo.cast  demo.svg      the recording, and the same animated
 *   tui.svg  tui-dm.svg  tui-help.svg  dashboard.svg   stills
 *
 * Usage: tsx scripts/screenshots/make-screenshots.ts [--out DIR]  (default docs/img)
 */
/** What a `chat certs` run may take before the script gives up. */
const CERTS_LIMIT_MS = 60_000;
/** The port the pictures show when it is free: the one `chat` uses by default. */
const USUAL_PORT = 8443;

import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { formatCast } from './asciicast.ts';
import { castFrames, castSvg } from './cast-svg.ts';
import { DemoClock, PtySession } from './pty-session.ts';
import { screenSvg } from './screen-svg.ts';
import { DARK_THEME } from './terminal-theme.ts';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHAT = join(ROOT, 'bin', 'chat.js');
const COLUMNS = 100;
const ROWS = 30;

const USAGE = `npm run screenshots [-- --out DIR]

Makes the README's pictures from a real run: a server with its dashboard and
three people's chat tui in pseudo-terminals on loopback, a scripted
conversation, and what the screens showed, as SVG (about 20 s).

  --out DIR   where to write demo.cast, demo.svg, tui.svg, tui-dm.svg,
              tui-help.svg and dashboard.svg (default: docs/img)
  -h, --help  this help
`;

/**
 * The folder to write to (`--out`, else docs/img), made and checked before
 * anything runs; undefined once --help is answered.
 */
async function outDir(argv: string[]): Promise<string | undefined> {
  let out: string;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string', default: 'docs/img' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(USAGE);
      return undefined;
    }
    out = resolve(ROOT, values.out);
  } catch (error) {
    throw new Error(`${(error as Error).message}: see npm run screenshots -- --help`);
  }
  try {
    await mkdir(out, { recursive: true });
    await access(out, constants.W_OK);
  } catch (error) {
    throw new Error(
      `cannot write to ${out} (${(error as NodeJS.ErrnoException).code}): choose another --out`,
    );
  }
  return out;
}

/** A free loopback port: `wanted` if it is free, else any. */
function freePort(wanted = 0): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (wanted !== 0 && error.code === 'EADDRINUSE') done(freePort());
      else fail(error);
    });
    server.listen(wanted, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/**
 * One machine's environment with its team profile under `home` (XDG
 * folders), as a newcomer's would be: nothing of the caller's leaks in.
 */
function machineEnv(home: string): NodeJS.ProcessEnv {
  const keep = ['PATH', 'LANG', 'LC_ALL', 'SYSTEMROOT'];
  const env: NodeJS.ProcessEnv = {};
  for (const name of keep) if (process.env[name] !== undefined) env[name] = process.env[name];
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    FORCE_COLOR: '3',
    LANG: env.LANG ?? 'C.UTF-8',
    TZ: 'UTC',
    USER: 'ada',
  };
}

/**
 * A person's typing: a key at a time, each once the input row shows it
 * (the row ends with what was typed so far).
 */
async function type(session: PtySession, text: string, clock?: DemoClock): Promise<void> {
  let typed = '';
  for (const key of text) {
    typed += key;
    clock?.advance(0.045 + ((typed.length * 37) % 50) / 1000);
    session.keys(key);
    const draft = typed.trimEnd();
    if (draft === '') continue;
    await session.waitUntil(
      () => session.rows().some((row) => row.startsWith('[') && row.endsWith(`] ${draft}`)),
      `the draft "${draft}"`,
    );
  }
}

/** Types `text`, then Enter. */
async function say(session: PtySession, text: string, clock?: DemoClock): Promise<void> {
  await type(session, text, clock);
  clock?.advance(0.3);
  session.keys('\r');
}

/** Stops every program started and removes the temporary home (its private keys with it). */
async function cleanUp(started: readonly PtySession[], home: string): Promise<void> {
  await Promise.all(started.map((session) => session.stop()));
  await rm(home, { recursive: true, force: true });
}

/** The signal that stopped the run: what fails after it is its doing, not news. */
let stoppedBy: NodeJS.Signals | undefined;

async function main(): Promise<void> {
  const out = await outDir(process.argv.slice(2));
  if (out === undefined) return;
  const home = await mkdtemp(join(tmpdir(), 'chat-screenshots-'));
  const env = machineEnv(home);
  const chat = (...args: string[]) =>
    exec(process.execPath, [CHAT, ...args], { cwd: home, env, timeout: CERTS_LIMIT_MS });
  const started: PtySession[] = [];
  // Interrupted (Ctrl+C, a CI cancel, a test's timeout): nothing is left
  // running, and no key stays behind in the temporary home.
  const interrupted = (signal: NodeJS.Signals) => {
    stoppedBy = signal;
    process.stderr.write(`screenshots: ${signal}, stopping\n`);
    void cleanUp(started, home).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const run = (name: string, args: string[], clock?: DemoClock) => {
    const session = new PtySession(name, [process.execPath, CHAT, ...args], {
      cwd: home,
      env,
      columns: COLUMNS,
      rows: ROWS,
      ...(clock === undefined ? {} : { clock }),
    });
    started.push(session);
    return session;
  };
  const began = Date.now();
  const step = (what: string) =>
    process.stdout.write(`screenshots: ${((Date.now() - began) / 1000).toFixed(1)} s ${what}\n`);
  const pictures: Record<string, string> = {};
  const still = async (file: string, session: PtySession, title: string) => {
    await session.settle();
    pictures[file] = screenSvg(session.screen(DARK_THEME), title, DARK_THEME);
  };
  try {
    step('a team of three (ada, bob, carol)');
    await chat('certs', '--user', 'ada');
    await chat('certs', 'client', 'bob');
    await chat('certs', 'client', 'carol');
    const port = String(await freePort(USUAL_PORT));

    step(`chat serve --dashboard on 127.0.0.1:${port}`);
    const server = run('server', ['serve', '--port', port, '--dashboard']);
    await server.waitFor(/connections 0/);
    const bob = run('bob', ['tui', '--user', 'bob', '--port', port]);
    const carol = run('carol', ['tui', '--user', 'carol', '--port', port]);
    await bob.waitFor(/connected/);
    await carol.waitFor(/connected/);

    step('bob and carol talk before ada comes in');
    await say(bob, 'morning! staging is green, 0.4 is ready to tag');
    await carol.waitFor(/0\.4 is ready to tag/);
    await say(carol, 'nice. I will write the release notes today');
    await bob.waitFor(/release notes today/);
    await say(bob, 'the redis failover test still flakes on CI, digging in');
    await carol.waitFor(/digging in/);
    await say(carol, 'ping me if you want a second pair of eyes');
    await bob.waitFor(/second pair of eyes/);

    step('ada comes in (recorded)');
    const clock = new DemoClock();
    const ada = run('ada', ['tui', '--user', 'ada', '--port', port], clock);
    await ada.waitFor(/3 users/);
    await ada.waitFor(/second pair of eyes/);
    clock.advance(1.5);

    await say(ada, '/topic 0.4 ships Friday · see #release', clock);
    await ada.waitFor(/ada set the topic/);
    clock.advance(1.2);

    await say(
      carol,
      '@ada can you review the TLS reload PR? https://git.example.com/chat/pull/212',
    );
    await ada.waitFor(/pull\/212/);
    clock.advance(1.8);
    await say(ada, 'on it after standup 👍', clock);
    await carol.waitFor(/after standup/);
    clock.advance(1);
    await say(bob, '/me brews coffee for the release');
    await ada.waitFor(/brews coffee/);
    clock.advance(1.5);

    step('a room: #release');
    await say(ada, '/join #release', clock);
    await ada.waitFor(/you joined #release/);
    await say(carol, '/join #release');
    await ada.waitFor(/2 users/);
    await say(carol, 'draft notes: https://git.example.com/chat/wiki/0.4');
    await ada.waitFor(/wiki\/0\.4/);
    clock.advance(1.5);

    step('a DM from bob');
    await say(bob, '/msg ada pair on the redis failover at 3?');
    await ada.waitFor(/@bob/);
    clock.advance(1.2);
    await say(ada, '/msg bob', clock);
    await ada.waitFor(/failover at 3/);
    clock.advance(1);
    await say(ada, 'sure, 3pm works. I will bring the test plan', clock);
    await bob.waitFor(/test plan/);
    clock.advance(1.2);
    await still('tui-dm.svg', ada, 'chat tui: a direct message');

    step('the help');
    await say(ada, '/help', clock);
    await ada.waitFor(/Esc closes this help/);
    clock.advance(3);
    await still('tui-help.svg', ada, 'chat tui: /help');
    ada.keys('\u001b');
    await ada.waitFor(/^(?![\s\S]*Esc closes this help)/);

    step('back to #general');
    clock.advance(0.5);
    ada.keys('\u001b1');
    await ada.waitFor(/#general │ 0\.4 ships Friday/);
    clock.advance(2.5);
    await still('tui.svg', ada, 'chat tui: #general');
    const scene = ada.markScene();

    step('the dashboard');
    await server.waitFor(/connections 3/);
    await still('dashboard.svg', server, 'chat serve --dashboard');

    step('quitting');
    // ada's /quit is recorded too: a replay (asciinema play) ends with the
    // terminal as chat leaves it; the animation ends on the scene before.
    clock.advance(1);
    await Promise.all(
      [ada, bob, carol].map((person) => say(person, '/quit', person === ada ? clock : undefined)),
    );
    await Promise.all([ada.exit(), bob.exit(), carol.exit()]);
    server.keys('q');
    await server.waitFor(/Shut the server down/);
    server.keys('y');
    await server.exit();

    step(`writing ${out}`);
    const header = { version: 2, width: COLUMNS, height: ROWS, title: 'chat tui' } as const;
    const cast = formatCast({ ...header, env: { TERM: 'xterm-256color' } }, ada.events);
    await writeFile(join(out, 'demo.cast'), cast);
    const frames = await castFrames(COLUMNS, ROWS, ada.events.slice(0, scene), DARK_THEME);
    pictures['demo.svg'] = castSvg(frames, 'chat tui', DARK_THEME);
    for (const [file, svg] of Object.entries(pictures)) await writeFile(join(out, file), svg);
    step(`done: ${['demo.cast', ...Object.keys(pictures)].join(' ')}`);
  } finally {
    await cleanUp(started, home);
  }
}

main().catch((error: unknown) => {
  if (stoppedBy !== undefined) return;
  process.stderr.write(`screenshots: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
