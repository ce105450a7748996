import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import { ChatError } from '../errors.ts';
import { backoffDelay } from './backoff.ts';
import {
  type ConnectFailure,
  explainEarlyClose,
  explainHandshakeRefusal,
  explainNotChat,
  explainServerClose,
  explainSocketError,
  explainTimeout,
  notChatLine,
  notChatReply,
} from './connect-errors.ts';
import { ownCertificateProblem } from './own-certificate.ts';
import { passwordProblem } from './password-rules.ts';
import { encodeFrame, parseServerFrame } from './protocol/codec.ts';
import {
  type ClientFrame,
  clientFrameSchemas,
  type DirectMessage,
  MAX_ROOMS_PER_HELLO,
  PROTOCOL_VERSION,
  type RoomMessage,
  type ServerFrame,
  type ServerFrameOf,
} from './protocol/frames.ts';
import { LineDecoder } from './protocol/line-decoder.ts';
import { TokenBucket } from './token-bucket.ts';

/** Where the client is; the TUI's status bar shows it. */
export type ClientState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';

/** What a client is asked for when the server wants a password: whose, and for which server. */
export interface PasswordRequest {
  /** The user the server knows this certificate as. */
  user: string;
  host: string;
  port: number;
}

/** The PEM material a client connects with: the team CA, and its own certificate and key. */
export interface ClientCredentials {
  ca: string;
  cert: string;
  key: string;
}

export interface ChatClientOptions {
  host: string;
  port: number;
  credentials: ClientCredentials;
  /** Names the program in hello, e.g. `chat-tail/0.1.0`. */
  clientName: string;
  /** Rooms to join on the first connection; later ones resume what was joined. */
  rooms?: string[];
  /** Keep reconnecting after a drop (default true). */
  reconnect?: boolean;
  backoff?: { baseMs: number; maxMs: number };
  /** How often to measure the round trip with a ping, in ms (0: never). */
  pingIntervalMs?: number;
  /** How long one attempt may take to reach `welcome`, in ms. */
  connectTimeoutMs?: number;
  /** Longest line accepted from the server, in bytes. */
  maxLineBytes?: number;
  /**
   * Gives the user's password when the server asks for one (`chat serve
   * --require-password`). Asked once: a reconnect sends the same password
   * again, until the server calls it wrong. It may take as long as a person
   * typing needs (the connect timeout waits meanwhile); a ChatError it throws
   * ends the connection for good with that error. Without it, a server that
   * asks gets no answer and the connection fails with PASSWORD_REQUIRED.
   */
  password?: (request: PasswordRequest) => Promise<string> | string;
  random?: () => number;
  now?: () => number;
}

/** Facts about the current connection, for the status bar. */
export interface ConnectionFacts {
  user: string | undefined;
  tlsVersion: string | undefined;
  cipher: string | undefined;
  /** SHA-256 fingerprint of the server's certificate. */
  serverFingerprint: string | undefined;
  /** Round trip of the last ping, in ms. */
  rttMs: number | undefined;
}

/** The server's acknowledgement of a sent message. */
export interface Ack {
  id: number;
  ts: number;
}

export interface ChatClientEvents {
  state: [ClientState, { retryInMs?: number; error?: ChatError }];
  welcome: [ServerFrameOf<'welcome'>];
  message: [RoomMessage];
  dm: [DirectMessage];
  joined: [ServerFrameOf<'joined'>];
  left: [ServerFrameOf<'left'>];
  presence: [ServerFrameOf<'presence'>];
  topic: [ServerFrameOf<'topic'>];
  history: [ServerFrameOf<'history'>];
  /** A non-fatal error from the server that no pending call claimed. */
  serverError: [ServerFrameOf<'error'>];
  rtt: [number];
}

/** What became of a join, part, topic, away or back: written now, or waiting for a connection. */
export type CommandOutcome = 'sent' | 'queued';

/**
 * Most join, part, topic, away and back commands kept while they cannot be
 * written (disconnected, or behind others still waiting); one more throws.
 */
export const MAX_QUEUED_COMMANDS = 32;

type CommandFrame = Extract<ClientFrame, { type: 'join' | 'part' | 'topic' | 'away' | 'back' }>;

