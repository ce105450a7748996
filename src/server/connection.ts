import type { PeerCertificate, TLSSocket } from 'node:tls';
import { LineDecoder } from '../net/protocol/line-decoder.ts';
import type { ByteBudget } from './byte-budget.ts';
import type { FlushQueue } from './flush-queue.ts';

/** A frame serialized once, with its size, ready to be queued to many sockets. */
export interface Wire {
  /** The frame's line, UTF-8, newline included. */
  data: Buffer;
  /** Its length, in bytes. */
  bytes: number;
}

/** Serializes once for every recipient: the fan-out hot path never stringifies per socket. */
export function toWire(frame: object): Wire {
  // Encoded once here, not once per socket. Into a buffer of its own size:
  // Buffer.from would cut a short line from a shared 8 KiB pool, and a slow
  // reader's queue of such lines would keep a whole pool block alive per
  // line, far past what its cap counts.
  const text = `${JSON.stringify(frame)}\n`;
  const data = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  data.write(text);
  return { data, bytes: data.length };
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

/** What a Connection is built with besides its socket. */
export interface ConnectionOptions {
  /** Bytes queued to the client before it is dropped as too slow. */
  maxQueueBytes: number;
  /** Longest line read, in bytes. */
  maxFrameBytes: number;
  /** Called once the client has fallen too far behind; the server drops it. */
  onOverflow: (conn: Connection) => void;
  /** Replay and history bytes are taken from this server-wide budget and given back once written. */
  budget: ByteBudget;
  /** Where a connection with lines queued waits for the end of the tick (one for the server). */
  flushes: FlushQueue;
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

  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  private readonly lastDelivered = new Map<string, number>();
  /**
   * Conversations being replayed, each with the highest id delivered live
   * meanwhile. Live messages are not queued during a replay: they are in the
   * store already, and the replay reads on until it has passed them.
   */
  private readonly replaying = new Map<string, number>();
  /**
   * Updates (edits, deletions) that came while their conversation was being
   * replayed, newest per message id: the replay may have read the message
   * before it changed, so they follow once it has caught up.
   */
  private readonly heldUpdates = new Map<string, Map<number, Wire>>();
  /** History pages being read and sent, per conversation (see holdUpdates). */
  private readonly updateHolds = new Map<string, number>();
  /** Budget bytes in `pending`, and in all not yet written (given back as writes complete). */
  private budgetPending = 0;
  private budgetHeld = 0;
  /** Bytes handed to the socket in all: with its buffer's length, what it has written. */
  private handedBytes = 0;
  /** What the socket had written at the last look (see stalledFor), and since when (ms). */
  private writtenMark = 0;
  private stalledSince: number | undefined;
  // Read once: they do not change after the handshake (renegotiation is
  // refused), and stats are taken several times a second.
  private readonly tlsVersion: string;
  private readonly cipher: string;
  readonly certificate: PeerCertificateInfo | undefined;
  private readonly maxQueueBytes: number;

  constructor(
    readonly id: number,
    readonly socket: TLSSocket,
    readonly address: string,
    readonly connectedAt: number,
    private readonly options: ConnectionOptions,
  ) {
    this.maxQueueBytes = options.maxQueueBytes;
    this.decoder = new LineDecoder(options.maxFrameBytes);
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
      this.options.onOverflow(this);
      return false;
    }
    this.enqueue(wire);
    return true;
  }

  /**
   * Delivers a live conversation message unless this connection already has
   * it. During a replay of that conversation it is only noted: the replay
   * reads it from the store in its turn.
   */
  deliver(conversation: string, id: number, wire: Wire): void {
    const replayed = this.replaying.get(conversation);
    if (replayed !== undefined) {
      if (id > replayed) this.replaying.set(conversation, id);
      return;
    }
    if (id <= (this.lastDelivered.get(conversation) ?? 0)) return;
    this.lastDelivered.set(conversation, id);
    this.send(wire);
  }

  /** From now until `endReplay`, live messages of the conversation are left to the replay. */
  beginReplay(conversation: string): void {
    if (!this.replaying.has(conversation)) this.replaying.set(conversation, 0);
  }

  /** The highest id delivered live during the conversation's replay (0: none yet). */
  liveDuringReplay(conversation: string): number {
    return this.replaying.get(conversation) ?? 0;
  }

  /** The conversation's messages go out live again, after the updates held meanwhile. */
  endReplay(conversation: string): void {
    this.replaying.delete(conversation);
    this.releaseHeldUpdates(conversation);
  }

  /**
   * Updates of the conversation wait from now until `releaseUpdates`: a
   * history page of it is being read and sent, and may hold the message.
   */
  holdUpdates(conversation: string): void {
    this.updateHolds.set(conversation, (this.updateHolds.get(conversation) ?? 0) + 1);
  }

  /** Ends one `holdUpdates`; the updates held go out once none is left (and no replay runs). */
  releaseUpdates(conversation: string): void {
    const holds = (this.updateHolds.get(conversation) ?? 1) - 1;
    if (holds > 0) {
      this.updateHolds.set(conversation, holds);
      return;
    }
    this.updateHolds.delete(conversation);
    this.releaseHeldUpdates(conversation);
  }

  /**
   * Sends an `update` of message `id`: at once, behind everything of the
   * conversation already queued, or, during a replay or a history page of
   * it, once that is sent (so it never comes before its message).
   */
  deliverUpdate(conversation: string, id: number, wire: Wire): void {
    if (!this.replaying.has(conversation) && !this.updateHolds.has(conversation)) {
      this.send(wire);
      return;
    }
    let held = this.heldUpdates.get(conversation);
    if (!held) {
      held = new Map();
      this.heldUpdates.set(conversation, held);
    }
    held.delete(id);
    held.set(id, wire);
  }

  private releaseHeldUpdates(conversation: string): void {
    if (this.replaying.has(conversation) || this.updateHolds.has(conversation)) return;
    const held = this.heldUpdates.get(conversation);
    this.heldUpdates.delete(conversation);
    for (const wire of held?.values() ?? []) this.send(wire);
  }

  /** The last id of the conversation this connection was sent (0: none). */
  delivered(conversation: string): number {
    return this.lastDelivered.get(conversation) ?? 0;
  }

  /**
   * Queues a replayed message, `held` of its bytes taken from the budget (see
   * sendBudgeted); false, and nothing queued or held, when the connection
   * already has it or is gone (the caller gives the bytes back).
   */
  sendReplayed(conversation: string, id: number, wire: Wire, held: number): boolean {
    if (id <= this.delivered(conversation)) return false;
    if (!this.sendBudgeted(wire, held)) return false;
    this.lastDelivered.set(conversation, id);
    return true;
  }

  /**
   * Queues a frame for which `held` bytes were taken from the budget: this
   * connection gives them back once the frame is written, or when it closes.
   * Not subject to the cap: the reader paces itself with `hasRoom`. False,
   * and nothing held, when the connection is gone or closing.
   */
  sendBudgeted(wire: Wire, held: number): boolean {
    if (this.socket.destroyed || this.socket.writableEnded || this.closing) return false;
    this.budgetPending += held;
    this.budgetHeld += held;
    this.enqueue(wire);
    return true;
  }

  /**
   * True while what is queued is under half the cap (at least the socket's
   * own buffer size, so that a `drain` is sure to follow a wait): a replay or
   * history read may add more.
   */
  hasRoom(): boolean {
    return this.queuedBytes() < this.lowWater();
  }

  /** Bytes one history page may take: what `hasRoom` leaves, so a page never doubles the queue. */
  pageBytes(): number {
    return this.lowWater();
  }

  /** Writes what is queued and resolves once there is room again (true), or the socket closed (false). */
  async waitForRoom(): Promise<boolean> {
    this.flush();
    while (!this.hasRoom()) {
      if (this.socket.destroyed || this.closing) return false;
      await drainOrClose(this.socket);
    }
    return !this.socket.destroyed && !this.closing;
  }

  /**
   * How long, in ms, bytes handed to the socket have waited without the
   * socket writing any of them (0: nothing waits, or some went out since the
   * last look). A reader that reads, however slowly, is never stalled. Looked
   * at periodically: the answer moves at the pace of the calls.
   */
  stalledFor(now: number): number {
    const waiting = this.socket.writableLength;
    const written = this.handedBytes - waiting;
    if (waiting === 0 || written !== this.writtenMark) {
      this.writtenMark = written;
      this.stalledSince = waiting === 0 ? undefined : now;
      return 0;
    }
    this.stalledSince ??= now;
    return now - this.stalledSince;
  }

  /** Gives every budget byte still held back, and drops what is queued: the connection is gone. */
  release(): void {
    this.options.budget.give(this.budgetHeld);
    this.budgetHeld = 0;
    this.budgetPending = 0;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Writes everything queued now, in one write. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0 || this.socket.destroyed) return;
    const pending = this.pending;
    const bytes = this.pendingBytes;
    this.bytesOut += bytes;
    this.pending = [];
    this.pendingBytes = 0;
    const held = this.budgetPending;
    this.budgetPending = 0;
    this.handedBytes += bytes;
    // Corked, the lines go down in one writev: TLS gathers them into records
    // without a copy here.
    const last = pending.length - 1;
    if (last > 0) this.socket.cork();
    for (let i = 0; i < last; i++) this.socket.write(pending[i] as Buffer);
    if (held > 0) this.socket.write(pending[last] as Buffer, () => this.giveBack(held));
    else this.socket.write(pending[last] as Buffer);
    if (last > 0) this.socket.uncork();
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

  /** Bytes held for this client: queued, and in the socket's buffer. */
  private queuedBytes(): number {
    return this.pendingBytes + this.socket.writableLength;
  }

  private lowWater(): number {
    return Math.max(this.maxQueueBytes / 2, this.socket.writableHighWaterMark);
  }

  private enqueue(wire: Wire): void {
    this.pending.push(wire.data);
    this.pendingBytes += wire.bytes;
    this.msgsOut += 1;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.options.flushes.add(this);
    }
  }

  // A write's bytes are out of our memory: the budget may hand them to another reader.
  private giveBack(bytes: number): void {
    const given = Math.min(bytes, this.budgetHeld);
    this.budgetHeld -= given;
    this.options.budget.give(given);
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
