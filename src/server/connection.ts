import type { PeerCertificate, TLSSocket } from 'node:tls';
import { LineDecoder } from '../net/protocol/line-decoder.ts';

/** A frame serialized once, with its size, ready to be queued to many sockets. */
export interface Wire {
  text: string;
  /** UTF-8 length of `text`, in bytes. */
  bytes: number;
}

/** Serializes once for every recipient: the fan-out hot path never stringifies per socket. */
export function toWire(frame: object): Wire {
  const text = `${JSON.stringify(frame)}\n`;
  return { text, bytes: Buffer.byteLength(text) };
}

/**
 * Where a connection is in its life, as the dashboard shows it: in its TLS
 * handshake, waiting for hello, talking, talking while its user is away, or
 * saying goodbye.
 */
export type ConnectionState = 'handshaking' | 'authenticating' | 'active' | 'away' | 'closing';

/** The states a Connection moves through itself; the server adds 'handshaking' and 'away' for stats. */
export type ConnectionLifeState = Exclude<ConnectionState, 'handshaking' | 'away'>;

/** The client certificate, for the dashboard's details view. */
export interface PeerCertificateInfo {
  /** Every subject field as `KEY=value`, comma-joined in certificate order, e.g. "CN=alice". */
  subject: string;
  /** Serial number in hex, upper case, as node gives it. */
  serial: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex (node's fingerprint256). */
  fingerprint: string;
  /** End of validity, ISO 8601. */
  validTo: string;
  /** The subject's CN (the user name), when it has exactly one. */
  commonName?: string | undefined;
}

/** Facts about a connection for stats and logs. */
export interface ConnectionInfo {
  /** The server's number for it; negative while the socket is still in its TLS handshake. */
  id: number;
  user: string | undefined;
  address: string;
  /** e.g. "TLSv1.3"; empty while handshaking. */
  tlsVersion: string;
  /** Cipher suite name; empty while handshaking. */
  cipher: string;
  /** SHA-256 fingerprint of the client certificate; empty without one. */
  fingerprint: string;
  /** When the TCP connection was accepted, epoch ms. */
  connectedAt: number;
  state: ConnectionState;
  msgsIn: number;
  msgsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Bytes waiting to be written to the socket. */
  queuedBytes: number;
  /** The client certificate; absent while handshaking or when the client sent none. */
  certificate?: PeerCertificateInfo;
}

/**
 * One client's socket: a bounded line decoder in, and out a queue that is
 * written once per tick (so a burst of fan-out costs one write per socket)
 * and capped (so a client that does not read is dropped, alone, before it
 * costs the server memory). It also keeps, per conversation, the last
 * message id delivered, so replay and live delivery never duplicate or
 * reorder.
 */
export class Connection {
  readonly decoder: LineDecoder;
  state: ConnectionLifeState = 'authenticating';
  user: string | undefined;
  /** When the peer last sent anything, in ms. */
  lastHeard: number;
  /** Ref of the ping the server is waiting on, if any. */
  pingOutstanding: string | undefined;
  /** Ref of the server's last ping until its pong arrives: that pong is free. */
  expectedPong: string | undefined;
  helloTimer: NodeJS.Timeout | undefined;
  closeReason: string | undefined;
  msgsIn = 0;
  msgsOut = 0;
  bytesIn = 0;
  bytesOut = 0;

  private pending: string[] = [];
  private pendingBytes = 0;
  private waitingBytes = 0;
  private flushScheduled = false;
  private readonly lastDelivered = new Map<string, number>();
  private readonly replaying = new Map<string, Array<{ id: number; wire: Wire }>>();
  // Read once: they do not change after the handshake (renegotiation is
  // refused), and stats are taken several times a second.
  private readonly tlsVersion: string;
  private readonly cipher: string;
  readonly certificate: PeerCertificateInfo | undefined;

  constructor(
    readonly id: number,
    readonly socket: TLSSocket,
    readonly address: string,
    readonly connectedAt: number,
    private readonly maxQueueBytes: number,
    maxFrameBytes: number,
    private readonly onOverflow: (conn: Connection) => void,
  ) {
    this.decoder = new LineDecoder(maxFrameBytes);
    this.lastHeard = connectedAt;
    this.tlsVersion = socket.getProtocol() ?? '';
    this.cipher = socket.getCipher()?.name ?? '';
    this.certificate = certificateInfo(socket.getPeerCertificate());
  }

  get closing(): boolean {
    return this.state === 'closing';
  }

