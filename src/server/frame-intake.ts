import { parseClientFrame } from '../net/protocol/codec.ts';
import type { ErrorCode } from '../net/protocol/error-codes.ts';
import { PROTOCOL_VERSION, type ServerFrame } from '../net/protocol/frames.ts';
import { TokenBucket } from '../net/token-bucket.ts';
import type { ChatCore } from './chat-core.ts';
import { type Connection, toWire } from './connection.ts';
import type { ConnectionTable } from './connection-table.ts';
import type { EffectInterpreter } from './effect-interpreter.ts';
import type { LoginFlow } from './login-flow.ts';

/** What a FrameIntake is built from; the clock is injectable for tests. */
export interface FrameIntakeDeps {
  core: Pick<ChatCore, 'hello' | 'receive'>;
  effects: Pick<EffectInterpreter, 'apply'>;
  conns: Pick<ConnectionTable, 'fail'>;
  /** Set with `--require-password`. */
  login: LoginFlow | undefined;
  /** Invalid frames tolerated in a burst before the connection is closed (refilled over a minute). */
  maxErrors: number;
  now: () => number;
}

/**
 * A connection's input: bytes to lines (the connection's bounded decoder),
 * lines to frames, frames to ChatCore, or to the login flow between hello
 * and welcome. Garbage is answered with an error until the connection's
 * error budget is spent, then the connection is closed.
 */
export class FrameIntake {
  private readonly errorBudgets = new WeakMap<Connection, TokenBucket>();

  constructor(private readonly deps: FrameIntakeDeps) {}

  /** Starts reading a connection admitted at `now` (epoch ms). */
  attach(conn: Connection, now: number): void {
    const { maxErrors } = this.deps;
    this.errorBudgets.set(conn, new TokenBucket(maxErrors, maxErrors / 60, now));
    conn.socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
  }

  private onData(conn: Connection, chunk: Buffer): void {
    if (conn.closing) return;
    conn.bytesIn += chunk.length;
    conn.lastHeard = this.deps.now();
    conn.pingOutstanding = undefined;
    for (const event of conn.decoder.push(chunk)) {
      if (conn.closing) return;
      if (event.kind === 'error') {
        if (event.code === 'line_too_long') {
          this.deps.conns.fail(conn, 'line_too_long', event.message);
          return;
        }
        this.rejectGarbage(conn, event.code, event.message);
        continue;
      }
      conn.msgsIn += 1;
      const parsed = parseClientFrame(event.line);
      if (!parsed.ok) {
        this.rejectGarbage(conn, parsed.code, parsed.message, parsed.ref);
        continue;
      }
      const { frame } = parsed;
      const now = this.deps.now();
      if (conn.state !== 'authenticating') {
        if (frame.type === 'pong' && frame.ref === conn.expectedPong) {
          conn.expectedPong = undefined; // the answer to our own ping costs nothing
        } else {
          this.deps.effects.apply(this.deps.core.receive(conn.id, frame, now));
        }
        continue;
      }
      const { login } = this.deps;
      if (login?.waiting(conn)) {
        login.receive(conn, frame);
        continue;
      }
      if (frame.type !== 'hello') {
        this.deps.conns.fail(conn, 'hello_required', 'the first frame must be hello');
        return;
      }
      clearTimeout(conn.helloTimer);
      // A hello of another version is refused as usual, without asking a password first.
      if (login && frame.v === PROTOCOL_VERSION) {
        login.ask(conn, frame);
        continue;
      }
      conn.state = 'active';
      this.deps.effects.apply(
        this.deps.core.hello(conn.id, conn.user ?? '', frame, now, conn.certificate?.fingerprint),
      );
    }
  }

  private rejectGarbage(conn: Connection, code: ErrorCode, message: string, ref?: string): void {
    if (!this.errorBudgets.get(conn)?.take(this.deps.now())) {
      this.deps.conns.fail(conn, 'too_many_errors', 'too many invalid frames');
      return;
    }
    conn.send(
      toWire({
        type: 'error',
        code,
        message,
        ...(ref === undefined ? {} : { ref }),
      } satisfies ServerFrame),
    );
  }
}
