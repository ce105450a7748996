import type { ErrorCode } from '../net/protocol/error-codes.ts';
import { AddressCounts } from './address-counts.ts';
import { type Connection, toWire } from './connection.ts';

/** The limits a ConnectionTable enforces, as ServerConfig names them. */
export interface ConnectionLimits {
  maxConnections: number;
  maxPerAddress: number;
  /** Silence after which the server pings, in ms. */
  idlePingMs: number;
  /** Silence after which the connection is closed, in ms. */
  idleTimeoutMs: number;
  /** Time a client may leave its queue unread before it is dropped, in ms. */
  stallTimeoutMs: number;
}

/** What a ConnectionTable is built from. */
export interface ConnectionTableDeps {
  limits: ConnectionLimits;
  /**
   * Resolves once the messages being stored now are done: a goodbye waits
   * for it, so the acks of a closing client are not lost behind it.
   */
  settled: () => Promise<unknown>;
  /** How long a closing connection may take to flush its goodbye before it is destroyed, in ms. */
  closeGraceMs: number;
}

/**
 * The connections through TLS and not yet closed, by id, and the one way
 * each of them is closed: the caps on live connections, the idle and stall
 * watch, and the fatal goodbye.
 */
export class ConnectionTable {
  private readonly conns = new Map<number, Connection>();
  /** Connections not closing, in all and per address, for the caps. */
  private readonly live = new AddressCounts();
  private peak = 0;

  constructor(private readonly deps: ConnectionTableDeps) {}

  /** The most connections held at once since the start. */
  get peakConnections(): number {
    return this.peak;
  }

  get(id: number): Connection | undefined {
    return this.conns.get(id);
  }

  /** Whether `conn` is still in the table (not closed yet). */
  has(conn: Connection): boolean {
    return this.conns.has(conn.id);
  }

  values(): Iterable<Connection> {
    return this.conns.values();
  }

  add(conn: Connection): void {
    this.conns.set(conn.id, conn);
    this.live.add(conn.address);
    this.peak = Math.max(this.peak, this.conns.size);
  }

  /** Takes a closed connection out; false when it was out already. */
  remove(conn: Connection): boolean {
    if (!this.conns.delete(conn.id)) return false;
    if (conn.state !== 'closing') this.live.remove(conn.address);
    return true;
  }

  /** Which cap, if any, the connections from `address` (counted already) are over. */
  capExceeded(address: string): { code: ErrorCode; message: string } | undefined {
    const { maxConnections, maxPerAddress } = this.deps.limits;
    if (this.live.total > maxConnections) {
      return {
        code: 'server_full',
        message: `the server is full (${maxConnections} connections): try again later`,
      };
    }
    if (this.live.of(address) > maxPerAddress) {
      return {
        code: 'too_many_connections',
        message: `too many connections from ${address} (limit ${maxPerAddress})`,
      };
    }
    return undefined;
  }

  /**
   * Tells the client why (a fatal error frame), then closes the connection.
   * Input stops counting at once and is drained unread (so the peer's own
   * close is seen); the goodbye waits for messages being stored, so the
   * acks of this client's are not lost behind it.
   */
  fail(conn: Connection, code: ErrorCode, message: string): void {
    if (conn.state === 'closing') return;
    this.markClosing(conn);
    conn.closeReason = code;
    clearTimeout(conn.helloTimer);
    conn.socket.resume();
    const { closeGraceMs } = this.deps;
    void this.deps.settled().then(() => {
      conn.send(toWire({ type: 'error', code, message, fatal: true }));
      conn.flush();
      conn.socket.end();
      setTimeout(() => conn.socket.destroy(), closeGraceMs).unref();
    });
  }

  /** Cuts a client whose queue is full: there is no room left to say why. */
  dropSlow(conn: Connection): void {
    if (conn.state === 'closing') return;
    this.markClosing(conn);
    conn.closeReason = 'slow_consumer';
    conn.socket.destroy();
  }

  /** Pings the silent, closes those that did not answer, cuts those not reading. */
  checkIdle(now: number): void {
    const { idlePingMs, idleTimeoutMs, stallTimeoutMs } = this.deps.limits;
    for (const conn of this.conns.values()) {
      // Bytes the client has left unread that long: it is gone or not reading.
      if (conn.stalledFor(now) >= stallTimeoutMs) {
        this.dropSlow(conn);
        continue;
      }
      if (conn.state !== 'active') continue;
      const silent = now - conn.lastHeard;
      if (silent >= idleTimeoutMs) this.fail(conn, 'idle_timeout', 'no answer to ping');
      else if (silent >= idlePingMs && conn.pingOutstanding === undefined) {
        conn.pingOutstanding = `s${now}`;
        conn.expectedPong = conn.pingOutstanding;
        conn.send(toWire({ type: 'ping', ref: conn.pingOutstanding }));
      }
    }
  }

  // A closing connection no longer counts against the caps.
  private markClosing(conn: Connection): void {
    conn.state = 'closing';
    this.live.remove(conn.address);
  }
}
