import { ChatError } from '../errors.ts';
import { type ConnectFailure, explainServerClose } from './connect-errors.ts';
import { type CommandFrame, Outbox, type SendFrame } from './outbox.ts';
import { type AmendRequest, actLost, type ModerateRequest, PendingActs } from './pending-acts.ts';
import {
  type ClientFrame,
  clientFrameSchemas,
  type HelloFrame,
  type ServerFrame,
  type ServerFrameOf,
} from './protocol/frames.ts';
import { ReadPositions } from './read-positions.ts';
import { ResumePositions } from './resume-positions.ts';
import { type QueryAnswer, type QueryRequest, queryLost, ServerQueries } from './server-queries.ts';

/** The frames a client hands on to its listeners, each as one event. */
export type DeliveredFrame = ServerFrameOf<
  | 'welcome'
  | 'unread'
  | 'read'
  | 'msg'
  | 'dm'
  | 'joined'
  | 'left'
  | 'presence'
  | 'topic'
  | 'history'
  | 'error'
  | 'update'
  | 'moderated'
>;

/** A history request as the core takes it: always with a ref, to pair the answer. */
export type HistoryRequest = Extract<ClientFrame, { type: 'history' }> & { ref: string };

/** A search request (its ref pairs the answer). */
export type SearchRequest = Extract<ClientFrame, { type: 'search' }>;

/**
 * What the core asks its shell to do, in order. Pending sends and history
 * requests are named by their ref; the shell keeps whatever waits on them.
 */
export type ClientEffect =
  /** Write this frame on the connection. */
  | { kind: 'write'; frame: ClientFrame }
  /** Hand this frame to the listeners. */
  | { kind: 'deliver'; frame: DeliveredFrame }
  /** A ping came back after `ms`. */
  | { kind: 'rtt'; ms: number }
  /** The server stored the send with this ref. */
  | { kind: 'acked'; ref: string; id: number; ts: number }
  /** The answer to the history request with this ref. */
  | { kind: 'answered'; ref: string; frame: ServerFrameOf<'history'> }
  /** The answer to the search with this ref. */
  | { kind: 'found'; ref: string; frame: ServerFrameOf<'search'> }
  /** The answer to the `list`, `whois` or `keys` with this ref. */
  | { kind: 'replied'; ref: string; frame: QueryAnswer }
  /** The operator's act with this ref was done: `frame` shows it. */
  | { kind: 'done'; ref: string; frame: ServerFrameOf<'moderated'> }
  /** The send, history request, search, query, edit, delete or act with this ref failed. */
  | { kind: 'reject'; ref: string; error: ChatError }
  /** The connection is usable (welcomed): say so, and start measuring it with pings. */
  | { kind: 'connected' }
  /** Call `pump` now: later, not at once, so that what listeners ask meanwhile queues behind. */
  | { kind: 'pump' }
  /** Call `tick` in `inMs` ms, replacing any earlier such call; undefined: none. */
  | { kind: 'pace'; inMs: number | undefined }
  /** The server is closing the connection for this reason; forget the password when it was wrong. */
  | { kind: 'fatal'; failure: ConnectFailure; forgetPassword: boolean };

/** Tunables of the client core. */
export interface ClientCoreOptions {
  /** Names the program in hello, e.g. `chat-tail/0.1.0`. */
  clientName: string;
  /** Rooms to join on the first connection. */
  rooms: Iterable<string>;
  /** Commands kept while they cannot be written; one more throws. */
  maxQueuedCommands: number;
  /**
   * Messages of backlog per conversation the first hello asks for (0 or
   * absent: none); see `hello.backlog`.
   */
  backlog?: number;
  /** Say `script` in every hello: a program's connection, not a person's. */
  script?: boolean;
}

/**
 * The client's rules, apart from all I/O: what a frame from the server
 * means (dedup of replays, resume positions, the epoch, acks, history
 * answers, pings), what becomes of a send or a command, and when the outbox
 * may write. Inputs are frames, requests, timer ticks and the connection
 * going up (welcome) or down; every method takes the time as a number (ms)
 * where it needs one and returns effects, like the server's `ChatCore`.
 */
