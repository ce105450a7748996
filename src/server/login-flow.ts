import type { Logger } from 'pino';
import type { ClientFrame, HelloFrame } from '../net/protocol/frames.ts';
import { type Connection, toWire } from './connection.ts';
import type { ConnectionTable } from './connection-table.ts';
import { LoginGuard } from './login-guard.ts';
import type { PasswordCheck, UsersSource } from './users-book.ts';

/** The settings of `--require-password`, as ServerConfig names them. */
export interface LoginSettings {
  /** Time a client has to send its password once asked, in ms. */
  authTimeoutMs: number;
  /** Wait before a wrong password is answered, in ms. */
  authFailDelayMs: number;
  /** Wrong passwords from one address that lock it out. */
  maxAuthFailures: number;
  /** How long an address stays locked out, in ms. */
  authLockMs: number;
}

/** What a LoginFlow is built from; the clock is injectable for tests. */
export interface LoginFlowDeps {
  settings: LoginSettings;
  /** The passwords: the users file, or the table in Redis. */
  users: UsersSource;
  conns: Pick<ConnectionTable, 'has' | 'fail'>;
  logger: Logger;
  now: () => number;
  /** The password is right: the connection is active and its hello is answered. */
  welcome: (conn: Connection, hello: HelloFrame) => void;
}

/** A connection between its hello and its welcome. */
interface Login {
  hello: HelloFrame;
  /** Its password is being checked: nothing more is read until the answer. */
  checking: boolean;
}

/**
 * The second factor of `--require-password`: after a hello, the server asks
 * for the password of the certificate's user (`auth`), reads one answer,
 * checks it against the users table off the event loop, and answers a wrong
 * one only after a delay; wrong passwords are counted per address, which is
 * locked out after too many.
 */
export class LoginFlow {
  private readonly users: UsersSource;
  private readonly guard: LoginGuard;
  private readonly logins = new WeakMap<Connection, Login>();

  constructor(private readonly deps: LoginFlowDeps) {
    const { settings } = deps;
    this.users = deps.users;
    this.guard = new LoginGuard({
      maxFailures: settings.maxAuthFailures,
      lockMs: settings.authLockMs,
    });
  }

  /** Reads the users table; a missing or garbled one rejects (before the port opens). */
  load(): Promise<void> {
    return this.users.load();
  }

  /** Users with a password. */
  get size(): number {
    return this.users.size;
  }

  /** How long `address` is still locked out, in ms, or undefined when it is not. */
  lockedFor(address: string, now: number): number | undefined {
    return this.guard.lockedFor(address, now);
  }

  /** Whether `conn` has said hello and not been welcomed yet. */
  waiting(conn: Connection): boolean {
    return this.logins.has(conn);
  }

  /**
   * Asks for the password of the certificate's user, with a deadline of its
   * own: a person may be typing it.
   */
  ask(conn: Connection, hello: HelloFrame): void {
    this.logins.set(conn, { hello, checking: false });
    conn.helloTimer = setTimeout(
      () => this.deps.conns.fail(conn, 'auth_timeout', 'no password in time'),
      this.deps.settings.authTimeoutMs,
    );
    conn.helloTimer.unref();
    conn.send(toWire({ type: 'auth', user: conn.user ?? '' }));
  }

  /**
   * Reads the frame of a connection asked for its password. Only one auth
   * frame is read, and nothing else until it is answered. The frame itself
   * is never logged: it holds the password.
   */
  receive(conn: Connection, frame: ClientFrame): void {
    const login = this.logins.get(conn);
    if (!login || login.checking || frame.type !== 'auth') {
      const message = login?.checking
        ? 'wait for welcome: your password is being checked'
        : 'send your password (auth) first';
      this.deps.conns.fail(conn, 'auth_required', message);
      return;
    }
    login.checking = true;
    void this.check(conn, login.hello, frame.password);
  }

  // The check runs on the thread pool (scrypt); a wrong password is answered
  // only after a delay, and counted for the address whether or not the
  // client waits for the answer.
  private async check(conn: Connection, hello: HelloFrame, password: string): Promise<void> {
    const { logger, conns } = this.deps;
    const { address } = conn;
    const user = conn.user ?? '';
    const start = this.guard.begin(address, this.deps.now());
    if (!start.ok) {
      logger.info({ conn: conn.id, address, user }, 'password refused: address locked out');
      conns.fail(
        conn,
        'auth_locked',
        start.why === 'locked'
          ? lockedMessage(address, start.retryInMs)
          : `too many password attempts at once from ${address}: try again in a moment`,
      );
      return;
    }
    let check: PasswordCheck;
    try {
      check = await this.users.verify(user, password);
    } catch (error) {
      // Our fault, not a guess of the client's: not counted.
      this.guard.release(address, this.deps.now());
      logger.error({ conn: conn.id, user, err: (error as Error).message }, 'password check failed');
      conns.fail(conn, 'auth_failed', 'the server could not check your password: try again later');
      return;
    }
    const result = this.guard.end(address, check === 'ok', this.deps.now());
    if (check === 'ok') {
      // Gone meanwhile (closed by the client, or failed): it must not come online.
      if (conn.closing || !conns.has(conn)) return;
      this.logins.delete(conn);
      clearTimeout(conn.helloTimer);
      logger.info({ conn: conn.id, address, user }, 'password accepted');
      this.deps.welcome(conn, hello);
      return;
    }
    logger.info(
      {
        conn: conn.id,
        address,
        user,
        reason: check === 'unknown' ? 'no password set for this user' : 'wrong',
        failures: result.failures,
      },
      'wrong password',
    );
    if (result.lockedForMs !== undefined) {
      logger.warn(
        { address, lockedForMs: result.lockedForMs },
        'too many wrong passwords: address locked out',
      );
    }
    await sleep(this.deps.settings.authFailDelayMs);
    const locked =
      result.lockedForMs === undefined ? '' : `; ${lockedMessage(address, result.lockedForMs)}`;
    conns.fail(conn, 'auth_failed', `wrong password for ${user}${locked}`);
  }
}

/** Why a locked-out address is refused, with the wait left (rounded up to a minute, or seconds). */
export function lockedMessage(address: string, retryInMs: number): string {
  const seconds = Math.ceil(retryInMs / 1000);
  const wait = seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
  return `too many wrong passwords from ${address}: try again in ${wait}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