interface PendingSend {
  kind: 'send';
  frame: Extract<ClientFrame, { type: 'send' | 'dm' }>;
  resolve: (ack: Ack) => void;
  reject: (error: ChatError) => void;
  /** Written on the current connection (a reconnect or a rate_limited answer clears it). */
  sent: boolean;
}

// A command has no ack: once written it leaves the outbox.
interface QueuedCommand {
  kind: 'command';
  frame: CommandFrame;
}

type Outgoing = PendingSend | QueuedCommand;

const DEFAULTS = {
  backoff: { baseMs: 500, maxMs: 30_000 },
  pingIntervalMs: 15_000,
  connectTimeoutMs: 10_000,
  maxLineBytes: 16 * 1024 * 1024,
};

/**
 * A connection to a chat server that scripts, bots and the TUI share: mutual
 * TLS with hostname verification always on, hello/welcome, typed events,
 * sends that resolve on the server's ack, and reconnection with backoff that
 * resumes every conversation from the last id seen. Sends and commands
 * (join, part, topic, away, back) made while disconnected wait in order and
 * go out once reconnected; the refs of sends make a resend after a drop safe,
 * the server stores each only once. An away status is set again after a
 * reconnect, as the server forgets it with the user's last connection.
 */
export class ChatClient extends EventEmitter<ChatClientEvents> {
  state: ClientState = 'offline';
  readonly facts: ConnectionFacts = {
    user: undefined,
    tlsVersion: undefined,
    cipher: undefined,
    serverFingerprint: undefined,
    rttMs: undefined,
  };
  /** Rooms this user is in, as the server last said. */
  readonly rooms = new Set<string>();
  /** Last message id seen per conversation (#room or @peer). */
  readonly lastSeen = new Map<string, number>();