export class ClientCore {
  private readonly positions: ResumePositions;
  private readonly reads = new ReadPositions();
  private readonly outbox = new Outbox();
  private readonly historyRefs = new Set<string>();
  private readonly searchRefs = new Set<string>();
  private readonly queries = new ServerQueries();
  private readonly acts = new PendingActs();
  // 'up' from a welcome until the connection drops; 'closed' for good.
  private link: 'down' | 'up' | 'closed' = 'down';
  private user: string | undefined;
  private maxTextChars = Number.POSITIVE_INFINITY;
  // The user's away text from away() and back(): undefined when not away.
  private awayText: string | undefined;
  private pingSent: { ref: string; at: number } | undefined;
  // A `pace` effect asked for a tick that has not come yet.
  private paced = false;

  constructor(private readonly options: ClientCoreOptions) {
    this.positions = new ResumePositions(options.rooms);
  }

  /** Rooms this user is in, as the server last said. The same set for the core's whole life. */
  get rooms(): Set<string> {
    return this.positions.rooms;
  }

  /** Last message id seen per conversation (#room or @peer). The same map for the core's whole life. */
  get lastSeen(): Map<string, number> {
    return this.positions.lastSeen;
  }

  /** The hello for a new connection: joins at first, resumes every conversation after. */
  hello(): HelloFrame {
    const hello = this.positions.hello(this.options.clientName, this.options.backlog);
    return this.options.script === true ? { ...hello, script: true } : hello;
  }

  /** Handles a frame from the server (`auth` is the shell's: it asks for a password). */
  receive(frame: ServerFrame, now: number): ClientEffect[] {
    switch (frame.type) {
      case 'welcome':
        return this.welcome(frame, now);
      case 'unread':
        this.reads.reset(frame.conversations);
        this.positions.directConversations(frame.conversations);
        return [deliver(frame)];
      case 'read':
        this.reads.heard(frame.room, frame.id);
        return [deliver(frame)];
      case 'msg':
        return this.message(frame.room, frame);
      case 'dm':
        return this.message(`@${frame.from === this.user ? frame.to : frame.from}`, frame);
      case 'ack':
        return this.outbox.settle(frame.ref) || this.acts.acked(frame.ref)
          ? [{ kind: 'acked', ref: frame.ref, id: frame.id, ts: frame.ts }]
          : [];
      case 'joined':
        if (frame.user === this.user && frame.state) {
          this.positions.joined(frame.room, frame.state.lastId);
        }
        return [deliver(frame)];
      case 'left':
        if (frame.user === this.user) this.positions.left(frame.room);
        return [deliver(frame)];
      case 'presence':
      case 'topic':
      case 'update':
        return [deliver(frame)];
      case 'moderated':
        return this.moderated(frame);
      case 'history':
        return [
          ...(frame.ref !== undefined && this.historyRefs.delete(frame.ref)
            ? [{ kind: 'answered' as const, ref: frame.ref, frame }]
            : []),
          deliver(frame),
        ];
      case 'ping':
        return this.write({ type: 'pong', ref: frame.ref });
      case 'pong':
        return this.pong(frame.ref, now);
      case 'error':
        return this.serverError(frame);
      case 'auth':
        return [];
      case 'search':
        return this.searchRefs.delete(frame.ref) ? [{ kind: 'found', ref: frame.ref, frame }] : [];
      case 'list':
      case 'whois':
      case 'keys':
        return this.queries.answered(frame) ? [{ kind: 'replied', ref: frame.ref, frame }] : [];
    }
  }

  /**
   * The user has seen `conversation` up to `id`: a `read` frame, written
   * only when connected and when it moves the position past what was last
   * sent or heard. Dropped while disconnected (the next call carries it);
   * an id or name the server would refuse is dropped too.
   */
  markRead(conversation: string, id: number): ClientEffect[] {
    if (this.link !== 'up') return [];
    const frame = { type: 'read' as const, room: conversation, id };
    if (!clientFrameSchemas.read.safeParse(frame).success) return [];
    return this.reads.advance(conversation, id) ? this.write(frame) : [];
  }

