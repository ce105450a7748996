import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import type { ClientState, PasswordRequest } from '../../src/net/client-types.ts';
import type { ServerFrame, ServerFrameOf } from '../../src/net/protocol/frames.ts';
import type { ServerConfig } from '../../src/server/server-config.ts';
import { usersPath, writeUsers } from '../../src/server/users-file.ts';
import { PasswordPrompter } from '../../src/ui/tui/password-prompter.ts';
import {
  client,
  collect,
  makeTeam,
  nextEvent,
  passwordLogin,
  rawConnection,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';
import { tempDir } from '../helpers/pki.ts';
import { usersTable } from '../helpers/users.ts';

/**
 * `chat serve --require-password` (issue 6, part 2) over real TLS on
 * loopback: the auth exchange, what is refused around it, the delay and the
 * lock-out, the users file read again when it changes, and logs that never
 * hold a password.
 */

const TEST = { timeout: 20_000 };
/** Wait before a wrong password is answered, in ms: short, so five failures stay quick. */
const FAIL_DELAY_MS = 60;
const PASSWORDS = { alice: 'pw-alice-Qx7!', bob: 'pw-bob-Zr2?' };
const WRONG = 'guess-Wv9#';

type ErrorFrame = ServerFrameOf<'error'>;

function line(frame: object): string {
  return `${JSON.stringify(frame)}\n`;
}

const HELLO = line({ type: 'hello', v: 1, client: 'test/1' });

describe('a server that requires passwords', () => {
  let team: Team;
  let data: { path: string; cleanup: () => Promise<void> };
  const servers: Started[] = [];

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
    data = await tempDir();
    await writeUsers(data.path, await usersTable(PASSWORDS));
  });
  after(async () => {
    for (const started of servers) await started.server.close();
    // Every password this file uses, right or wrong, is absent from every log record.
    const logs = JSON.stringify(servers.flatMap((s) => s.logs));
    for (const secret of [...Object.values(PASSWORDS), WRONG, 'pw-new-Kk4%', 'too-late-Pp1']) {
      assert.ok(!logs.includes(secret), `the log holds the password ${secret}`);
    }
    await data.cleanup();
    await team.dir.cleanup();
  });

  /** A fresh server (its own lock-out counts) over the shared users file. */
  async function serve(overrides: Partial<ServerConfig> = {}): Promise<Started> {
    const started = await startServer(team, {
      requirePassword: true,
      dataDir: data.path,
      authFailDelayMs: FAIL_DELAY_MS,
      ...overrides,
    });
    servers.push(started);
    return started;
  }

  /** hello, then the password when asked: the answer (welcome or error) and whether it closed. */
  const login = (started: Started, user: string, password: string) =>
    passwordLogin(team, started, user, password);

  it('asks for the password after hello, and welcomes the right one', TEST, async () => {
    const started = await serve();
    const { raw, answer } = await login(started, 'alice', PASSWORDS.alice);
    assert.equal(answer.type, 'welcome');
    assert.equal((answer as ServerFrameOf<'welcome'>).user, 'alice');
    raw.socket.write(line({ type: 'ping', ref: 'p1' }));
    assert.deepEqual(await raw.nextFrame('pong'), { type: 'pong', ref: 'p1' });
    raw.socket.end();
    await raw.closed;
    assert.ok(started.logs.some((r) => r.msg === 'password accepted' && r.user === 'alice'));
  });

  it('answers a wrong password with auth_failed after the delay, then closes', TEST, async () => {
    const started = await serve();
    const { raw, answer, tookMs } = await login(started, 'alice', WRONG);
    assert.deepEqual(answer, {
      type: 'error',
      code: 'auth_failed',
      message: 'wrong password for alice',
      fatal: true,
    });
    assert.ok((tookMs ?? 0) >= FAIL_DELAY_MS, `answered after ${tookMs} ms`);
    await raw.closed;
    const logged = started.logs.find((r) => r.msg === 'wrong password');
    assert.equal(logged?.user, 'alice');
    assert.equal(logged?.failures, 1);
  });

  it('treats a user without a password like a wrong one', TEST, async () => {
    const started = await serve();
    const { raw, answer } = await login(started, 'carol', WRONG);
    assert.equal((answer as ErrorFrame).code, 'auth_failed');
    await raw.closed;
    const logged = started.logs.find((r) => r.msg === 'wrong password');
    assert.equal(logged?.reason, 'no password set for this user');
  });

  it('refuses any other frame before the password, and auth before hello', TEST, async () => {
    const started = await serve();
    const early = await rawConnection(started, await team.credentials('alice'));
    early.socket.write(HELLO);
    assert.equal((await early.nextFrame()).type, 'auth');
    early.socket.write(line({ type: 'send', room: '#general', text: 'sneaky', ref: 'r1' }));
    assert.deepEqual(await early.nextFrame(), {
      type: 'error',
      code: 'auth_required',
      message: 'send your password (auth) first',
      fatal: true,
    });
    await early.closed;

    const first = await rawConnection(started, await team.credentials('alice'));
    first.socket.write(line({ type: 'auth', password: PASSWORDS.alice }));
    const refused = (await first.nextFrame()) as ErrorFrame;
    assert.equal(refused.code, 'hello_required');
    assert.equal(refused.fatal, true);
    await first.closed;
  });

  it('refuses frames that follow the auth before the answer', TEST, async () => {
    const started = await serve();
    const raw = await rawConnection(started, await team.credentials('alice'));
    raw.socket.write(HELLO);
    await raw.nextFrame('auth');
    raw.socket.write(line({ type: 'auth', password: PASSWORDS.alice }) + line({ type: 'back' }));
    const refused = (await raw.nextFrame()) as ErrorFrame;
    assert.equal(refused.code, 'auth_required');
    assert.match(refused.message, /wait for welcome/);
    await raw.closed;
    assert.ok(!raw.frames.some((f) => f.type === 'welcome'));
  });

  it('takes a malformed auth as an invalid line, then the right password', TEST, async () => {
    const started = await serve();
    const raw = await rawConnection(started, await team.credentials('bob'));
    raw.socket.write(HELLO);
    await raw.nextFrame('auth');
    raw.socket.write(line({ type: 'auth', password: '' }));
    const empty = (await raw.nextFrame()) as ErrorFrame;
    assert.equal(empty.code, 'invalid_frame');
    assert.equal(empty.fatal, undefined);
    raw.socket.write(line({ type: 'auth', password: 'x'.repeat(1025) }));
    assert.match(((await raw.nextFrame()) as ErrorFrame).message, /at most 1024 bytes/);
    raw.socket.write(line({ type: 'auth', password: PASSWORDS.bob }));
    assert.equal((await raw.nextFrame()).type, 'welcome');
    raw.socket.end();
    await raw.closed;
  });

  it('refuses a second auth after welcome, without closing', TEST, async () => {
    const started = await serve();
    const { raw, answer } = await login(started, 'alice', PASSWORDS.alice);
    assert.equal(answer.type, 'welcome');
    raw.socket.write(line({ type: 'auth', password: PASSWORDS.alice }));
    assert.deepEqual(await raw.nextFrame('error'), {
      type: 'error',
      code: 'invalid_frame',
      message: 'auth is taken only when the server asks for it',
    });
    raw.socket.write(line({ type: 'ping', ref: 'p2' }));
    assert.equal((await raw.nextFrame('pong')).type, 'pong');
    raw.socket.end();
    await raw.closed;
  });

  it('closes with auth_timeout when no password comes in time', TEST, async () => {
    const started = await serve({ authTimeoutMs: 150 });
    const raw = await rawConnection(started, await team.credentials('alice'));
    raw.socket.write(HELLO);
    await raw.nextFrame('auth');
    const timedOut = (await raw.nextFrame('error')) as ErrorFrame;
    assert.equal(timedOut.code, 'auth_timeout');
    assert.equal(timedOut.fatal, true);
    await raw.closed;
  });

  it('locks the address out after 5 wrong passwords, even for the right one', TEST, async () => {
    const started = await serve();
    for (let i = 1; i <= 5; i++) {
      const { raw, answer } = await login(started, 'alice', WRONG);
      const error = answer as ErrorFrame;
      assert.equal(error.code, 'auth_failed');
      if (i < 5) assert.equal(error.message, 'wrong password for alice');
      else
        assert.match(
          error.message,
          /too many wrong passwords from 127\.0\.0\.1: try again in 5 min$/,
        );
      await raw.closed;
    }
    // Refused right after the handshake, before any hello, whoever asks.
    const next = await rawConnection(started, await team.credentials('bob'));
    const refused = (await next.nextFrame()) as ErrorFrame;
    assert.equal(refused.code, 'auth_locked');
    assert.equal(refused.fatal, true);
    assert.match(
      refused.message,
      /^too many wrong passwords from 127\.0\.0\.1: try again in \d+ (s|min)$/,
    );
    await next.closed;

    const right = await client(team, started, 'alice', { password: () => PASSWORDS.alice });
    const states = collect<ClientState>(right, 'state');
    await assert.rejects(right.connect(), (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.equal(error.code, 'AUTH_LOCKED');
      assert.match(error.message, /^server: too many wrong passwords/);
      return true;
    });
    assert.ok(!states.includes('reconnecting'), 'a lock-out is not retried');
    await right.close();
    assert.ok(started.logs.some((r) => r.msg === 'too many wrong passwords: address locked out'));
  });

  it('counts failures across connections until a right password resets them', TEST, async () => {
    const started = await serve();
    for (let i = 0; i < 4; i++) await (await login(started, 'alice', WRONG)).raw.closed;
    const good = await login(started, 'alice', PASSWORDS.alice);
    assert.equal(good.answer.type, 'welcome');
    good.raw.socket.end();
    await good.raw.closed;
    for (let i = 0; i < 4; i++) {
      const { raw, answer } = await login(started, 'alice', WRONG);
      assert.equal((answer as ErrorFrame).message, 'wrong password for alice');
      await raw.closed;
    }
    const still = await login(started, 'bob', PASSWORDS.bob);
    assert.equal(still.answer.type, 'welcome', 'not locked out: the count started again');
    still.raw.socket.end();
    await still.raw.closed;
  });

  it('lets ChatClient ask once and send the same password again on reconnect', TEST, async () => {
    const started = await serve();
    const asked: PasswordRequest[] = [];
    const alice = await client(team, started, 'alice', {
      password: async (request) => {
        asked.push(request);
        return PASSWORDS.alice;
      },
    });
    try {
      const welcome = await alice.connect();
      assert.equal(welcome.user, 'alice');
      assert.deepEqual(asked, [{ user: 'alice', host: 'localhost', port: started.port }]);
      const back = new Promise<void>((resolve) => {
        alice.on('state', (state) => {
          if (state === 'connected') resolve();
        });
      });
      alice.reconnectNow();
      await back;
      assert.equal(asked.length, 1, 'the reconnect did not ask again');
      const ack = await alice.send('#general', 'in');
      assert.ok(ack.id >= 1);
    } finally {
      await alice.close();
    }
  });

  it('waits for a password as long as it takes, past the connect timeout', TEST, async () => {
    const started = await serve();
    const alice = await client(team, started, 'alice', {
      connectTimeoutMs: 100,
      password: () => new Promise((resolve) => setTimeout(() => resolve(PASSWORDS.alice), 300)),
    });
    try {
      assert.equal((await alice.connect()).user, 'alice');
    } finally {
      await alice.close();
    }
  });

  it('keeps one question open across an auth_timeout and its reconnect', TEST, async () => {
    const started = await serve({ authTimeoutMs: 100 });
    const prompter = new PasswordPrompter();
    const alice = await client(team, started, 'alice', { password: prompter.ask });
    try {
      const connected = alice.connect();
      const retried = await nextEvent<[ClientState, { error?: ChatError }]>(
        alice,
        'state',
        (state, detail) => state === 'reconnecting' && detail.error !== undefined,
      );
      assert.equal(retried[1].error?.message, 'server: no password in time');
      assert.deepEqual(prompter.current(), {
        user: 'alice',
        host: 'localhost',
        port: started.port,
      });
      prompter.answer(PASSWORDS.alice);
      assert.equal((await connected).user, 'alice');
    } finally {
      await alice.close();
    }
  });

  it('makes a wrong password final for ChatClient: no reconnect loop', TEST, async () => {
    const started = await serve();
    let asked = 0;
    const alice = await client(team, started, 'alice', {
      password: () => {
        asked += 1;
        return WRONG;
      },
    });
    const states = collect<ClientState>(alice, 'state');
    await assert.rejects(alice.connect(), (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.equal(error.code, 'AUTH_FAILED');
      assert.equal(error.message, 'server: wrong password for alice');
      assert.match(error.hint ?? '', /chat users passwd/);
      return true;
    });
    assert.equal(alice.state, 'offline');
    assert.ok(!states.includes('reconnecting'));
    assert.equal(asked, 1);
    await alice.close();
  });

  it('fails clearly when the server asks and the client has no password', TEST, async () => {
    const started = await serve();
    const alice = await client(team, started, 'alice');
    await assert.rejects(alice.connect(), (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.equal(error.code, 'PASSWORD_REQUIRED');
      assert.match(error.message, /asks for alice's password/);
      return true;
    });
    assert.equal(alice.state, 'offline');
    await alice.close();
  });

  it('reads the users file again when it changes', TEST, async () => {
    const started = await serve();
    const other = await tempDir();
    try {
      await writeUsers(other.path, await usersTable({ alice: 'pw-new-Kk4%' }));
      const second = await serve({ dataDir: other.path });
      const first = await login(second, 'alice', 'pw-new-Kk4%');
      assert.equal(first.answer.type, 'welcome');
      await writeUsers(other.path, await usersTable({ bob: PASSWORDS.bob }));
      const gone = await login(second, 'alice', 'pw-new-Kk4%');
      assert.equal((gone.answer as ErrorFrame).code, 'auth_failed', 'alice was removed');
      const added = await login(second, 'bob', PASSWORDS.bob);
      assert.equal(added.answer.type, 'welcome', 'bob was added');
      assert.ok(second.logs.some((r) => r.msg === 'users file reloaded' && r.users === 1));
      // A garbled file is not taken: the passwords read before stay in force.
      await writeFile(usersPath(other.path), 'garbage');
      const kept = await login(second, 'bob', PASSWORDS.bob);
      assert.equal(kept.answer.type, 'welcome');
      assert.ok(second.logs.some((r) => String(r.msg).startsWith('users file not reloaded')));
      for (const { raw } of [first, gone, added, kept]) {
        raw.socket.end();
        await raw.closed;
      }
    } finally {
      await other.cleanup();
    }
    assert.ok(started.logs.every((r) => r.msg !== 'users file reloaded'));
  });

  it('refuses to start without a users file, or with a garbled one', TEST, async () => {
    const empty = await tempDir();
    try {
      await assert.rejects(
        startServer(team, { requirePassword: true, dataDir: empty.path }),
        (error: unknown) => {
          assert.ok(error instanceof ChatError);
          assert.equal(error.code, 'FILE_UNREADABLE');
          assert.match(error.message, /users\.json does not exist/);
          assert.match(error.hint ?? '', /chat users add/);
          return true;
        },
      );
      await writeFile(join(empty.path, 'users.json'), '{"version":1,"users":{"al":{}}}');
      await assert.rejects(
        startServer(team, { requirePassword: true, dataDir: empty.path }),
        /is not a valid users file: the entry of al is not/,
      );
    } finally {
      await empty.cleanup();
    }
  });
});

describe('a server that does not require passwords', () => {
  it('welcomes at hello and refuses an auth frame as invalid', TEST, async () => {
    const team = await makeTeam(['alice']);
    const started = await startServer(team);
    try {
      const raw = await rawConnection(started, await team.credentials('alice'));
      raw.socket.write(HELLO);
      assert.equal((await raw.nextFrame()).type, 'welcome');
      raw.socket.write(line({ type: 'auth', password: 'whatever-Tt5' }));
      const refused = (await raw.nextFrame('error')) as ErrorFrame;
      assert.equal(refused.code, 'invalid_frame');
      assert.equal(refused.fatal, undefined);
      raw.socket.end();
      await raw.closed;
      // A client with a password option is never asked.
      let asked = false;
      const alice = await client(team, started, 'alice', {
        password: () => {
          asked = true;
          return 'x';
        },
      });
      await alice.connect();
      assert.equal(asked, false);
      await alice.close();
      const frames: ServerFrame[] = raw.frames;
      assert.ok(!frames.some((f) => f.type === 'auth'));
    } finally {
      await started.server.close();
      await team.dir.cleanup();
    }
  });
});
