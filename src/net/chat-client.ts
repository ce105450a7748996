import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { TLSSocket } from 'node:tls';
import { ChatError } from '../errors.ts';
import { backoffDelay } from './backoff.ts';
import { ClientCore, type ClientEffect, type DeliveredFrame } from './client-core.ts';
import {
  type Ack,
  type ChatClientEvents,
  type ChatClientOptions,
  type ClientState,
  type CommandOutcome,
  type ConnectionFacts,
  MAX_QUEUED_COMMANDS,
  type SearchOptions,
  type SearchResult,
} from './client-types.ts';
import { type ConnectFailure, explainSocketError } from './connect-errors.ts';
import type { DmEnvelope } from './e2ee/envelope-format.ts';
import type { SendFrame } from './outbox.ts';
import { actTimedOut } from './pending-acts.ts';
import type { ModerationAction, ServerFrame, ServerFrameOf } from './protocol/frames.ts';
import { RememberedPassword } from './remembered-password.ts';
import { formatServerAddress, type ServerAddress } from './server-address.ts';
import { roundOrder, uniqueServers } from './server-list.ts';
import type { QueryAnswer, QueryRequest } from './server-queries.ts';
import { TlsAttempt } from './tls-attempt.ts';

// Failures of one node that another node of the same cluster does not share:
// final for a client of one server, the next address for a cluster's.
const NODE_FAULTS: ReadonlySet<string> = new Set(['SERVER_IDENTITY', 'NOT_A_CHAT_SERVER']);

const DEFAULTS = {
  backoff: { baseMs: 500, maxMs: 30_000 },
  pingIntervalMs: 15_000,
  connectTimeoutMs: 10_000,
  maxLineBytes: 16 * 1024 * 1024,
  moderateTimeoutMs: 10_000,
  stepMs: 100,
};

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: ChatError) => void;
}

/**
 * A connection to a chat server that scripts, bots and the TUI share: mutual
 * TLS with hostname verification always on, hello/welcome, typed events,
 * sends that resolve on the server's ack, and reconnection with backoff that
 * resumes every conversation from the last id seen. Sends and commands
 * (join, part, topic, away, back) made while disconnected wait in order and
 * go out once reconnected; the refs of sends make a resend after a drop safe,
 * the server stores each only once. An away status is set again after a
 * reconnect, as the server forgets it with the user's last connection.
 *
 * This class is the I/O shell: the rules are `ClientCore`'s, one connection
 * attempt is a `TlsAttempt`; here are the timers, the reconnect loop, the
 * promises and the events.
 *
 * Given several nodes (`servers`), each round of attempts dials them in a
 * fresh random order: an address that cannot be reached now (refused, timed
 * out, reset) or that is no node of the team (its certificate, not chat)
 * passes to the next after a short step; the latter stops the client only
 * when every address of the round failed for good. A failure that says the
 * user is not welcome (certificate refused, kicked, banned, a wrong
 * password, a version refused) stops it as with one server. The backoff waits only between rounds, and
 * after a connection that was welcomed drops.
 */
export class ChatClient extends EventEmitter<ChatClientEvents> {
  state: ClientState = 'offline';
  readonly facts: ConnectionFacts = {
    user: undefined,
    server: undefined,
    tlsVersion: undefined,
    cipher: undefined,
    serverFingerprint: undefined,
    rttMs: undefined,
  };
  /** Rooms this user is in, as the server last said. */
  readonly rooms: Set<string>;
  /** Last message id seen per conversation (#room or @peer). */
  readonly lastSeen: Map<string, number>;
  /** The nodes this client dials, each once, in the order given. */
  readonly servers: readonly ServerAddress[];

