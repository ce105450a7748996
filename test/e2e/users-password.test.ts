import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CHAT_BIN,
  type CliResult,
  chatEnv,
  runChat,
  type Serving,
  startServe,
  stop,
} from '../helpers/cli.ts';
import { tempDir } from '../helpers/pki.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

/**
 * `chat users` and `chat serve --require-password` as an admin and a script
 * run them: the real CLI as child processes, passwords on stdin and in the
 * environment, never on the command line.
 */

const TEST = { timeout: 30_000 };
const FIRST = 'pw-ada-Hh3 with spaces';
const SECOND = 'pw-ada-Jj8';
const WRONG = 'pw-guess-Mm1';

/** Runs `chat ARGS` with `input` on its stdin (a pipe, not a terminal). */
function runWithInput(
  args: string[],
  cwd: string,
  input: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHAT_BIN, ...args], {
      cwd,
      env: chatEnv(cwd, env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.stdin.on('error', () => {}); // a command that fails early may not read it
    child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One line on stderr, `chat: ` and the text, and nothing on stdout. */
function oneLine(result: CliResult, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^chat: [^\n]+\n$/);
  assert.match(result.stderr, pattern);
}

describe('chat users', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  const users = () => join(dir.path, 'data', 'users.json');

  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await dir.cleanup();
  });

  it('adds a user from stdin: 0700 directory, 0600 file, a hash, no password', TEST, async () => {
    const added = await runWithInput(
      ['users', 'add', 'ada', '--password-stdin'],
      dir.path,
      `${FIRST}\n`,
    );
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, 'added ada: their password is set in data/users.json\n');
    assert.equal((await stat(join(dir.path, 'data'))).mode & 0o777, 0o700);
    assert.equal((await stat(users())).mode & 0o777, 0o600);
    const text = await readFile(users(), 'utf8');
    assert.ok(!text.includes(FIRST) && !text.includes('Hh3'), 'no plaintext in the file');
    assert.match(text, /"ada": \{\s+"hash": "scrypt\$16384\$8\$1\$[^"]+"/);
  });

  it('refuses to add a user twice, pointing at passwd', TEST, async () => {
    const again = await runWithInput(['users', 'add', 'ada', '--password-stdin'], dir.path, 'x\n');
    oneLine(again, 1, /ada already has a password in data\/users\.json — .*chat users passwd ada/);
  });

  it(
    'refuses empty and huge passwords, bad names, and a pipe without --password-stdin',
    TEST,
    async () => {
      const before = await readFile(users(), 'utf8');
      oneLine(
        await runWithInput(['users', 'add', 'bob', '--password-stdin'], dir.path, '\n'),
        1,
        /the password is empty: nothing was changed/,
      );
      oneLine(
        await runWithInput(['users', 'add', 'bob', '--password-stdin'], dir.path, 'é'.repeat(513)),
        1,
        /the password is longer than 1024 bytes/,
      );
      oneLine(
        await runWithInput(['users', 'add', 'Bob.Smith', '--password-stdin'], dir.path, 'x\n'),
        1,
        /invalid user name "Bob\.Smith"/,
      );
      oneLine(
        await runWithInput(['users', 'add', 'bob'], dir.path, 'x\n'),
        2,
        /stdin is not a terminal.* — pipe it in with --password-stdin/,
      );
      assert.equal(await readFile(users(), 'utf8'), before, 'nothing changed');
    },
  );

  it('changes a password with passwd, and refuses an unknown user', TEST, async () => {
    const old = await readFile(users(), 'utf8');
    const changed = await runWithInput(
      ['users', 'passwd', 'ada', '--password-stdin'],
      dir.path,
      `${SECOND}\r\n`,
    );
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /^changed the password of ada/);
    const now = await readFile(users(), 'utf8');
    assert.notEqual(now, old);
    assert.ok(!now.includes(SECOND));
    assert.equal((await stat(users())).mode & 0o777, 0o600);
    oneLine(
      await runWithInput(['users', 'passwd', 'nobody', '--password-stdin'], dir.path, 'x\n'),
      1,
      /nobody has no password in data\/users\.json — set one with `chat users add nobody`/,
    );
  });

  it('lists names and dates, never hashes; removes a user', TEST, async () => {
    const added = await runWithInput(['users', 'add', 'bob', '--password-stdin'], dir.path, 'b\n');
    assert.equal(added.code, 0, added.stderr);
    const list = await runChat(['users', 'list'], { cwd: dir.path });
    assert.equal(list.code, 0, list.stderr);
    const rows = list.stdout.trimEnd().split('\n');
    assert.match(rows[0] ?? '', /^USER +ADDED +CHANGED$/);
    assert.match(
      rows[1] ?? '',
      /^ada +\d{4}-\d\d-\d\d \d\d:\d\d UTC +\d{4}-\d\d-\d\d \d\d:\d\d UTC$/,
    );
    assert.match(rows[2] ?? '', /^bob /);
    assert.ok(!list.stdout.includes('scrypt'));
    const json = await runChat(['users', 'list', '--json'], { cwd: dir.path });
    const objects = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      objects.map((o) => Object.keys(o).sort()),
      [
        ['changed', 'created', 'user'],
        ['changed', 'created', 'user'],
      ],
    );
    const removed = await runChat(['users', 'remove', 'bob'], { cwd: dir.path });
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /^removed bob/);
    oneLine(await runChat(['users', 'remove', 'bob'], { cwd: dir.path }), 1, /bob has no password/);
    const after = await runChat(['users', 'list', '--data', 'data'], { cwd: dir.path });
    assert.equal(after.stdout.trimEnd().split('\n').length, 2);
  });

  it('says which subcommand to give', TEST, async () => {
    oneLine(await runChat(['users'], { cwd: dir.path }), 2, /add, passwd, remove, list or import/);
  });
});