  private socket: TLSSocket | undefined;
  // Sends until acknowledged and commands until written, in the order asked for.
  private readonly outbox: Outgoing[] = [];
  private readonly historyWaiters = new Map<
    string,
    { resolve: (frame: ServerFrameOf<'history'>) => void; reject: (error: ChatError) => void }
  >();
  private everWelcomed = false;
  // The user's away text from away() and back(): undefined when not away.
  private awayText: string | undefined;
  private maxTextChars = Number.POSITIVE_INFINITY;
  private epoch: string | undefined;
  // Sends go out at the server's advertised rate, so a queue that built up
  // while offline (or a burst from a script) is paced, not rate_limited.
  private pacer: TokenBucket | undefined;
  private pumpTimer: NodeJS.Timeout | undefined;
  private refillMs = 200;
  private readonly refPrefix = randomBytes(4).toString('hex');
  private nextRef = 1;
  private attempt = 0;
  private welcomed = false;
  private closedByUser = false;
  private failure: ConnectFailure | undefined;
  // The previous attempt ended in a handshake refusal: one more in a row is final.
  private refusedLastTime = false;
  // The password that was last sent (or typed), until the server calls it wrong.
  private password: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pingSent: { ref: string; at: number } | undefined;
  private firstWelcome:
    | { resolve: (w: ServerFrameOf<'welcome'>) => void; reject: (e: ChatError) => void }
    | undefined;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: ChatClientOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    for (const room of options.rooms ?? []) this.rooms.add(room);
  }

  /**
   * Connects and resolves with the first welcome. Rejects when the first
   * attempt fails for good (a certificate problem) or, without reconnect, at all.
   */
  connect(): Promise<ServerFrameOf<'welcome'>> {
    return new Promise((resolve, reject) => {
      this.firstWelcome = { resolve, reject };
      this.open();
    });
  }

  /** Sends a message to a room; resolves with the server's ack. */
  send(room: string, text: string, options: { action?: boolean } = {}): Promise<Ack> {
    return this.enqueue({
      type: 'send',
      room,
      text,
      ref: this.ref(),
      ...(options.action ? { action: true } : {}),
    });
  }

  /** Sends a direct message; resolves with the server's ack. */
  dm(to: string, text: string, options: { action?: boolean } = {}): Promise<Ack> {
    return this.enqueue({
      type: 'dm',
      to,
      text,
      ref: this.ref(),
      ...(options.action ? { action: true } : {}),
    });
  }

  /**
   * Joins a room. Like every command (part, setTopic, away, back) it returns
   * 'sent' when connected (written now, or paced right behind what this
   * connection still has to write), 'queued' when it waits for the next
   * welcome, and throws a `CONNECT_FAILED` ChatError when the client is
   * closed or `MAX_QUEUED_COMMANDS` already wait. A queued join lands after
   * the rooms the reconnect resumes.
   */
  join(room: string): CommandOutcome {
    return this.command({ type: 'join', room });
  }

  /**
   * Leaves a room; see `join` for what it returns. A part queued offline goes
   * out after the welcome rather than taking the room out of the resume: the
   * hello may already be on its way when it is asked for (the welcome would
   * then put the room back), and a join queued before it must still come
   * first. The server briefly rejoins the room, then the part leaves it, with
   * a `left` event like any other.
   */
  part(room: string): CommandOutcome {
    return this.command({ type: 'part', room });
  }

  /** Sets a room's topic; see `join` for what it returns. */
  setTopic(room: string, text: string): CommandOutcome {
    return this.command({ type: 'topic', room, text });
  }

  /**
   * Marks the user away with `text`; see `join` for what it returns. The
   * client remembers it and says it again after a reconnect.
   */
  away(text: string): CommandOutcome {
    const outcome = this.command({ type: 'away', text });
    this.awayText = text;
    return outcome;
  }

  /** Clears the away mark; see `join` for what it returns. */
  back(): CommandOutcome {
    const outcome = this.command({ type: 'back' });
    this.awayText = undefined;
    return outcome;
  }

  /**
   * Asks for older messages of a #room or @peer; resolves with the server's
   * answer, rejects at once when not connected.
   */
  history(
    room: string,
    options: { before?: number; limit: number },
  ): Promise<ServerFrameOf<'history'>> {
    return new Promise((resolve, reject) => {
      if (this.state !== 'connected') {
        reject(
          new ChatError('CONNECT_FAILED', 'not connected: history is available once reconnected'),
        );
        return;
      }
      const ref = this.ref();
      this.historyWaiters.set(ref, { resolve, reject });
      this.write({
        type: 'history',
        room,
        limit: options.limit,
        ref,
        ...(options.before === undefined ? {} : { before: options.before }),
      });
    });
  }

  /**
   * Drops the current connection and reconnects after the shortest backoff, resuming every
   * conversation (irssi's /reconnect). Pending sends go out again, once.
   */
  reconnectNow(): void {
    if (this.state !== 'connected' || !this.socket) return;
    this.failure = explainSocketError(
      'ECONNRESET',
      'reconnect asked for',
      this.options.host,
      this.options.port,
    );
    this.socket.destroy();
  }

  /** Closes for good; unacknowledged sends are rejected. */
  async close(): Promise<void> {
    this.closedByUser = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.pumpTimer);
    clearInterval(this.pingTimer);
    const socket = this.socket;
    this.rejectAll(
      new ChatError(
        'CONNECT_FAILED',
        'the connection was closed before the server acknowledged it',
      ),
    );
    this.setState('closed', {});
    if (socket && !socket.destroyed) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
      await closed;
    }
  }

  private open(): void {
    const { host, port, credentials } = this.options;
    this.welcomed = false;
    this.failure = undefined;
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting', {});
    const decoder = new LineDecoder(this.options.maxLineBytes ?? DEFAULTS.maxLineBytes);
    const socket = tls.connect({
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
    this.socket = socket;
    // Under TLS 1.3 the client is through its handshake before the server
    // has judged its certificate: a node server refusing it then closes or
    // resets the connection without an alert and without one byte.
    let secured = false;
    let heard = false;
    // How far a peer that goes silent let the attempt get, for the timeout's message.
    let tcp = false;
    // The hello as written, to know it when a peer that is no server sends it back.
    let helloLine = '';
    const arm = () => {
      const ms = this.options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
      const timer = setTimeout(() => {
        const silentAfter = heard ? undefined : secured ? 'tls' : tcp ? 'tcp' : undefined;
        this.failure ??= explainTimeout(host, port, silentAfter, ms);
        socket.destroy();
      }, ms);
      timer.unref();
      return timer;
    };
    let timeout = arm();
    const final = this.refusedLastTime;
    this.refusedLastTime = false;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      tcp = true;
    });
    socket.on('secureConnect', () => {
      secured = true;
      this.facts.tlsVersion = socket.getProtocol() ?? undefined;
      this.facts.cipher = socket.getCipher()?.name;
      this.facts.serverFingerprint = socket.getPeerCertificate().fingerprint256;
      const hello = encodeFrame(this.hello());
      helloLine = hello.slice(0, -1);
      socket.write(hello);
    });
    socket.on('data', (chunk: Buffer) => {
      // A chat server's first byte opens a JSON object: anything else is
      // another protocol (an HTTPS server's "HTTP/1.1 400", a banner), for good.
      const reply = heard ? undefined : notChatReply(chunk);
      heard = true;
      if (reply !== undefined) {
        this.failure ??= explainNotChat(host, port, reply);
        socket.destroy();
        return;
      }
      for (const event of decoder.push(chunk)) {
        if (event.kind === 'error') {
          this.failure ??= {
            error: new ChatError('SERVER_ERROR', `the server sent a bad line: ${event.message}`),
            retry: true,
          };
          socket.destroy();
          return;
        }
        const notChat = this.welcomed ? undefined : notChatLine(event.line, helloLine);
        if (notChat !== undefined) {
          this.failure ??= explainNotChat(host, port, notChat);
          socket.destroy();
          return;
        }
        const parsed = parseServerFrame(event.line);
        if (!parsed.ok) continue; // a newer server may send what this client does not know yet
        if (parsed.frame.type === 'welcome') clearTimeout(timeout);
        if (parsed.frame.type === 'auth') {
          // A person may be typing the password: the timeout starts again once it is sent.
          clearTimeout(timeout);
          void this.answerAuth(socket, parsed.frame).then((sent) => {
            if (sent) timeout = arm();
          });
          continue;
        }
        this.onFrame(parsed.frame);
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const cut = error.code === 'ECONNRESET' || error.code === 'EPIPE';
      this.failure ??=
        secured && !heard && cut
          ? this.handshakeRefusal(final)
          : explainSocketError(error.code, error.message, host, port);
    });
    socket.on('close', () => {
      clearTimeout(timeout);
      if (secured && !heard) this.failure ??= this.handshakeRefusal(final);
      this.onClose();
    });
  }

  // Explains a refusal the server gave no reason for, from what the client
  // can see of its own certificate; `final` when the previous attempt was refused too.
  private handshakeRefusal(final: boolean): ConnectFailure {
    const { host, port, credentials } = this.options;
    this.refusedLastTime = true;
    const problem = ownCertificateProblem(credentials.cert, credentials.ca, this.now());
    return explainHandshakeRefusal(host, port, problem, final);
  }

  // Answers the server's request for a password: with the one given before,
  // else with what the password option gives. True once the answer is written.
  private async answerAuth(socket: TLSSocket, frame: ServerFrameOf<'auth'>): Promise<boolean> {
    let password = this.password;
    try {
      if (password === undefined) {
        const ask = this.options.password;
        if (ask === undefined) {
          throw new ChatError(
            'PASSWORD_REQUIRED',
            `the server asks for ${frame.user}'s password and none was given`,
            { hint: 'give the password to the client' },
          );
        }
        password = await ask({
          user: frame.user,
          host: this.options.host,
          port: this.options.port,
        });
      }
      const problem = passwordProblem(password);
      if (problem !== undefined) {
        throw new ChatError('INVALID_PASSWORD', `cannot send this password: ${problem}`, {
          hint: 'give the password set with `chat users add` or `chat users passwd`',
        });
      }
    } catch (error) {
      if (this.socket !== socket) return false;
      this.failure = {
        error:
          error instanceof ChatError
            ? error
            : new ChatError('PASSWORD_REQUIRED', `no password: ${String(error)}`),
        retry: false,
      };
      socket.destroy();
      return false;
    }
    // Kept even when this connection dropped meanwhile: the next one sends it.
    this.password = password;
    if (this.socket !== socket || socket.destroyed) return false;
    socket.write(encodeFrame({ type: 'auth', password }));
    return true;
  }

  // The first connection joins the rooms asked for; every later one resumes
  // each conversation from the last id seen (an empty resume keeps a user
  // who left every room out of the default one).
  private hello(): ClientFrame {
    const base = { type: 'hello' as const, v: PROTOCOL_VERSION, client: this.options.clientName };
    if (!this.everWelcomed) return this.rooms.size > 0 ? { ...base, join: [...this.rooms] } : base;
    const resume: Record<string, number> = {};
    for (const room of this.rooms) resume[room] = this.lastSeen.get(room) ?? 0;
    // Direct conversations fill what rooms leave of the hello's limit, most
    // recent first (lastSeen keeps them in order of last activity).
    const peers = [...this.lastSeen.keys()].filter((k) => k.startsWith('@')).reverse();
    for (const peer of peers.slice(0, Math.max(0, MAX_ROOMS_PER_HELLO - this.rooms.size))) {
      resume[peer] = this.lastSeen.get(peer) ?? 0;
    }
    return { ...base, resume, ...(this.epoch === undefined ? {} : { epoch: this.epoch }) };
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        this.onWelcome(frame);
        break;
      case 'msg':
        if (this.seen(frame.room, frame.id)) this.emit('message', frame);
        break;
      case 'dm': {
        const peer = frame.from === this.facts.user ? frame.to : frame.from;
        if (this.seen(`@${peer}`, frame.id)) this.emit('dm', frame);
        break;
      }
      case 'ack':
        this.settle(frame.ref, (p) => p.resolve({ id: frame.id, ts: frame.ts }));
        break;
      case 'joined':
        if (frame.user === this.facts.user && frame.state) {
          // A repeated state (a join of a room already in) counts messages
          // still being stored: moving lastSeen up to it would drop them.
          if (!this.rooms.has(frame.room)) {
            this.lastSeen.set(
              frame.room,
              Math.max(this.lastSeen.get(frame.room) ?? 0, frame.state.lastId),
            );
          }
          this.rooms.add(frame.room);
        }
        this.emit('joined', frame);
        break;
      case 'left':
        if (frame.user === this.facts.user) this.rooms.delete(frame.room);
        this.emit('left', frame);
        break;
      case 'presence':
        this.emit('presence', frame);
        break;
      case 'topic':
        this.emit('topic', frame);
        break;
      case 'history': {
        const waiter = frame.ref === undefined ? undefined : this.historyWaiters.get(frame.ref);
        if (frame.ref !== undefined) this.historyWaiters.delete(frame.ref);
        waiter?.resolve(frame);
        this.emit('history', frame);
        break;
      }
      case 'ping':
        this.write({ type: 'pong', ref: frame.ref });
        break;
      case 'pong':
        if (this.pingSent?.ref === frame.ref) {
          this.facts.rttMs = this.now() - this.pingSent.at;
          this.pingSent = undefined;
          this.emit('rtt', this.facts.rttMs);
        }
        break;
      case 'error':
        this.onServerError(frame);
        break;
    }
  }

  private onWelcome(frame: ServerFrameOf<'welcome'>): void {
    const reconnected = this.everWelcomed;
    const resumed = reconnected ? new Set(this.rooms) : new Set<string>();
    // Another epoch: the server restarted and lost its history, and replays
    // everything it has from id 0, so what was seen before no longer counts.
    if (this.epoch !== undefined && frame.epoch !== this.epoch) {
      for (const key of this.lastSeen.keys()) this.lastSeen.set(key, 0);
    }
    this.epoch = frame.epoch;
    this.welcomed = true;
    this.everWelcomed = true;
    this.attempt = 0;
    this.facts.user = frame.user;
    this.maxTextChars = frame.limits.maxTextChars;
    this.rooms.clear();
    for (const room of frame.rooms) {
      this.rooms.add(room.room);
      const seen = this.lastSeen.get(room.room);
      // A room met for the first time starts at its newest id; a resumed one
      // keeps its last seen id, so the replay that follows is not dropped,
      // unless the server's ids went back (it lost its history): then start over.
      if (
        !resumed.has(room.room) ||
        seen === undefined ||
        (seen > room.lastId && this.epoch === undefined)
      ) {
        this.lastSeen.set(room.room, room.lastId);
      }
    }
    const { ratePerSecond, rateBurst } = frame.limits;
    // Leave room for the other frames (joins, history, pings) under the same limit.
    this.pacer = new TokenBucket(
      Math.max(1, Math.floor(rateBurst / 2)),
      ratePerSecond * 0.8,
      this.now(),
    );
    this.refillMs = Math.ceil(1000 / Math.max(0.01, ratePerSecond * 0.8));
    // Before anything is emitted, so that a command given from a listener
    // queues behind what this connection still has to write.
    for (const pending of this.outbox) if (pending.kind === 'send') pending.sent = false;
    // The server forgets presence with a user's last connection, so it
    // welcomes us back online: say away again, unless an away already waits
    // to go out (a later back() would have cleared awayText), or another
    // device kept the user's session, and so their status, alive.
    const own = frame.users.find((u) => u.user === frame.user);
    if (
      reconnected &&
      this.awayText !== undefined &&
      own?.status !== 'away' &&
      !this.outbox.some((p) => p.frame.type === 'away')
    ) {
      this.outbox.unshift({ kind: 'command', frame: { type: 'away', text: this.awayText } });
    }
    this.setState('connected', {});
    this.startPinging();
    this.emit('welcome', frame);
    this.firstWelcome?.resolve(frame);
    this.firstWelcome = undefined;
    this.pump();
  }

  // Writes the outbox as fast as the pacer allows, in order, then waits for a
  // token. Commands go through it too: a full queue written at once after a
  // reconnect would be dropped as rate_limited, or closed as a flood.
  private pump(): void {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    if (this.state !== 'connected' || !this.socket || !this.pacer) return;
    let index = 0;
    while (index < this.outbox.length) {
      const next = this.outbox[index] as Outgoing;
      if (next.kind === 'send' && next.sent) {
        index += 1;
        continue;
      }
      if (!this.pacer.take(this.now())) {
        this.pumpTimer = setTimeout(() => this.pump(), this.refillMs);
        return;
      }
      this.socket.write(encodeFrame(next.frame));
      if (next.kind === 'send') {
        next.sent = true;
        index += 1;
      } else {
        this.outbox.splice(index, 1);
      }
    }
  }

  private onServerError(frame: ServerFrameOf<'error'>): void {
    if (frame.fatal) {
      this.failure = explainServerClose(frame.code, frame.message);
      // Asked again next time (the TUI lets the user try again; scripts stop).
      if (frame.code === 'auth_failed') this.password = undefined;
      return;
    }
    const error = new ChatError('SERVER_ERROR', frame.message, { hint: frame.code });
    const pending =
      frame.ref === undefined
        ? undefined
        : this.outbox.find((p): p is PendingSend => p.kind === 'send' && p.frame.ref === frame.ref);
    if (pending && frame.code === 'rate_limited') {
      pending.sent = false; // dropped by the server, not refused: it goes out again
      this.pumpTimer ??= setTimeout(() => this.pump(), this.refillMs);
      return;
    }
    if (frame.ref && this.settle(frame.ref, (p) => p.reject(error))) return;
    const waiter = frame.ref === undefined ? undefined : this.historyWaiters.get(frame.ref);
    if (frame.ref !== undefined && waiter) {
      this.historyWaiters.delete(frame.ref);
      waiter.reject(error);
      return;
    }
    this.emit('serverError', frame);
  }

  private onClose(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    this.pingSent = undefined;
    this.socket = undefined;
    // A history answer cannot outlive its connection: the caller may ask again.
    for (const waiter of this.historyWaiters.values()) {
      waiter.reject(
        new ChatError('CONNECT_FAILED', 'the connection dropped before the history arrived'),
      );
    }
    this.historyWaiters.clear();
    if (this.closedByUser) return;
    const { host, port } = this.options;
    const failure =
      this.failure ??
      (this.welcomed
        ? explainSocketError('ECONNRESET', 'closed', host, port)
        : explainEarlyClose(host, port));
    const retry = failure.retry && this.options.reconnect !== false;
    if (!retry) {
      this.rejectAll(failure.error);
      this.firstWelcome?.reject(failure.error);
      this.firstWelcome = undefined;
      this.setState('offline', { error: failure.error });
      return;
    }
    const retryInMs = Math.round(
      backoffDelay(this.attempt, this.options.backoff ?? DEFAULTS.backoff, this.random),
    );
    this.attempt += 1;
    this.setState('reconnecting', { retryInMs, error: failure.error });
    this.retryTimer = setTimeout(() => this.open(), retryInMs);
  }

  private startPinging(): void {
    clearInterval(this.pingTimer);
    const every = this.options.pingIntervalMs ?? DEFAULTS.pingIntervalMs;
    if (every <= 0) return;
    const ping = () => {
      const ref = `p${this.ref()}`;
      this.pingSent = { ref, at: this.now() };
      this.write({ type: 'ping', ref });
    };
    ping();
    this.pingTimer = setInterval(ping, every);
    this.pingTimer.unref();
  }

  // Tracks the newest id per conversation; false for one already seen.
  private seen(conversation: string, id: number): boolean {
    if (id <= (this.lastSeen.get(conversation) ?? 0)) return false;
    this.lastSeen.delete(conversation); // re-inserted last: the map is in order of activity
    this.lastSeen.set(conversation, id);
    return true;
  }

  private enqueue(frame: PendingSend['frame']): Promise<Ack> {
    return new Promise((resolve, reject) => {
      if (this.state === 'closed') {
        reject(new ChatError('CONNECT_FAILED', 'the client is closed'));
        return;
      }
      // Checked here with the server's own schema, so a message that can
      // never be accepted fails at once instead of waiting for an answer.
      const checked = clientFrameSchemas[frame.type].safeParse(frame);
      if (!checked.success || frame.text.length > this.maxTextChars) {
        const why = checked.success
          ? `longer than the server's ${this.maxTextChars} characters`
          : (checked.error.issues[0]?.message ?? 'invalid');
        reject(
          new ChatError('INVALID_MESSAGE', `cannot send this message: ${why}`, {
            hint: 'shorten or fix the text',
          }),
        );
        return;
      }
      this.outbox.push({ kind: 'send', frame, resolve, reject, sent: false });
      this.pump();
    });
  }

  private settle(ref: string, action: (pending: PendingSend) => void): boolean {
    const index = this.outbox.findIndex((p) => p.kind === 'send' && p.frame.ref === ref);
    if (index < 0) return false;
    const [pending] = this.outbox.splice(index, 1);
    if (pending?.kind === 'send') action(pending);
    return true;
  }

  // Empties the outbox for good (close, or a failure with no reconnect):
  // sends are rejected, queued commands dropped, as no connection will take them.
  private rejectAll(error: ChatError): void {
    for (const pending of this.outbox.splice(0)) if (pending.kind === 'send') pending.reject(error);
  }

  // Writes a command at once when connected with nothing waiting ahead of it,
  // else queues it behind what waits, so that frames leave in the order asked for.
  private command(frame: CommandFrame): CommandOutcome {
    if (this.state === 'closed') throw new ChatError('CONNECT_FAILED', 'the client is closed');
    const connected = this.state === 'connected' && this.socket !== undefined;
    if (connected && !this.outbox.some((p) => p.kind === 'command' || !p.sent)) {
      this.write(frame);
      return 'sent';
    }
    const waiting = this.outbox.filter((p) => p.kind === 'command').length;
    if (waiting >= MAX_QUEUED_COMMANDS) {
      throw new ChatError(
        'CONNECT_FAILED',
        `${waiting} commands already wait to be sent: this one was not kept`,
        { hint: connected ? 'try again in a moment' : 'try again once reconnected' },
      );
    }
    this.outbox.push({ kind: 'command', frame });
    this.pump();
    return connected ? 'sent' : 'queued';
  }

  private write(frame: ClientFrame): void {
    if (this.state === 'connected') this.socket?.write(encodeFrame(frame));
  }

  private ref(): string {
    return `${this.refPrefix}-${this.nextRef++}`;
  }

  private setState(state: ClientState, detail: { retryInMs?: number; error?: ChatError }): void {
    this.state = state;
    this.emit('state', state, detail);
  }
}
