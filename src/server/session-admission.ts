import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { USER_PATTERN } from '../net/protocol/frames.ts';
import type { ByteBudget } from './byte-budget.ts';
import { Connection } from './connection.ts';
import type { ConnectionTable } from './connection-table.ts';
import type { FlushQueue } from './flush-queue.ts';
import type { FrameIntake } from './frame-intake.ts';
import { type LoginFlow, lockedMessage } from './login-flow.ts';
import type { Revocations } from './revocations.ts';

/** The settings a SessionAdmission applies, as ServerConfig names them. */
export interface AdmissionSettings {
  maxQueueBytes: number;
  maxFrameBytes: number;
  /** TLS handshake plus hello, counted from accept, in ms. */
  handshakeTimeoutMs: number;
}

/** What a SessionAdmission is built from; the clock is injectable for tests. */
export interface SessionAdmissionDeps {
  settings: AdmissionSettings;
  conns: ConnectionTable;
  revocations: Revocations;
  login: LoginFlow | undefined;
  intake: FrameIntake;
  readBudget: ByteBudget;
  /** Where every connection's queued lines wait for the end of the tick. */
  flushes: FlushQueue;
  logger: Logger;
  now: () => number;
  /** The connection is in and reading. */
  onOpen: (conn: Connection) => void;
  /** Its socket has closed, whether it got in or not. */
  onClose: (conn: Connection) => void;
}

/**
 * The step after the handshake shell: a socket through TLS becomes a
 * Connection, and is refused (told why, then closed) when its certificate
 * was revoked since its handshake began, a connection cap is full, its
 * name is no chat user name, or its address is locked out of passwords.
 * One let in must say hello within what is left of the handshake deadline.
 */
export class SessionAdmission {
  private nextId = 1;

  constructor(private readonly deps: SessionAdmissionDeps) {}

  /**
   * Returns whether the socket became a connection: one refused (with a
   * fatal frame) keeps its place under the handshake caps until it has closed.
   */
  admit(socket: TLSSocket, acceptedAt: number): boolean {
    const { settings, conns, logger } = this.deps;
    const now = this.deps.now();
    const address = socket.remoteAddress ?? '';
    // TLS (rejectUnauthorized) refuses these in the handshake: never a byte to a peer it did not vouch for.
    if (!socket.authorized) {
      logger.warn({ address, reason: socket.authorizationError }, 'unverified peer cut');
      socket.destroy();
      return false;
    }
    const conn = new Connection(this.nextId++, socket, address, acceptedAt, {
      maxQueueBytes: settings.maxQueueBytes,
      maxFrameBytes: settings.maxFrameBytes,
      onOverflow: (c) => conns.dropSlow(c),
      budget: this.deps.readBudget,
      flushes: this.deps.flushes,
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      conn.closeReason ??= `socket error ${error.code ?? error.message}`;
    });
    socket.on('close', () => this.deps.onClose(conn));
    conns.add(conn);
    if (!this.vouchedFor(conn, now)) return false;
    conn.helloTimer = setTimeout(
      () => conns.fail(conn, 'hello_timeout', 'no hello in time'),
      Math.max(0, settings.handshakeTimeoutMs - (now - conn.connectedAt)),
    );
    conn.helloTimer.unref();
    this.deps.intake.attach(conn, now);
    this.deps.onOpen(conn);
    return true;
  }

  // Refuses (and closes) a connection that may not stay; names its user otherwise.
  private vouchedFor(conn: Connection, now: number): boolean {
    const { conns, logger } = this.deps;
    const { address } = conn;
    // A handshake begun before a CRL reload was checked against the old CRL.
    const serial = conn.certificate?.serial;
    if (serial !== undefined && this.deps.revocations.revokes(serial)) {
      logger.info({ conn: conn.id, address, serial }, 'certificate refused: revoked');
      conns.fail(conn, 'cert_rejected', 'your certificate was revoked');
      return false;
    }
    const cap = conns.capExceeded(address);
    if (cap) {
      conns.fail(conn, cap.code, cap.message);
      return false;
    }
    // The user is the CN of a certificate our CA signed; `chat certs` only
    // issues valid names, but a CA used elsewhere might not.
    // Read with the rest of the certificate when the connection was made: building it is not cheap.
    const cn = conn.certificate?.commonName;
    if (typeof cn !== 'string' || !USER_PATTERN.test(cn)) {
      logger.info({ conn: conn.id, address, cn }, 'certificate refused: not a chat user name');
      conns.fail(
        conn,
        'cert_rejected',
        'the name in your certificate is not a valid chat user name',
      );
      return false;
    }
    conn.user = cn;
    // A locked-out address is told so at once, before it says anything.
    const lockedFor = this.deps.login?.lockedFor(address, now);
    if (lockedFor !== undefined) {
      logger.info({ conn: conn.id, address, user: cn }, 'refused: address locked out');
      conns.fail(conn, 'auth_locked', lockedMessage(address, lockedFor));
      return false;
    }
    return true;
  }
}