  /**
   * Queues a frame; false (and the overflow callback) when the client has
   * fallen too far behind. The cap applies to what is already queued, so one
   * frame larger than the cap (a long history page) still goes to a client
   * that keeps up, and memory stays within the cap plus one frame.
   */
  send(wire: Wire): boolean {
    if (this.socket.destroyed || this.socket.writableEnded) return false;
    if (this.queuedBytes() > this.maxQueueBytes) {
      this.onOverflow(this);
      return false;
    }
    this.pending.push(wire.text);
    this.pendingBytes += wire.bytes;
    this.msgsOut += 1;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  /**
   * Delivers a conversation message unless this connection already has it;
   * while a replay of that conversation runs, live messages wait behind it
   * (and count against the queue cap).
   */
  deliver(conversation: string, id: number, wire: Wire): void {
    const waiting = this.replaying.get(conversation);
    if (waiting) {
      waiting.push({ id, wire });
      this.waitingBytes += wire.bytes;
      if (this.queuedBytes() > this.maxQueueBytes) this.onOverflow(this);
      return;
    }
    if (id <= (this.lastDelivered.get(conversation) ?? 0)) return;
    this.lastDelivered.set(conversation, id);
    this.send(wire);
  }

  /** Holds live messages of a conversation back until `endReplay`. */
  beginReplay(conversation: string): void {
    if (!this.replaying.has(conversation)) this.replaying.set(conversation, []);
  }

  /**
   * Ends a replay: delivers the replayed messages, then what arrived live
   * meanwhile, each at most once and in id order. A long replay goes out at
   * the pace the client reads (waiting for `drain` past half the cap), so
   * catching up never counts as being slow.
   */
  async endReplay(
    conversation: string,
    replayed: ReadonlyArray<{ id: number; wire: Wire }>,
  ): Promise<void> {
    for (const { id, wire } of replayed) {
      if (this.socket.destroyed) return;
      if (id <= (this.lastDelivered.get(conversation) ?? 0)) continue;
      if (this.pendingBytes + this.socket.writableLength > this.maxQueueBytes / 2) {
        this.flush();
        await drainOrClose(this.socket);
      }
      this.lastDelivered.set(conversation, id);
      this.send(wire);
    }
    const waiting = this.replaying.get(conversation) ?? [];
    this.replaying.delete(conversation);
    this.waitingBytes -= waiting.reduce((sum, item) => sum + item.wire.bytes, 0);
    for (const { id, wire } of waiting) this.deliver(conversation, id, wire);
  }

  /** Writes everything queued now, in one write. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0 || this.socket.destroyed) return;
    const text = this.pending.length === 1 ? (this.pending[0] as string) : this.pending.join('');
    this.bytesOut += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.socket.write(text);
  }

  /** A snapshot for stats; `away` (the user's presence) shows an active connection as 'away'. */
  info(away = false): ConnectionInfo {
    return {
      id: this.id,
      user: this.user,
      address: this.address,
      tlsVersion: this.tlsVersion,
      cipher: this.cipher,
      fingerprint: this.certificate?.fingerprint ?? '',
      connectedAt: this.connectedAt,
      state: away && this.state === 'active' ? 'away' : this.state,
      msgsIn: this.msgsIn,
      msgsOut: this.msgsOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      queuedBytes: this.queuedBytes(),
      ...(this.certificate ? { certificate: this.certificate } : {}),
    };
  }

  /** Bytes held for this client: queued, in the socket's buffer, and waiting behind a replay. */
  private queuedBytes(): number {
    return this.pendingBytes + this.socket.writableLength + this.waitingBytes;
  }
}

/** The facts of a peer certificate worth showing; undefined when the peer sent none. */
function certificateInfo(cert: PeerCertificate | undefined): PeerCertificateInfo | undefined {
  if (!cert || Object.keys(cert).length === 0) return undefined;
  const fields: string[] = [];
  for (const [key, value] of Object.entries(cert.subject ?? {}) as Array<[string, unknown]>) {
    // Node gives a repeated field (two OUs) as an array.
    for (const v of Array.isArray(value) ? value : [value])
      if (v !== undefined) fields.push(`${key}=${String(v)}`);
  }
  const validTo = new Date(cert.valid_to);
  const cn: unknown = cert.subject?.CN;
  return {
    commonName: typeof cn === 'string' ? cn : undefined,
    subject: fields.join(', '),
    serial: cert.serialNumber ?? '',
    fingerprint: cert.fingerprint256 ?? '',
    validTo: Number.isNaN(validTo.getTime()) ? (cert.valid_to ?? '') : validTo.toISOString(),
  };
}

function drainOrClose(socket: TLSSocket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}