  /**
   * Asks for a message to be sent: rejected at once when the client is
   * closed or the text can never be accepted, else kept until its ack.
   */
  send(frame: SendFrame, now: number): ClientEffect[] {
    if (this.link === 'closed') {
      return [reject(frame.ref, new ChatError('CONNECT_FAILED', 'the client is closed'))];
    }
    // Checked here with the server's own schema, so a message that can
    // never be accepted fails at once instead of waiting for an answer.
    const checked = clientFrameSchemas[frame.type].safeParse(frame);
    if (!checked.success || (frame.text?.length ?? 0) > this.maxTextChars) {
      const why = checked.success
        ? `longer than the server's ${this.maxTextChars} characters`
        : (checked.error.issues[0]?.message ?? 'invalid');
      const error = new ChatError('INVALID_MESSAGE', `cannot send this message: ${why}`, {
        hint: 'shorten or fix the text',
      });
      return [reject(frame.ref, error)];
    }
    this.outbox.pushSend(frame);
    return this.pump(now);
  }

  /**
   * Writes a command at once when connected with nothing waiting ahead of
   * it, else queues it behind what waits, so that frames leave in the order
   * asked for. `queued`: it waits for a connection. Throws a
   * `CONNECT_FAILED` ChatError when closed or when too many already wait.
   */
  command(frame: CommandFrame, now: number): { queued: boolean; effects: ClientEffect[] } {
    if (this.link === 'closed') throw new ChatError('CONNECT_FAILED', 'the client is closed');
    const up = this.link === 'up';
    if (up && this.outbox.idle) return { queued: false, effects: this.write(frame) };
    const waiting = this.outbox.commandsWaiting;
    if (waiting >= this.options.maxQueuedCommands) {
      throw new ChatError(
        'CONNECT_FAILED',
        `${waiting} commands already wait to be sent: this one was not kept`,
        { hint: up ? 'try again in a moment' : 'try again once reconnected' },
      );
    }
    this.outbox.pushCommand(frame);
    return { queued: !up, effects: this.pump(now) };
  }

  /** Marks the user away; remembered, and said again after a reconnect. See `command`. */
  away(text: string, now: number): { queued: boolean; effects: ClientEffect[] } {
    const outcome = this.command({ type: 'away', text }, now);
    this.awayText = text;
    return outcome;
  }

  /** Clears the away mark. See `command`. */
  back(now: number): { queued: boolean; effects: ClientEffect[] } {
    const outcome = this.command({ type: 'back' }, now);
    this.awayText = undefined;
    return outcome;
  }

  /** Asks for older messages; rejected at once when not connected. */
  history(frame: HistoryRequest): ClientEffect[] {
    if (this.link !== 'up') {
      const error = new ChatError(
        'CONNECT_FAILED',
        'not connected: history is available once reconnected',
      );
      return [reject(frame.ref, error)];
    }
    this.historyRefs.add(frame.ref);
    return this.write(frame);
  }

