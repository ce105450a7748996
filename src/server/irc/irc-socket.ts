/**
 * An IRC client's TLS socket, seen by the server as a chat client's: what
 * the server reads from it are the chat frames its IRC lines stand for, and
 * the chat frames the server writes to it reach the client as IRC lines
 * (see `irc-session.ts`). Admission, caps, rate limits, the queue's bound
 * and the idle pings then hold for it as for any connection.
 */
import { randomBytes } from 'node:crypto';
import { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { ServerFrame } from '../../net/protocol/frames.ts';
import { TokenBucket } from '../../net/token-bucket.ts';
import { IrcLineDecoder, parseIrcLine } from './irc-line.ts';
import { type IrcOutput, IrcSession } from './irc-session.ts';

/** The longest chat frame line kept while waiting for its end (bytes): the server writes whole lines. */
const MAX_PENDING_BYTES = 1024 * 1024;

/** What an IrcSocket says of itself in IRC replies, and its pace. */
export interface IrcSocketOptions {
  serverName: string;
  version: string;
  /**
   * Lines answered here without reaching the server (PING, WHO, NAMES,
   * CTCP, lines refused) get the chat rate: per second, and at once.
   */
  rate: { perSecond: number; burst: number };
  /** The clock, in ms. */
  now: () => number;
  /** Bytes waiting for a slow client before it is cut, as a chat client's queue (--max-queue). */
  maxQueueBytes: number;
}

/** A TLS socket speaking IRC, as a stream of chat frame lines. */
export class IrcSocket extends Duplex {
  private readonly decoder = new IrcLineDecoder();
  private readonly session: IrcSession;
  private readonly bucket: TokenBucket;
  /** Told to slow down since the bucket ran dry (said once per dry spell). */
  private slowed = false;
  /** Not reading the client while what it was answered waits to be written. */
  private held = false;
  /** A chat frame line begun in one write and ended in a later one. */
  private partial = '';

  constructor(
    private readonly tls: TLSSocket,
    private readonly options: IrcSocketOptions,
  ) {
    super({ allowHalfOpen: false });
    this.bucket = new TokenBucket(options.rate.burst, options.rate.perSecond, options.now());
    const name = tls.getPeerCertificate()?.subject?.CN;
    this.session = new IrcSession({
      user: typeof name === 'string' ? name : '',
      serverName: options.serverName,
      version: options.version,
      refPrefix: randomBytes(4).toString('hex'),
    });
    tls.on('data', (chunk: Buffer) => this.fromClient(chunk));
    tls.on('end', () => this.push(null));
    tls.on('error', (error) => this.destroy(error));
    tls.on('close', () => this.destroy());
  }

  get authorized(): boolean {
    return this.tls.authorized;
  }
  get authorizationError(): Error {
    return this.tls.authorizationError;
  }
  get remoteAddress(): string | undefined {
    return this.tls.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.tls.remotePort;
  }
  getProtocol(): string | null {
    return this.tls.getProtocol();
  }
  getCipher(): ReturnType<TLSSocket['getCipher']> {
    return this.tls.getCipher();
  }
  getPeerCertificate(detailed?: boolean): ReturnType<TLSSocket['getPeerCertificate']> {
    return detailed === true ? this.tls.getPeerCertificate(true) : this.tls.getPeerCertificate();
  }

  private fromClient(chunk: Buffer): void {
    for (const item of this.decoder.push(chunk)) {
      const parsed = 'error' in item ? item.error : parseIrcLine(item.line);
      if (parsed.kind === 'error' && parsed.code === 'empty') continue;
      const output = this.translated(() =>
        parsed.kind === 'error'
          ? this.session.refusedLine(parsed.message)
          : this.session.fromClient(parsed),
      );
      if (output === undefined) return;
      // What reaches the server is paced there; what is answered here, here.
      if (output.frames.length === 0 && output.close === undefined && !this.paced()) continue;
      this.toClient(output);
    }
  }

  /** A translation, or undefined after cutting this connection alone when it threw. */
  private translated(translate: () => IrcOutput): IrcOutput | undefined {
    try {
      return translate();
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
      return undefined;
    }
  }

  /** Whether a line answered here may be, at the chat rate; says once when it may not. */
  private paced(): boolean {
    if (this.bucket.take(this.options.now())) {
      this.slowed = false;
      return true;
    }
    if (!this.slowed) {
      this.slowed = true;
      this.toClient(this.session.refusedLine('too many lines at once: slow down'));
    }
    return false;
  }

  /**
   * Writes the lines to the client, gives the frames to the server, closes
   * if asked. False when the client's socket holds more than it should: the
   * server's writes then wait for its drain, so a slow IRC client fills the
   * connection's bounded queue as a slow chat client does.
   */
  private toClient(output: IrcOutput): boolean {
    let flowing = true;
    if (output.lines.length > 0 && !this.tls.destroyed) {
      flowing = this.tls.write(`${output.lines.join('\r\n')}\r\n`);
      if (this.tls.writableLength > this.options.maxQueueBytes) {
        this.destroy(new Error('slow IRC client: its queue is full'));
        return false;
      }
      // Answers to a client that does not read them: it is not read either until they are.
      if (!flowing && !this.held) {
        this.held = true;
        this.tls.pause();
        this.tls.once('drain', () => {
          this.held = false;
          this.tls.resume();
        });
      }
    }
    for (const frame of output.frames) {
      if (!this.push(`${JSON.stringify(frame)}\n`)) this.tls.pause();
    }
    if (output.close !== undefined) this.tls.end();
    return flowing;
  }

  override _read(): void {
    if (!this.held) this.tls.resume();
  }

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: (error?: Error) => void,
  ): void {
    const text = this.partial + String(chunk);
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > MAX_PENDING_BYTES) this.partial = '';
    let flowing = true;
    for (const line of lines) {
      if (line === '') continue;
      const output = this.translated(() =>
        this.session.fromServer(JSON.parse(line) as ServerFrame),
      );
      if (output === undefined) break;
      flowing = this.toClient(output) && flowing;
    }
    if (flowing || this.tls.destroyed) done();
    else this.tls.once('drain', () => done());
  }

  override _final(done: (error?: Error) => void): void {
    this.tls.end(() => done());
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.tls.destroy();
    done(error);
  }
}
