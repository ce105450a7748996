import net, { type AddressInfo, type Socket } from 'node:net';
import type { TLSSocket, Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { ChatError } from '../errors.ts';
import { HandshakeFailures } from './handshake-failures.ts';
import { addressKey, type HandshakeCaps, HandshakeGate } from './handshake-gate.ts';

/** What a HandshakeShell is built from; the clock is injectable for tests. */
export interface HandshakeShellDeps {
  /** Never listens itself: the shell hands it the sockets it admits. */
  tlsServer: TlsServer;
  caps: HandshakeCaps;
  /** From accept to the end of the TLS handshake, in ms. */
  timeoutMs: number;
  /** How often failed handshakes are logged, one line per address, in ms. */
  logIntervalMs: number;
  logger: Logger;
  now: () => number;
  /**
   * Takes a socket through TLS with a certificate the CA vouches for. True
   * when it became a connection (it leaves the handshake caps); false when
   * it was refused and is closing (its place is held until it has closed,
   * so refusals cannot pile up beyond the caps).
   */
  onSecure: (socket: TLSSocket, acceptedAt: number) => boolean;
}

/** A socket accepted and not yet through TLS, as the dashboard lists it. */
export interface Handshaking {
  /** Negative, unique per socket, so it never names a connection. */
  id: number;
  address: string;
  /** When the TCP connection was accepted, epoch ms. */
  acceptedAt: number;
}

interface Pending extends Handshaking {
  raw: Socket;
  /** address:port, its key among the pending. */
  key: string;
  timer: NodeJS.Timeout;
  /** Counted already (a timeout, then TLS's report of the cut): one failure per socket. */
  recorded: boolean;
  /** Gives its place under the caps back; only the first call counts. */
  release: () => void;
}

/**
 * The accept/handshake shell: a plain TCP listener in front of the TLS
 * server. Each accepted socket is checked against the handshake caps (in
 * all and per address) and refused at once, before any TLS object exists,
 * when they are full. An admitted socket is handed to TLS only once it has
 * sent its first byte, so a silent one costs no TLS state; it must finish
 * its handshake within the timeout counted from accept. Failed handshakes
 * are logged aggregated: one line per address per interval with a count and
 * the reasons. A socket that closes without sending a byte (a port probe, a
 * health check) is no failure and logs nothing.
 */
export class HandshakeShell {
  private readonly front: net.Server;
  private readonly gate: HandshakeGate;
  private readonly failures = new HandshakeFailures();
  /** Sockets in their handshake, by address:port. */
  private readonly pending = new Map<string, Pending>();
  private readonly byRaw = new WeakMap<Socket, Pending>();
  private flushTimer: NodeJS.Timeout | undefined;
  private nextId = -1;
  private closing = false;

  constructor(private readonly deps: HandshakeShellDeps) {
    this.gate = new HandshakeGate(deps.caps);
    // Frames are written whole and coalesced per tick already: Nagle would
    // only hold each small write (a welcome, an ack) for ~40 ms.
    this.front = net.createServer({ noDelay: true }, (raw) => this.onAccept(raw));
    // Node 20 only reports a handshake failure: the socket stays open unless destroyed here.
    deps.tlsServer.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
      this.onTlsError(error, socket);
      socket.destroy();
    });
    deps.tlsServer.on('secureConnection', (socket: TLSSocket) => this.onSecure(socket));
  }

  /** Starts listening; resolves with the bound address, rejects with a ChatError that says the fix. */
  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const refused = (error: NodeJS.ErrnoException) => reject(listenError(error, port, host));
      this.front.once('error', refused);
      this.front.listen(port, host, () => {
        this.front.off('error', refused);
        this.front.on('error', (error) => this.deps.logger.error({ err: error }, 'server error'));
        resolve(this.front.address() as AddressInfo);
      });
    });
  }

  /** The bound address, once listening. */
  address(): AddressInfo | null {
    return this.front.address() as AddressInfo | null;
  }

  /** Sockets accepted and not yet through TLS, oldest first. */
  handshaking(): Handshaking[] {
    return [...this.pending.values()].map(({ id, address, acceptedAt }) => ({
      id,
      address,
      acceptedAt,
    }));
  }

  /**
   * Stops accepting, cuts every socket still in its handshake (no one to say
   * goodbye to), and logs the failures counted so far. Resolves once every
   * socket ever accepted has closed: the caller closes its connections.
   */
  stop(): Promise<void> {
    this.closing = true;
    const stopped = new Promise<void>((resolve) => this.front.close(() => resolve()));
    for (const pending of this.pending.values()) pending.raw.destroy();
    this.flush();
    return stopped;
  }

  private onAccept(raw: Socket): void {
    // A reset before TLS shows as the close that follows it.
    raw.on('error', ignore);
    const address = raw.remoteAddress ?? '';
    if (this.closing) {
      raw.resetAndDestroy();
      return;
    }
    const admission = this.gate.admit(address);
    if (admission !== 'admitted') {
      // A reset frees the kernel's socket at once, with no TIME_WAIT to keep.
      raw.resetAndDestroy();
      this.record(
        address,
        admission === 'address_full' ? 'max_handshakes_per_address' : 'max_handshakes',
      );
      return;
    }
    const key = `${address}:${raw.remotePort}`;
    let held = true;
    const pending: Pending = {
      id: this.nextId--,
      address,
      acceptedAt: this.deps.now(),
      raw,
      key,
      recorded: false,
      timer: setTimeout(() => this.expire(pending), this.deps.timeoutMs),
      release: () => {
        if (!held) return;
        held = false;
        this.gate.release(address);
      },
    };
    pending.timer.unref();
    this.pending.set(key, pending);
    this.byRaw.set(raw, pending);
    raw.once('close', () => {
      clearTimeout(pending.timer);
      if (this.pending.get(key) === pending) this.pending.delete(key);
      pending.release();
    });
    raw.once('readable', () => {
      // Readable with nothing to read: the peer closed without a word.
      if (raw.destroyed || raw.readableLength === 0) return;
      // TLS takes over the socket and the bytes already read (node documents this injection).
      this.deps.tlsServer.emit('connection', raw);
    });
  }

  // At the deadline: a socket that said something failed its handshake; a
  // silent one held its place too long. Either way it counts, once.
  private expire(pending: Pending): void {
    if (!pending.recorded) {
      pending.recorded = true;
      this.record(pending.address, 'timeout');
    }
    pending.raw.destroy();
  }

  private onTlsError(error: NodeJS.ErrnoException, socket: TLSSocket): void {
    const pending = this.pendingOf(socket);
    if (this.closing || !pending || pending.recorded) return;
    pending.recorded = true;
    // Refused by node for its certificate: the verification error says why.
    const reason = socket.authorizationError ?? error.code ?? 'unknown';
    this.record(pending.address, String(reason));
  }

  private onSecure(socket: TLSSocket): void {
    const pending = this.pendingOf(socket);
    if (!pending) {
      socket.destroy();
      return;
    }
    clearTimeout(pending.timer);
    this.pending.delete(pending.key);
    if (this.deps.onSecure(socket, pending.acceptedAt)) pending.release();
  }

  // TLS sockets keep the socket they wrap as `_parent`; by address and port
  // while the socket is still open, should that ever change.
  private pendingOf(socket: TLSSocket): Pending | undefined {
    const parent = (socket as TLSSocket & { _parent?: unknown })._parent;
    if (parent instanceof net.Socket) {
      const found = this.byRaw.get(parent);
      if (found) return found;
    }
    return this.pending.get(`${socket.remoteAddress}:${socket.remotePort}`);
  }

  private record(address: string, reason: string): void {
    this.failures.record(addressKey(address), reason, this.deps.now());
    if (this.flushTimer || this.closing) return;
    this.flushTimer = setTimeout(() => this.flush(), this.deps.logIntervalMs);
    this.flushTimer.unref();
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const summary of this.failures.drain(this.deps.now())) {
      this.deps.logger.info(
        {
          address: summary.address,
          failures: summary.count,
          reasons: summary.reasons,
          seconds: Math.round(summary.spanMs / 1000),
        },
        'handshakes failed',
      );
    }
  }
}

function listenError(error: NodeJS.ErrnoException, port: number, host: string): ChatError {
  if (error.code === 'EADDRINUSE') {
    return new ChatError('PORT_IN_USE', `port ${port} on ${host} is already in use`, {
      hint: 'stop the other server, or choose another port with --port',
      cause: error,
    });
  }
  if (error.code === 'EACCES') {
    return new ChatError('PORT_IN_USE', `not allowed to listen on port ${port}`, {
      hint: 'ports below 1024 need privileges: choose another with --port',
      cause: error,
    });
  }
  return new ChatError('PORT_IN_USE', `cannot listen on ${host}:${port}: ${error.message}`, {
    hint: 'check --host and --port',
    cause: error,
  });
}

function ignore(): void {}