  private readonly core: ClientCore;
  private connection: TlsAttempt | undefined;
  private readonly sends = new Map<string, Waiter<Ack>>();
  private readonly histories = new Map<string, Waiter<ServerFrameOf<'history'>>>();
  private readonly searches = new Map<string, Waiter<SearchResult>>();
  private readonly queries = new Map<string, Waiter<QueryAnswer>>();
  private readonly amends = new Map<string, Waiter<Ack>>();
  private readonly acts = new Map<string, Waiter<ServerFrameOf<'moderated'>>>();
  private readonly actTimers = new Map<string, NodeJS.Timeout>();
  private readonly refPrefix = randomBytes(4).toString('hex');
  private nextRef = 1;
  private attempt = 0;
  // The addresses of this round still to try after `dialling`, in order.
  private round: ServerAddress[] = [];
  // The address the current or next attempt dials.
  private dialling: ServerAddress;
  // The current connection got its welcome: its loss starts a new round after the backoff.
  private welcomed = false;
  // An address of this round failed in a way a retry could mend (refused, timed out, reset).
  private roundMendable = false;
  private closedByUser = false;
  // The previous attempt ended in a handshake refusal: one more in a row is final.
  private refusedLastTime = false;
  // An attempt failed since the last welcome (or the start): the next is a reconnect.
  private failedBefore = false;
  private readonly password: RememberedPassword;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pumpTimer: NodeJS.Timeout | undefined;
  private firstWelcome: Waiter<ServerFrameOf<'welcome'>> | undefined;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: ChatClientOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.servers =
      options.servers === undefined || options.servers.length === 0
        ? [{ host: options.host, port: options.port }]
        : uniqueServers(options.servers);
    this.dialling = this.nextServer();
    this.core = new ClientCore({
      clientName: options.clientName,
      rooms: options.rooms ?? [],
      maxQueuedCommands: MAX_QUEUED_COMMANDS,
      ...(options.backlog === undefined ? {} : { backlog: options.backlog }),
      ...(options.script === undefined ? {} : { script: options.script }),
    });
    this.password = new RememberedPassword(options.password, () => this.dialling);
    this.rooms = this.core.rooms;
    this.lastSeen = this.core.lastSeen;
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
   * A ref for a message to come: a sealed DM binds it (as the envelope's
   * `cid`) before it is sent with `sealedDm`.
   */
  newRef(): string {
    return this.ref();
  }

