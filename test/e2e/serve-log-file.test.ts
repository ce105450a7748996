import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { builtCopy } from '../helpers/built-copy.ts';
import { CHAT_BIN, chatEnvWords, runChat, startChat, stop, teamMadeByCli } from '../helpers/cli.ts';
import { assertServedFrom, credentialsIn } from '../helpers/hostile.ts';

const exec = promisify(execFile);

/** `chat serve` started under umask 000: every file it creates would be 0666 unless it says otherwise. */
function serveWithOpenUmask(args: string[], cwd: string) {
  // The child takes the umask at fork; the test's own is back at once.
  const previous = process.umask(0o000);
  try {
    return startChat(['serve', '--port', '0', ...args], cwd);
  } finally {
    process.umask(previous);
  }
}

/** The umask of a running process, from /proc (Linux), e.g. '0000'; undefined elsewhere. */
async function umaskOf(pid: number | undefined): Promise<string | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  return status === undefined ? undefined : /^Umask:\s+(\d+)$/m.exec(status)?.[1];
}

/**
 * Resolves once `file` holds the server's "listening" record, polling (a file
 * write has no event to await here); bounded.
 */
async function listeningIn(file: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await readFile(file, 'utf8').catch(() => '')).includes('"msg":"listening"')) {
    if (Date.now() > deadline) assert.fail(`no "listening" record in ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const modeOf = async (file: string) => ((await stat(file)).mode & 0o777).toString(8);

describe('chat serve --log-file is private whatever the umask', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    dir = await teamMadeByCli();
  });
  after(() => dir.cleanup());

  it('creates a new log file 0600 under umask 000', async () => {
    const file = join(dir.path, 'logs', 'new.log');
    const server = serveWithOpenUmask(['--log-file', 'logs/new.log', '--data', 'd1'], dir.path);
    try {
      const umask = await umaskOf(server.child.pid);
      if (umask !== undefined) assert.equal(umask, '0000', 'the server really ran under umask 000');
      await listeningIn(file);
      assert.equal(await modeOf(file), '600');
      const { port } = JSON.parse(
        (await readFile(file, 'utf8')).split('\n').find((l) => l.includes('"listening"')) ?? '{}',
      ) as { port: number };
      const ada = await credentialsIn(join(dir.path, 'certs'), 'ada');
      await assertServedFrom(port, ada, ada);
    } finally {
      assert.equal(await stop(server.child), 0);
    }
    assert.deepEqual(server.lines.stderr, [], 'nothing to say about a file it made');
  });

  it('tightens an existing log file that others could read, says so once, keeps its lines', async () => {
    const file = join(dir.path, 'open.log');
    await writeFile(file, '{"msg":"from before"}\n');
    await chmod(file, 0o666);
    const server = serveWithOpenUmask(['--log-file', 'open.log', '--data', 'd2'], dir.path);
    try {
      const said = await server.waitFor('stderr', /log file/);
      assert.equal(
        said,
        'chat serve: the log file open.log was mode 666, more open than 600: it is now 600',
      );
      await listeningIn(file);
      assert.equal(await modeOf(file), '600');
      assert.match(await readFile(file, 'utf8'), /^\{"msg":"from before"\}\n\{/);
    } finally {
      assert.equal(await stop(server.child), 0);
    }
    assert.equal(server.lines.stderr.length, 1, server.lines.stderr.join('\n'));
  });

  it('refuses, in one line with the fix, a log file more open than 0600 that it cannot tighten', {
    skip: process.getuid?.() !== 0 && 'only root can hand a file to another user',
  }, async () => {
    // Owned by root, writable by all, and the server runs as nobody: open works, fchmod cannot.
    const file = join(dir.path, 'shared.log');
    await writeFile(file, '');
    await chmod(file, 0o666);
    await chmod(dir.path, 0o755);
    // nobody may not read this checkout (a clone under a 0700 folder): it runs a copy of dist/.
    const copy = await builtCopy();
    const result = await runChat(['serve', '--port', '0', '--log-file', file], {
      cwd: dir.path,
      uid: 65534,
      gid: 65534,
      env: { HOME: dir.path },
      bin: copy.bin,
    }).finally(() => copy.cleanup());
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.match(
      result.stderr,
      /^chat: the log file .*shared\.log is mode 666, more open than 600, and could not be made 600 \(EPERM\) — `chmod 600 .*shared\.log` as its owner, or choose another path with --log-file\n$/,
    );
    assert.equal(await modeOf(file), '666', 'nothing changed');
  });

  it('makes the dashboard default log file (chat-serve.log) 0600 under umask 000', async () => {
    const session = 'chat-e2e-log-mode';
    const file = join(dir.path, 'chat-serve.log');
    const command = [process.execPath, CHAT_BIN, 'serve', '--dashboard', '--port', '0']
      .concat(['--data', 'd3'])
      .map((a) => `'${a}'`)
      .join(' ');
    await exec('tmux', ['kill-session', '-t', session]).catch(() => {});
    await exec('tmux', [
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '120',
      '-y',
      '35',
      '-c',
      dir.path,
      `umask 000; env CI=false ${chatEnvWords(dir.path)} ${command}; sleep 60`,
    ]);
    try {
      await listeningIn(file);
      assert.equal(await modeOf(file), '600');
    } finally {
      await exec('tmux', ['kill-session', '-t', session]).catch(() => {});
    }
  });
});
