import { isIP } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import { ChatError } from '../errors.ts';
import {
  type ConnectFailure,
  explainEarlyClose,
  explainHandshakeRefusal,
  explainNotChat,
  explainSocketError,
  explainTimeout,
  notChatLine,
  notChatReply,
} from './connect-errors.ts';
import { ownCertificateProblem } from './own-certificate.ts';
import { encodeFrame, parseServerFrame } from './protocol/codec.ts';
import type { ClientFrame, ServerFrame, ServerFrameOf } from './protocol/frames.ts';
import { LineDecoder } from './protocol/line-decoder.ts';

/** Where and how one attempt connects. */
export interface AttemptOptions {
  host: string;
  port: number;
  /** The team CA, and the client's own certificate and key (PEM). */
  credentials: { ca: string; cert: string; key: string };
  /** How long the attempt may take to reach `welcome`, in ms. */
  connectTimeoutMs: number;
  /** Longest line accepted from the server, in bytes. */
  maxLineBytes: number;
  /** The previous attempt ended in a handshake refusal: one more in a row is final. */
  refusedBefore: boolean;
  now: () => number;
}

/** What an attempt tells its owner, and asks of it. */
export interface AttemptHandlers {
  /** The hello to write once the TLS handshake is through. */
  hello(): ClientFrame;
  /** The TLS handshake is through, with these facts. */
  secured(facts: {
    tlsVersion: string | undefined;
    cipher: string | undefined;
    serverFingerprint: string | undefined;
  }): void;
  /** A frame from the server (all but `auth`, which the attempt answers itself). */
  frame(frame: ServerFrame): void;
  /** The password for the server's `auth`; a ChatError it throws ends the attempt for good. */
  password(request: ServerFrameOf<'auth'>): Promise<string>;
  /**
   * The socket closed, for this reason. `refused`: the server refused the
   * handshake without a word (the next attempt's `refusedBefore`).
   */
  closed(failure: ConnectFailure, refused: boolean): void;
}

/**
 * One connection attempt and, once welcomed, the connection: mutual TLS with
 * hostname verification always on, the hello, lines decoded into frames, the
 * password when asked, a timeout until `welcome`, and why it ended, explained.
 */
export class TlsAttempt {
  /** The attempt's socket, for its owner to hand out; only the attempt reads and writes it. */
  readonly socket: TLSSocket;
  private readonly decoder: LineDecoder;
  private failure: ConnectFailure | undefined;
  private refused = false;
  private welcomed = false;
  private closed = false;
  // Under TLS 1.3 the client is through its handshake before the server
  // has judged its certificate: a node server refusing it then closes or
  // resets the connection without an alert and without one byte.
  private secured = false;
  private heard = false;
  // How far a peer that goes silent let the attempt get, for the timeout's message.
  private tcp = false;
  // The hello as written, to know it when a peer that is no server sends it back.
  private helloLine = '';
  private timeout: NodeJS.Timeout;