  /**
   * Resolves once the client is connected (at once when it is); rejects
   * with CONNECT_FAILED when it closes or gives up first. What waits for
   * the server without a queue of its own (sealing a DM needs the key
   * directory) waits here through a reconnect, as a send waits in the outbox.
   */
  untilConnected(): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onState = (state: ClientState) => {
        if (state === 'connected') {
          this.off('state', onState);
          resolve();
        } else if (state === 'closed' || state === 'offline') {
          this.off('state', onState);
          reject(new ChatError('CONNECT_FAILED', 'the client stopped before it reconnected'));
        }
      };
      this.on('state', onState);
    });
  }

  /**
   * Sends a direct message sealed end to end (e2ee/dm-keyring.ts made the
   * envelope, its `cid` from `newRef`); resolves with the server's ack.
   */
  sealedDm(to: string, sealed: DmEnvelope): Promise<Ack> {
    return this.enqueue({ type: 'dm', to, sealed, ref: sealed.cid });
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
    return this.command((now) => this.core.command({ type: 'join', room }, now));
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
    return this.command((now) => this.core.command({ type: 'part', room }, now));
  }

  /** Sets a room's topic; see `join` for what it returns. */
  setTopic(room: string, text: string): CommandOutcome {
    return this.command((now) => this.core.command({ type: 'topic', room, text }, now));
  }

  /**
   * Marks the user away with `text`; see `join` for what it returns. The
   * client remembers it and says it again after a reconnect.
   */
  away(text: string): CommandOutcome {
    return this.command((now) => this.core.away(text, now));
  }

  /** Clears the away mark; see `join` for what it returns. */
  back(): CommandOutcome {
    return this.command((now) => this.core.back(now));
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
      const ref = this.ref();
      this.histories.set(ref, { resolve, reject });
      this.run(
        this.core.history({
          type: 'history',
          room,
          limit: options.limit,
          ref,
          ...(options.before === undefined ? {} : { before: options.before }),
        }),
      );
    });
  }

  /**
   * Searches the user's own conversations on the server for messages that
   * hold every word of `text` (any case); resolves with the matches, newest
   * first. Rejects with a ChatError when not connected, for a text or room
   * the server could never take, or for the server's error (its code is
   * the hint: `not_member`, `store_failed`, `rate_limited`).
   */
  search(text: string, options: SearchOptions = {}): Promise<SearchResult> {
    const { room, limit } = options;
    return new Promise((resolve, reject) => {
      const ref = this.ref();
      this.searches.set(ref, { resolve, reject });
      const scope = {
        ...(room === undefined ? {} : { room }),
        ...(limit === undefined ? {} : { limit }),
      };
      this.run(this.core.search({ type: 'search', text, ref, ...scope }));
    });
  }

  /**
   * Every room the server holds that has members or a topic, by name (see
   * `list` in docs/PROTOCOL.md); rejects at once when not connected.
   */
  list(): Promise<ServerFrameOf<'list'>> {
    return this.query({ type: 'list', ref: this.ref() }) as Promise<ServerFrameOf<'list'>>;
  }

  /**
   * What the server knows of `user` now: presence, devices, idle time and
   * certificate fingerprints. Rejects with a ChatError (hint `unknown_user`)
   * for a name the server does not know, and at once when not connected.
   */
  whois(user: string): Promise<ServerFrameOf<'whois'>> {
    return this.query({ type: 'whois', user, ref: this.ref() }) as Promise<ServerFrameOf<'whois'>>;
  }

  /**
   * The key directory's certificates of `user` (DER in base64), one per
   * device; rejected with `unknown_user` for a name the server does not
   * know. Check each against the CA before trusting it (e2ee/peer-keys.ts).
   */
  keys(user: string): Promise<ServerFrameOf<'keys'>> {
    return this.query({ type: 'keys', user, ref: this.ref() }) as Promise<ServerFrameOf<'keys'>>;
  }

  /**
   * Changes the text of one of the user's messages in `room` (#room or
   * @peer); resolves with the server's ack (`ts`: when it was edited).
   * Rejects at once when not connected or for a text the server could never
   * take, and with the server's error (its code is the hint: `not_author`,
   * `no_such_message`, `muted`, `not_member`, `text_too_long`).
   */
  edit(room: string, id: number, text: string): Promise<Ack> {
    return this.amend({ type: 'edit', room, id, text, ref: this.ref() });
  }

  /**
   * Deletes a message in `room` (#room or @peer): the user's own, or any in
   * a room they operate. Resolves with the ack; rejects like `edit`.
   */
  delete(room: string, id: number): Promise<Ack> {
    return this.amend({ type: 'delete', room, id, ref: this.ref() });
  }

  /**
   * An operator's act (docs/PROTOCOL.md, Operators): resolves with the
   * `moderated` frame that shows it done (same action, room and user).
   * Rejects at once when not connected or malformed, with the server's
   * error (hint `not_operator`, `not_member`, `invalid_frame`), or when no
   * confirmation came within the timeout (10 s by default). `duration` in
   * seconds, for ban and mute.
   */
  moderate(act: ModerateAct): Promise<ServerFrameOf<'moderated'>> {
    return new Promise((resolve, reject) => {
      const ref = this.ref();
      this.acts.set(ref, { resolve, reject });
      const ms = this.options.moderateTimeoutMs ?? DEFAULTS.moderateTimeoutMs;
      const timer = setTimeout(() => this.run(this.core.forget(ref, actTimedOut(ms))), ms);
      timer.unref();
      this.actTimers.set(ref, timer);
      this.run(this.core.moderate({ type: 'moderate', ...act, ref }));
    });
  }

  /**
   * Tells the server the user has seen `conversation` (#room or @peer) up to
   * `id`, so every device of theirs counts what follows as unread. Written
   * only when connected and when it moves the position past what was last
   * sent or heard; dropped while disconnected (the next call carries it).
   */
  markRead(conversation: string, id: number): void {
    this.run(this.core.markRead(conversation, id));
  }

  /**
   * Drops the current connection and reconnects after the shortest backoff, resuming every
   * conversation (irssi's /reconnect). Pending sends go out again, once.
   */
  reconnectNow(): void {
    if (this.state !== 'connected' || !this.connection) return;
    const { host, port } = this.dialling;
    this.connection.abort(explainSocketError('ECONNRESET', 'reconnect asked for', host, port));
  }

  /** Closes for good; unacknowledged sends are rejected. */
  async close(): Promise<void> {
    this.closedByUser = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.run(this.core.close());
    this.setState('closed', {});
    await this.connection?.end();
  }

  private open(): void {
    const { credentials } = this.options;
    const { host, port } = this.dialling;
    this.welcomed = false;
    this.facts.server = formatServerAddress(this.dialling);
    this.setState(this.attempt === 0 && !this.failedBefore ? 'connecting' : 'reconnecting', {});
    const refusedBefore = this.refusedLastTime;
    this.refusedLastTime = false;
    this.connection = new TlsAttempt(
      {
        host,
        port,
        credentials,
        connectTimeoutMs: this.options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
        maxLineBytes: this.options.maxLineBytes ?? DEFAULTS.maxLineBytes,
        refusedBefore,
        now: this.now,
      },
      {
        hello: () => this.core.hello(),
        secured: (facts) => Object.assign(this.facts, facts),
        frame: (frame) => this.onFrame(frame),
        password: (request) => this.password.get(request.user),
        closed: (failure, refused) => this.onClose(failure, refused),
      },
    );
  }

  // The current socket. Tests and the soak reach in for it to play a slow
  // reader or a network failure, which reconnectNow() is not.
  private get socket(): TLSSocket | undefined {
    return this.connection?.socket;
  }

  private onFrame(frame: ServerFrame): void {
    if (frame.type === 'welcome') {
      this.attempt = 0;
      this.welcomed = true;
      this.roundMendable = false;
      this.failedBefore = false;
      this.facts.user = frame.user;
    }
    this.run(this.core.receive(frame, this.now()));
  }

  // Carries out what the core asks for, in order.
  private run(effects: readonly ClientEffect[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'write':
          this.connection?.write(effect.frame);
          break;
        case 'deliver':
          this.deliver(effect.frame);
          break;
        case 'rtt':
          this.facts.rttMs = effect.ms;
          this.emit('rtt', effect.ms);
          break;
        case 'acked':
          (take(this.sends, effect.ref) ?? take(this.amends, effect.ref))?.resolve({
            id: effect.id,
            ts: effect.ts,
          });
          break;
        case 'done':
          this.stopActTimer(effect.ref);
          take(this.acts, effect.ref)?.resolve(effect.frame);
          break;
        case 'answered':
          take(this.histories, effect.ref)?.resolve(effect.frame);
          break;
        case 'found': {
          const { messages, more } = effect.frame;
          take(this.searches, effect.ref)?.resolve({ messages, more });
          break;
        }
        case 'replied':
          take(this.queries, effect.ref)?.resolve(effect.frame);
          break;
        case 'reject':
          (
            take(this.sends, effect.ref) ??
            take(this.histories, effect.ref) ??
            take(this.searches, effect.ref) ??
            take(this.queries, effect.ref) ??
            take(this.amends, effect.ref) ??
            take(this.acts, effect.ref)
          )?.reject(effect.error);
          this.stopActTimer(effect.ref);
          break;
        case 'connected':
          this.setState('connected', {});
          this.startPinging();
          break;
        case 'pump':
          this.run(this.core.pump(this.now()));
          break;
        case 'pace':
          clearTimeout(this.pumpTimer);
          this.pumpTimer =
            effect.inMs === undefined
              ? undefined
              : setTimeout(() => this.run(this.core.tick(this.now())), effect.inMs);
          break;
        case 'fatal':
          this.connection?.explain(effect.failure);
          if (effect.forgetPassword) this.password.forget();
          break;
      }
    }
  }

  private deliver(frame: DeliveredFrame): void {
    switch (frame.type) {
      case 'welcome':
        this.emit('welcome', frame);
        this.firstWelcome?.resolve(frame);
        this.firstWelcome = undefined;
        break;
      case 'unread':
        this.emit('unread', frame);
        break;
      case 'read':
        this.emit('read', frame);
        break;
      case 'msg':
        this.emit('message', frame);
        break;
      case 'dm':
        this.emit('dm', frame);
        break;
      case 'joined':
        this.emit('joined', frame);
        break;
      case 'left':
        this.emit('left', frame);
        break;
      case 'presence':
        this.emit('presence', frame);
        break;
      case 'topic':
        this.emit('topic', frame);
        break;
      case 'history':
        this.emit('history', frame);
        break;
      case 'update':
        this.emit('update', frame);
        break;
      case 'moderated':
        this.emit('moderated', frame);
        break;
      case 'error':
        this.emit('serverError', frame);
        break;
    }
  }

  private onClose(failure: ConnectFailure, refused: boolean): void {
    clearInterval(this.pingTimer);
    this.connection = undefined;
    if (refused) this.refusedLastTime = true;
    this.run(this.core.disconnected());
    if (this.closedByUser) return;
    // A node that is not the team's (another certificate, not chat) says
    // nothing of the others: the round goes on. It stops the client only
    // when no address of the round failed in a way a retry could mend.
    const nodeFault = !this.welcomed && (failure.retry || NODE_FAULTS.has(failure.error.code));
    if (failure.retry) this.roundMendable = true;
    const step = nodeFault && this.round.length > 0;
    const mendable = failure.retry || (nodeFault && this.roundMendable);
    const retry = step || (mendable && this.options.reconnect !== false);
    if (!retry) {
      this.run(this.core.fail(failure.error));
      this.firstWelcome?.reject(failure.error);
      this.firstWelcome = undefined;
      this.setState('offline', { error: failure.error });
      return;
    }
    this.failedBefore = true;
    let retryInMs: number;
    if (step) {
      retryInMs = this.options.stepMs ?? DEFAULTS.stepMs;
    } else {
      // The round is over (or the connection that was welcomed is gone): back off, then a fresh one.
      this.round = [];
      this.roundMendable = false;
      retryInMs = Math.round(
        backoffDelay(this.attempt, this.options.backoff ?? DEFAULTS.backoff, this.random),
      );
      this.attempt += 1;
    }
    this.dialling = this.nextServer();
    this.facts.server = formatServerAddress(this.dialling);
    this.setState('reconnecting', { retryInMs, error: failure.error });
    this.retryTimer = setTimeout(() => this.open(), retryInMs);
  }

  // The next address to dial: the next of this round, else the first of a fresh shuffle.
  private nextServer(): ServerAddress {
    if (this.round.length === 0) this.round = roundOrder(this.servers, this.random);
    const next = this.round.shift();
    if (next === undefined) throw new Error('a client has at least one server');
    return next;
  }

  private startPinging(): void {
    clearInterval(this.pingTimer);
    const every = this.options.pingIntervalMs ?? DEFAULTS.pingIntervalMs;
    if (every <= 0) return;
    const ping = () => this.run(this.core.ping(`p${this.ref()}`, this.now()));
    ping();
    this.pingTimer = setInterval(ping, every);
    this.pingTimer.unref();
  }

  private enqueue(frame: SendFrame): Promise<Ack> {
    return new Promise((resolve, reject) => {
      this.sends.set(frame.ref, { resolve, reject });
      this.run(this.core.send(frame, this.now()));
    });
  }

  private amend(frame: Parameters<ClientCore['amend']>[0]): Promise<Ack> {
    return new Promise((resolve, reject) => {
      this.amends.set(frame.ref, { resolve, reject });
      this.run(this.core.amend(frame));
    });
  }

  private stopActTimer(ref: string): void {
    clearTimeout(this.actTimers.get(ref));
    this.actTimers.delete(ref);
  }

  private command(
    ask: (now: number) => { queued: boolean; effects: ClientEffect[] },
  ): CommandOutcome {
    const { queued, effects } = ask(this.now());
    this.run(effects);
    return queued ? 'queued' : 'sent';
  }

  private ref(): string {
    return `${this.refPrefix}-${this.nextRef++}`;
  }

  private query(request: QueryRequest): Promise<QueryAnswer> {
    return new Promise((resolve, reject) => {
      this.queries.set(request.ref, { resolve, reject });
      this.run(this.core.query(request));
    });
  }

  private setState(state: ClientState, detail: { retryInMs?: number; error?: ChatError }): void {
    this.state = state;
    const server = this.facts.server;
    this.emit('state', state, server === undefined ? detail : { ...detail, server });
  }
}

/** An operator's act as `ChatClient.moderate` takes it (the ref is the client's). */
export interface ModerateAct {
  action: ModerationAction;
  /** The room acted in; absent for a server-wide ban or unban. */
  room?: string;
  /** Whom it is done to; absent for topic-lock and topic-unlock. */
  user?: string;
  /** Shown to everyone with a kick, ban or mute. */
  reason?: string;
  /** For ban and mute: how long, in seconds; absent: until undone. */
  duration?: number;
}

// Removes and gives what waits on `ref`.
function take<T>(waiters: Map<string, T>, ref: string): T | undefined {
  const waiter = waiters.get(ref);
  waiters.delete(ref);
  return waiter;
}
