import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runChat, startChat, startServe, stop } from '../helpers/cli.ts';
import { type InstalledChat, installPackedChat } from '../helpers/installed-package.ts';
import { snapshot } from '../helpers/pki.ts';
import { shellWord, TmuxTerminal } from '../helpers/tmux.ts';

const exec = promisify(execFile);
const README = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
const VERSION = (
  JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** All a package needs to run: the launcher, the bundle, the manifest; the docs to read, and their pictures. */
const SHIPPABLE =
  /^(bin\/chat\.js|dist\/[\w-]+\.js|docs\/[\w-]+\.md|docs\/img\/[\w-]+\.svg|package\.json|README\.md)$/;

describe('chat packed by npm pack and installed by npm i -g', () => {
  // Packed and installed once (a few seconds); each test runs what it needs from it.
  let chat: InstalledChat;
  before(async () => {
    chat = await installPackedChat();
    await exec('chmod', ['-R', 'a-w', chat.packageDir]);
  });
  after(async () => {
    if (!chat) return;
    await exec('chmod', ['-R', 'u+w', chat.packageDir]);
    await chat.cleanup();
  });

  it('ships the launcher, the built dist/ and the docs: no sources, tests, benches or CI', () => {
    for (const path of ['bin/chat.js', 'dist/cli.js', 'dist/dashboard-worker.js', 'package.json']) {
      assert.ok(chat.tarball.includes(path), `${path} is missing from ${chat.tarball.join(' ')}`);
    }
    const development = chat.tarball.filter((p) =>
      /^(src|test|bench|scripts|patches|\.ci|node_modules)\/|^\./.test(p),
    );
    assert.deepEqual(development, []);
    assert.deepEqual(
      chat.tarball.filter((p) => !SHIPPABLE.test(p)),
      [],
    );
    // The README's links to docs/ work in the installed package too.
    for (const [, link] of README.matchAll(/\]\((docs\/[^)#]+)/g)) {
      assert.ok(chat.tarball.includes(link ?? ''), `README links to ${link}, not in the tarball`);
    }
  });

  it('installs nothing but itself and has no install script', async () => {
    // npm lists a package's install scripts (even a `prepare` it never runs for a tarball).
    assert.doesNotMatch(chat.npmOutput, /install.scripts/i);
    const manifest = JSON.parse(await readFile(join(chat.packageDir, 'package.json'), 'utf8')) as {
      dependencies?: object;
      optionalDependencies?: object;
      peerDependencies?: object;
      scripts?: Record<string, string>;
    };
    assert.equal(manifest.dependencies, undefined);
    assert.equal(manifest.optionalDependencies, undefined);
    assert.equal(manifest.peerDependencies, undefined);
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) {
      assert.equal(manifest.scripts?.[hook], undefined, hook);
    }
    assert.deepEqual((await readdir(chat.packageDir)).sort(), [
      'README.md',
      'bin',
      'dist',
      'docs',
      'package.json',
    ]);
    // Nothing to load a package from: npm's global folder holds chat alone, and
    // no node_modules lies above it.
    const globalModules = dirname(chat.packageDir);
    assert.deepEqual(await readdir(globalModules), ['chat']);
    for (let dir = dirname(dirname(globalModules)); ; dir = dirname(dir)) {
      assert.ok(!(await readdir(dir)).includes('node_modules'), `${dir}/node_modules exists`);
      if (dir === dirname(dir)) break;
    }
  });

  it('runs from PATH in an unrelated folder, never writing into its own folder', async () => {
    const home = join(chat.dir, 'home');
    const elsewhere = join(chat.dir, 'elsewhere');
    await mkdir(home);
    await mkdir(elsewhere);
    const env = chat.env(home);
    const certs = join(elsewhere, 'team-certs');
    const data = join(elsewhere, 'team-data');
    const installed = await snapshot(chat.packageDir);

    // The command npm linked, through its shebang, found on PATH.
    const version = await exec('chat', ['--version'], { cwd: elsewhere, env });
    assert.equal(version.stdout.trim(), VERSION);

    const run = (args: string[]) => runChat(args, { cwd: elsewhere, env, bin: chat.bin });
    const made = await run(['certs', '--dir', certs, '--user', 'ada']);
    assert.equal(made.code, 0, made.stderr);
    const server = await startServe(['--certs', certs, '--data', data], elsewhere, env, chat.bin);
    try {
      const sent = await run([
        'send',
        '--certs',
        certs,
        '--user',
        'ada',
        '--port',
        String(server.port),
        'hello from the tarball',
      ]);
      assert.equal(sent.code, 0, sent.stderr);
    } finally {
      assert.equal(await stop(server.child), 0);
    }
    const kept = await run([
      'history',
      'export',
      '--room',
      'general',
      '--certs',
      certs,
      '--data',
      data,
    ]);
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stdout, /"text":"hello from the tarball"/);
    assert.deepEqual(await snapshot(chat.packageDir), installed);
  });

  it('brings carol in on another machine with one invite: send, tail and the TUI, all installed', {
    timeout: 90_000,
  }, async () => {
    // Two machines: a home each, with XDG folders; the team lives in profiles there.
    const machine = async (name: string) => {
      const home = join(chat.dir, name);
      await mkdir(home);
      const env: NodeJS.ProcessEnv = {
        ...chat.env(home),
        XDG_CONFIG_HOME: join(home, '.config'),
        XDG_DATA_HOME: join(home, '.local', 'share'),
        CHAT_CERTS_DIR: '',
        CHAT_DATA: '',
        P: 'correct horse battery staple',
      };
      return { home, env };
    };
    const alice = await machine('alice-machine');
    const carol = await machine('carol-machine');
    const elsewhere = join(chat.dir, 'unrelated');
    await mkdir(elsewhere);
    const on = (who: { env: NodeJS.ProcessEnv }, args: string[]) =>
      runChat(args, { cwd: elsewhere, env: who.env, bin: chat.bin });

    const made = await on(alice, ['certs', '--user', 'alice']);
    assert.equal(made.code, 0, made.stderr);
    const server = await startServe([], elsewhere, alice.env, chat.bin);
    const invite = join(elsewhere, 'carol.chat-invite');
    let tail: ReturnType<typeof startChat> | undefined;
    let tui: TmuxTerminal | undefined;
    try {
      const invited = await on(alice, [
        'invite',
        'carol',
        '--server',
        `127.0.0.1:${server.port}`,
        '--passphrase-env',
        'P',
        '--out',
        invite,
      ]);
      assert.equal(invited.code, 0, invited.stderr);
      const joined = await on(carol, ['join', invite, '--passphrase-env', 'P']);
      assert.equal(joined.code, 0, joined.stderr);
      assert.match(
        joined.stdout,
        new RegExp(`connected to 127\\.0\\.0\\.1:${server.port} as carol`),
      );

      // Alice's own profile knows no server address: her server listens on a
      // port of the test's. Started once carol has joined: in two loaded
      // full runs a tail started beside `chat invite` was gone before it
      // connected (cause not found; see the closing note of issue 17).
      // With history: "connection open" is logged before the tail's hello is
      // taken, so carol's send may land before the tail is in #general.
      tail = startChat(
        ['tail', '--port', String(server.port), '--history', '20'],
        elsewhere,
        alice.env,
        chat.bin,
      );
      // A tail that exits fails this wait with what it said, instead of hanging.
      await Promise.race([
        server.waitFor('stderr', /"user":"alice".*"msg":"connection open"/),
        tail.waitFor('stderr', /(?!)/),
      ]);

      // From here on carol types no flag: her profile knows the server and her name.
      const sent = await on(carol, ['send', 'hello from carol']);
      assert.equal(sent.code, 0, sent.stderr);
      assert.match(await tail.waitFor('stdout', /hello from carol/), /<carol> hello from carol$/);

      const words = Object.entries(carol.env)
        .filter(([name]) => /^(HOME|PATH|XDG_\w+|CHAT_\w+)$/.test(name))
        .map(([name, value]) => `${name}=${shellWord(value ?? '')}`)
        .join(' ');
      tui = await TmuxTerminal.start(
        'chat-package-tui',
        elsewhere,
        `env -i ${words} TERM=xterm-256color CI=false chat tui`,
      );
      await tui.waitFor(/connected/);
      await tui.type('typed in the installed tui');
      assert.match(
        await tail.waitFor('stdout', /typed in the installed tui/),
        /<carol> typed in the installed tui$/,
      );
      await tui.type('/quit');
      await tui.waitFor(/\[exited 0\]/);
    } finally {
      await tui?.stop();
      if (tail) await stop(tail.child);
      assert.equal(await stop(server.child), 0);
    }
  });
});