describe('chat serve --require-password with chat send --password-env', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: Serving;
  let port = 0;

  before(async () => {
    dir = await tempDir();
    const made = await runChat(['certs', '--user', 'ada'], { cwd: dir.path });
    assert.equal(made.code, 0, made.stderr);
    const added = await runWithInput(
      ['users', 'add', 'ada', '--password-stdin'],
      dir.path,
      `${FIRST}\n`,
    );
    assert.equal(added.code, 0, added.stderr);
    server = await startServe(['--require-password'], dir.path);
    assert.equal(server.listening.requirePassword, true);
    port = server.port;
  });
  after(async () => {
    await stop(server.child);
    // Whatever was tried, no password ever reached the server's log.
    const log = server.lines.stderr.join('\n');
    for (const secret of [FIRST, SECOND, WRONG]) assert.ok(!log.includes(secret), secret);
    await dir.cleanup();
  });

  it('sends with the password from the environment, and exits 0 on the ack', TEST, async () => {
    const sent = await runChat(
      ['send', '--port', String(port), '--password-env', 'ADA_PW', 'hello', 'team'],
      { cwd: dir.path, env: { ADA_PW: FIRST } },
    );
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sent.stderr, '');
    assert.match(await server.waitFor('stderr', /"msg":"password accepted"/), /"user":"ada"/);
  });

  it('says in one line to use --password-env when none was given', TEST, async () => {
    oneLine(
      await runChat(['send', '--port', String(port), 'hi'], { cwd: dir.path }),
      1,
      /^chat: the server asks for ada's password — .*--password-env VAR\n$/,
    );
    oneLine(
      await runChat(['send', '--port', String(port), '--password-env', 'NOT_SET_PW', 'hi'], {
        cwd: dir.path,
        env: { NOT_SET_PW: '' },
      }),
      2,
      /^chat: --password-env NOT_SET_PW: the variable NOT_SET_PW is not set/,
    );
  });

  it('fails once with a wrong password, without retrying', TEST, async () => {
    const wrong = await runChat(['tail', '--port', String(port), '--password-env', 'ADA_PW'], {
      cwd: dir.path,
      env: { ADA_PW: WRONG },
    });
    oneLine(wrong, 1, /^chat: server: wrong password for ada — check the password/);
    const attempts = server.lines.stderr.filter((l) => l.includes('"msg":"wrong password"'));
    assert.equal(attempts.length, 1, 'tail gave up at once');
  });

  it('takes a new password from the next login on (chat users passwd)', TEST, async () => {
    const changed = await runWithInput(
      ['users', 'passwd', 'ada', '--password-stdin'],
      dir.path,
      `${SECOND}\n`,
    );
    assert.equal(changed.code, 0, changed.stderr);
    const sent = await runChat(['send', '--port', String(port), '--password-env', 'PW', 'again'], {
      cwd: dir.path,
      env: { PW: SECOND },
    });
    assert.equal(sent.code, 0, sent.stderr);
  });

  it('refuses to start without a users file, also from CHAT_REQUIRE_PASSWORD', TEST, async () => {
    oneLine(
      await runChat(['serve', '--port', '0', '--data', 'elsewhere'], {
        cwd: dir.path,
        env: { CHAT_REQUIRE_PASSWORD: 'true' },
      }),
      1,
      /^chat: --require-password, but elsewhere\/users\.json does not exist — .*chat users add NAME/,
    );
  });
});

describe('chat users --redis with chat serve --redis --require-password', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let redis: TestRedis;
  let server: Serving | undefined;

  before(async () => {
    [dir, redis] = await Promise.all([tempDir(), startRedis()]);
    const made = await runChat(['certs', '--user', 'ada'], { cwd: dir.path });
    assert.equal(made.code, 0, made.stderr);
  });
  after(async () => {
    if (server) await stop(server.child);
    await redis.cleanup();
    await dir.cleanup();
  });

  it('refuses to start without a table in Redis, in one line, and exits', TEST, async () => {
    oneLine(
      await runChat(['serve', '--port', '0', '--redis', redis.url, '--require-password'], {
        cwd: dir.path,
      }),
      1,
      /^chat: --require-password, but Redis at redis:\/\/127\.0\.0\.1:\d+ holds no users table — .*chat users add NAME --redis URL/,
    );
  });

  it('moves users.json into Redis, where the node takes the password from', TEST, async () => {
    const added = await runWithInput(
      ['users', 'add', 'ada', '--password-stdin'],
      dir.path,
      `${FIRST}\n`,
    );
    assert.equal(added.code, 0, added.stderr);
    const moved = await runChat(['users', 'import'], {
      cwd: dir.path,
      env: { CHAT_REDIS: redis.url },
    });
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /^copied 1 user from .*users\.json into Redis at /);
    const changed = await runWithInput(
      ['users', 'passwd', 'ada', '--password-stdin', '--redis', redis.url],
      dir.path,
      `${SECOND}\n`,
    );
    assert.equal(changed.code, 0, changed.stderr);
    server = await startServe(['--redis', redis.url, '--require-password'], dir.path);
    assert.equal(server.listening.requirePassword, true);
    const send = (password: string) =>
      runChat(['send', '--port', String(server?.port), '--password-env', 'ADA_PW', 'hi'], {
        cwd: dir.path,
        env: { ADA_PW: password },
      });
    oneLine(await send(FIRST), 1, /wrong password for ada/);
    assert.equal((await send(SECOND)).code, 0);
  });
});