  constructor(
    private readonly options: AttemptOptions,
    private readonly handlers: AttemptHandlers,
  ) {
    const { host, port, credentials } = options;
    this.decoder = new LineDecoder(options.maxLineBytes);
    this.socket = tls.connect({
      host,
      port,
      // SNI takes names only; for an address node checks the IP SANs itself.
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ca: credentials.ca,
      cert: credentials.cert,
      key: credentials.key,
      minVersion: 'TLSv1.2',
      // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 cannot switch the checks off.
      rejectUnauthorized: true,
    });
    this.timeout = this.arm();
    const socket = this.socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.tcp = true;
    });
    socket.on('secureConnect', () => this.onSecure());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const cut = error.code === 'ECONNRESET' || error.code === 'EPIPE';
      this.failure ??=
        this.secured && !this.heard && cut
          ? this.handshakeRefusal()
          : explainSocketError(error.code, error.message, host, port);
    });
    socket.on('close', () => this.onClose());
  }

  /** Writes a frame (nothing once the socket is gone). */
  write(frame: ClientFrame): void {
    this.socket.write(encodeFrame(frame));
  }

  /** Records why the connection is about to end, over any earlier reason. */
  explain(failure: ConnectFailure): void {
    this.failure = failure;
  }

  /** Ends the connection now for this reason. */
  abort(failure: ConnectFailure): void {
    this.failure = failure;
    this.socket.destroy();
  }

  /** Ends the connection politely; resolves once the socket closed (destroyed after 1 s). */
  async end(): Promise<void> {
    const socket = this.socket;
    if (socket.destroyed) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.end();
    setTimeout(() => socket.destroy(), 1_000).unref();
    await closed;
  }

  private arm(): NodeJS.Timeout {
    const { host, port, connectTimeoutMs: ms } = this.options;
    const timer = setTimeout(() => {
      const silentAfter = this.heard
        ? undefined
        : this.secured
          ? 'tls'
          : this.tcp
            ? 'tcp'
            : undefined;
      this.failure ??= explainTimeout(host, port, silentAfter, ms);
      this.socket.destroy();
    }, ms);
    timer.unref();
    return timer;
  }

  private onSecure(): void {
    const socket = this.socket;
    this.secured = true;
    this.handlers.secured({
      tlsVersion: socket.getProtocol() ?? undefined,
      cipher: socket.getCipher()?.name,
      serverFingerprint: socket.getPeerCertificate().fingerprint256,
    });
    const hello = encodeFrame(this.handlers.hello());
    this.helloLine = hello.slice(0, -1);
    socket.write(hello);
  }

  private onData(chunk: Buffer): void {
    const { host, port } = this.options;
    // A chat server's first byte opens a JSON object: anything else is
    // another protocol (an HTTPS server's "HTTP/1.1 400", a banner), for good.
    const reply = this.heard ? undefined : notChatReply(chunk);
    this.heard = true;
    if (reply !== undefined) {
      this.failure ??= explainNotChat(host, port, reply);
      this.socket.destroy();
      return;
    }
    for (const event of this.decoder.push(chunk)) {
      if (event.kind === 'error') {
        this.failure ??= {
          error: new ChatError('SERVER_ERROR', `the server sent a bad line: ${event.message}`),
          retry: true,
        };
        this.socket.destroy();
        return;
      }
      const notChat = this.welcomed ? undefined : notChatLine(event.line, this.helloLine);
      if (notChat !== undefined) {
        this.failure ??= explainNotChat(host, port, notChat);
        this.socket.destroy();
        return;
      }
      const parsed = parseServerFrame(event.line);
      if (!parsed.ok) continue; // a newer server may send what this client does not know yet
      if (parsed.frame.type === 'welcome') {
        clearTimeout(this.timeout);
        this.welcomed = true;
      }
      if (parsed.frame.type === 'auth') {
        // A person may be typing the password: the timeout starts again once it is sent.
        clearTimeout(this.timeout);
        void this.answerAuth(parsed.frame).then((sent) => {
          if (sent) this.timeout = this.arm();
        });
        continue;
      }
      this.handlers.frame(parsed.frame);
    }
  }

  private onClose(): void {
    const { host, port } = this.options;
    clearTimeout(this.timeout);
    this.closed = true;
    if (this.secured && !this.heard) this.failure ??= this.handshakeRefusal();
    const failure =
      this.failure ??
      (this.welcomed
        ? explainSocketError('ECONNRESET', 'closed', host, port)
        : explainEarlyClose(host, port));
    this.handlers.closed(failure, this.refused);
  }

  // Explains a refusal the server gave no reason for, from what the client
  // can see of its own certificate.
  private handshakeRefusal(): ConnectFailure {
    const { host, port, credentials, refusedBefore } = this.options;
    this.refused = true;
    const problem = ownCertificateProblem(credentials.cert, credentials.ca, this.options.now());
    return explainHandshakeRefusal(host, port, problem, refusedBefore);
  }

  // Answers the server's request for a password. True once the answer is written.
  private async answerAuth(frame: ServerFrameOf<'auth'>): Promise<boolean> {
    let password: string;
    try {
      password = await this.handlers.password(frame);
    } catch (error) {
      if (this.closed) return false;
      this.abort({
        error:
          error instanceof ChatError
            ? error
            : new ChatError('PASSWORD_REQUIRED', `no password: ${String(error)}`),
        retry: false,
      });
      return false;
    }
    if (this.closed || this.socket.destroyed) return false;
    this.write({ type: 'auth', password });
    return true;
  }
}