  /**
   * Searches the server; rejected at once when not connected, or when the
   * server could never take it (too long, several lines, a bad room name).
   */
  search(frame: SearchRequest): ClientEffect[] {
    if (this.link !== 'up') {
      const error = new ChatError('CONNECT_FAILED', 'not connected: search once reconnected');
      return [reject(frame.ref, error)];
    }
    const checked = clientFrameSchemas.search.safeParse(frame);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const why = `${issue?.path.join('.') || 'search'}: ${issue?.message ?? 'invalid'}`;
      const error = new ChatError('INVALID_MESSAGE', `cannot search for this: ${why}`, {
        hint: 'give 1 to 200 characters on one line, a #room or @user, and a limit of 1 to 100',
      });
      return [reject(frame.ref, error)];
    }
    this.searchRefs.add(frame.ref);
    return this.write(frame);
  }

  /** Asks the server a `list` or `whois`; rejected at once when not connected. */
  query(request: QueryRequest): ClientEffect[] {
    if (this.link !== 'up') return [reject(request.ref, queryLost(request.type, false))];
    this.queries.ask(request);
    return this.write(request);
  }

  /**
   * Edits or deletes a message: rejected at once when not connected or when
   * the server could never take it, else written and settled by its `ack`
   * (or an error with its ref). Not kept across a drop: the caller sees the
   * conversation and may ask again.
   */
  amend(request: AmendRequest): ClientEffect[] {
    if (this.link !== 'up') return [reject(request.ref, actLost(request.type, false))];
    const checked = clientFrameSchemas[request.type].safeParse(request);
    const tooLong = request.type === 'edit' && request.text.length > this.maxTextChars;
    if (!checked.success || tooLong) {
      const why = checked.success
        ? `longer than the server's ${this.maxTextChars} characters`
        : (checked.error.issues[0]?.message ?? 'invalid');
      const error = new ChatError('INVALID_MESSAGE', `cannot ${request.type} this: ${why}`, {
        hint: 'shorten or fix the text',
      });
      return [reject(request.ref, error)];
    }
    this.acts.amend(request);
    return this.write(request);
  }

  /**
   * An operator's act: rejected at once when not connected or malformed,
   * else written and settled by the `moderated` frame that shows it done
   * (or an error with its ref, or `forget` when the shell gives up waiting).
   */
  moderate(request: ModerateRequest): ClientEffect[] {
    if (this.link !== 'up') return [reject(request.ref, actLost('moderate', false))];
    const checked = clientFrameSchemas.moderate.safeParse(request);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const why = `${issue?.path.join('.') || 'moderate'}: ${issue?.message ?? 'invalid'}`;
      return [reject(request.ref, new ChatError('INVALID_MESSAGE', `cannot do this: ${why}`))];
    }
    this.acts.moderate(request);
    return this.write(request);
  }

  /** Stops waiting for the act with `ref`, rejected with `error` when it still waited. */
  forget(ref: string, error: ChatError): ClientEffect[] {
    return this.acts.failed(ref) ? [reject(ref, error)] : [];
  }

  /** Measures the round trip: a ping with this ref, timed from `now`. */
  ping(ref: string, now: number): ClientEffect[] {
    this.pingSent = { ref, at: now };
    return this.write({ type: 'ping', ref });
  }

  /** The tick a `pace` effect asked for. */
  tick(now: number): ClientEffect[] {
    this.paced = false;
    return this.pump(now);
  }

  /** Writes what the outbox holds as far as the pacer allows, then waits for a token. */
  pump(now: number): ClientEffect[] {
    if (this.link !== 'up') return this.unpace();
    const { frames, retryInMs } = this.outbox.drain(now);
    const effects: ClientEffect[] = frames.map((frame) => ({ kind: 'write', frame }));
    if (retryInMs === undefined) return [...effects, ...this.unpace()];
    this.paced = true;
    effects.push({ kind: 'pace', inMs: retryInMs });
    return effects;
  }

  /**
   * The connection dropped. Sends wait for the next one; a history answer
   * cannot outlive its connection, so its request fails (the caller may ask again).
   */
  disconnected(): ClientEffect[] {
    if (this.link === 'up') this.link = 'down';
    this.pingSent = undefined;
    const error = new ChatError(
      'CONNECT_FAILED',
      'the connection dropped before the history arrived',
    );
    const lost = new ChatError(
      'CONNECT_FAILED',
      'the connection dropped before the search answer arrived',
    );
    const effects = [
      ...this.unpace(),
      ...[...this.historyRefs].map((ref) => reject(ref, error)),
      ...[...this.searchRefs].map((ref) => reject(ref, lost)),
      ...this.queries.drop().map(([ref, type]) => reject(ref, queryLost(type, true))),
      ...this.acts.drop().map(([ref, type]) => reject(ref, actLost(type, true))),
    ];
    this.historyRefs.clear();
    this.searchRefs.clear();
    return effects;
  }

  /**
   * No connection will come again (the shell gave up): sends are rejected
   * with `error`, queued commands dropped.
   */
  fail(error: ChatError): ClientEffect[] {
    return this.outbox.clear().map((ref) => reject(ref, error));
  }

  /** Closed for good by the user: unacknowledged sends are rejected. */
  close(): ClientEffect[] {
    this.link = 'closed';
    const error = new ChatError(
      'CONNECT_FAILED',
      'the connection was closed before the server acknowledged it',
    );
    const acts = this.acts.drop().map(([ref]) => reject(ref, error));
    return [...this.unpace(), ...this.fail(error), ...acts];
  }

  // A message counts once (a replay is dropped); the user's own moves their
  // read position, as the server moves it on every send.
  private message(
    conversation: string,
    frame: ServerFrameOf<'msg'> | ServerFrameOf<'dm'>,
  ): ClientEffect[] {
    if (!this.positions.seen(conversation, frame.id)) return [];
    if (frame.from === this.user) this.reads.heard(conversation, frame.id);
    return [deliver(frame)];
  }

  // A kick or ban of the user from a room takes them out of it (there is no
  // `left`): the next hello must not join it again.
  private moderated(frame: ServerFrameOf<'moderated'>): ClientEffect[] {
    const out = frame.action === 'kick' || frame.action === 'ban';
    if (out && frame.room !== undefined && frame.user === this.user) {
      this.positions.left(frame.room);
    }
    const done = this.acts.done(frame).map((ref): ClientEffect => ({ kind: 'done', ref, frame }));
    return [...done, deliver(frame)];
  }

  private welcome(frame: ServerFrameOf<'welcome'>, now: number): ClientEffect[] {
    const reconnected = this.positions.welcome(frame);
    // This connection's `unread` frame says where the user stands now.
    this.reads.clear();
    this.user = frame.user;
    this.maxTextChars = frame.limits.maxTextChars;
    this.link = 'up';
    // Before anything is delivered, so that a command given from a listener
    // queues behind what this connection still has to write.
    this.outbox.restart(frame.limits, now);
    // The server forgets presence with a user's last connection, so it
    // welcomes us back online: say away again, unless an away already waits
    // to go out (a later back() would have cleared awayText), or another
    // device kept the user's session, and so their status, alive.
    const own = frame.users.find((u) => u.user === frame.user);
    if (
      reconnected &&
      this.awayText !== undefined &&
      own?.status !== 'away' &&
      !this.outbox.holds('away')
    ) {
      this.outbox.unshiftCommand({ type: 'away', text: this.awayText });
    }
    return [{ kind: 'connected' }, deliver(frame), { kind: 'pump' }];
  }

  private serverError(frame: ServerFrameOf<'error'>): ClientEffect[] {
    if (frame.fatal) {
      const failure = explainServerClose(frame.code, frame.message);
      // Asked again next time (the TUI lets the user try again; scripts stop).
      return [{ kind: 'fatal', failure, forgetPassword: frame.code === 'auth_failed' }];
    }
    const { ref } = frame;
    if (ref !== undefined && frame.code === 'rate_limited' && this.outbox.hasSend(ref)) {
      this.outbox.resend(ref); // dropped by the server, not refused: it goes out again
      if (this.paced) return [];
      this.paced = true;
      return [{ kind: 'pace', inMs: this.outbox.retryMs }];
    }
    const error = new ChatError('SERVER_ERROR', frame.message, { hint: frame.code });
    if (ref && this.outbox.settle(ref)) return [reject(ref, error)];
    if (ref !== undefined && this.historyRefs.delete(ref)) return [reject(ref, error)];
    if (ref !== undefined && this.searchRefs.delete(ref)) return [reject(ref, error)];
    if (ref !== undefined && this.queries.failed(ref)) return [reject(ref, error)];
    if (ref !== undefined && this.acts.failed(ref)) return [reject(ref, error)];
    return [deliver(frame)];
  }

  private pong(ref: string, now: number): ClientEffect[] {
    if (this.pingSent?.ref !== ref) return [];
    const ms = now - this.pingSent.at;
    this.pingSent = undefined;
    return [{ kind: 'rtt', ms }];
  }

  private write(frame: ClientFrame): ClientEffect[] {
    return this.link === 'up' ? [{ kind: 'write', frame }] : [];
  }

  private unpace(): ClientEffect[] {
    if (!this.paced) return [];
    this.paced = false;
    return [{ kind: 'pace', inMs: undefined }];
  }
}

function deliver(frame: DeliveredFrame): ClientEffect {
  return { kind: 'deliver', frame };
}

function reject(ref: string, error: ChatError): ClientEffect {
  return { kind: 'reject', ref, error };
}
