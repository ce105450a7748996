import type { StoredMessage } from '../net/protocol/frames.ts';
import type { ByteBudget } from './byte-budget.ts';
import { type Connection, toWire, type Wire } from './connection.ts';
import type { HistoryReader } from './history/history-store.ts';
import { messageBytes, newestWithin } from './page-bytes.ts';
import { SEARCH_BUDGET_MS, type SearchRead, scanNewestFirst } from './search-scan.ts';
import type { UnreadQuery } from './unread-query.ts';
import { readUnread } from './unread-reader.ts';

/** Most messages read from the store at a time during a replay. */
export const REPLAY_PAGE_MESSAGES = 64;
/** History requests one connection may have waiting for their answer; more are refused. */
export const MAX_WAITING_HISTORY = 16;

/** A history request, as ChatCore's `history` effect carries it. */
export interface HistoryRead {
  conversation: string;
  /** The name as the client wrote it (#room or @user). */
  name: string;
  before: number | undefined;
  limit: number;
  ref: string | undefined;
}

/** What a pump needs besides its connection. */
export interface ReadPumpDeps {
  store: HistoryReader;
  budget: ByteBudget;
  /** The most bytes one stored message takes as a frame: what a page's read is budgeted at. */
  maxMessageBytes: number;
  /** Newest unread messages an unread count reads per conversation (see UnreadBounds); 1,000 if not given. */
  unreadScanMessages?: number;
  /**
   * A store read failed. For a replay (`fatal`) the connection must go: the
   * client resumes from its last id on the next one, so nothing is skipped.
   */
  onReadError: (error: unknown, conversation: string, fatal: boolean) => void;
  /** A clock in ms for a search's time budget (default: performance.now). */
  now?: () => number;
  /**
   * The messages up to `afterId` changed (edited, deleted) since the
   * conversation's newest id was `afterId` (recent-changes.ts), as they are
   * now: sent as `update` after a resume replay.
   */
  changedSince?: (conversation: string, afterId: number) => StoredMessage[];
  /**
   * True while the connection may read the conversation (its user is in the
   * room); asked as each page is sent, so a kick or a ban stops a replay or
   * a waiting history answer. Always true if not given.
   */
  mayRead?: (conversation: string) => boolean;
}

/** A backlog to send: a history page, then the conversation catches up live from its end. */
interface Backlog {
  read: HistoryRead;
  /** Where the catch-up starts when the page holds nothing. */
  lastId: number;
}

/** A conversation being replayed: where its next page starts. */
interface Replay {
  conversation: string;
  /** The id the next page reads after. */
  cursor: number;
  /** For a resume: the id it began after, whose changed messages follow once caught up. */
  resumedFrom?: number;
}

/**
 * Everything one connection reads from the history store, streamed at the
 * pace the client reads. After a hello: the `unread` frame, then the
 * backlog pages, then the replays; the conversations it counts hold their
 * live messages until their backlog or catch-up replay has passed them, so
 * nothing of them comes before the `unread` frame or twice. A resume
 * replay is a cursor per conversation that
 * reads its next page only once the connection's queue is under half its
 * cap, and history requests wait for the same room (and go first). Each
 * read is budgeted before it is made, at its largest possible size, from
 * the server-wide budget; what the frames do not need is given back at
 * once, the rest by the connection as it writes them. So the memory one
 * connection costs is its queue cap plus one page, the memory of all reads
 * is bounded by the budget, and a reader that stops reading stops the reads.
 */
export class ReadPump {
  private readonly replays: Replay[] = [];
  // Searches wait in the same line: answers come in the order asked.
  private readonly histories: Array<HistoryRead | SearchRead> = [];
  private readonly backlogs: Backlog[] = [];
  private unreadQuery: UnreadQuery | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly conn: Connection,
    private readonly deps: ReadPumpDeps,
  ) {}

  /**
   * Sends what the connection missed in a conversation since `afterId`:
   * live messages of it are held back (they are stored already) from now
   * until the replay has caught up with them.
   */
  replay(conversation: string, afterId: number, resume = false): void {
    this.conn.beginReplay(conversation);
    this.replays.push({
      conversation,
      cursor: afterId,
      ...(resume ? { resumedFrom: afterId } : {}),
    });
    this.start();
  }

  /** Answers a history request, before any further replay page; refuses one past MAX_WAITING_HISTORY. */
  history(read: HistoryRead): void {
    if (this.histories.length >= MAX_WAITING_HISTORY) {
      this.conn.send(
        toWire({
          type: 'error',
          code: 'rate_limited',
          message: `${MAX_WAITING_HISTORY} history requests already wait for their answers: ask again once they came`,
          ...(read.ref === undefined ? {} : { ref: read.ref }),
        }),
      );
      return;
    }
    this.histories.push(read);
    this.start();
  }

  /**
   * Answers a search (search-scan.ts) in turn with history requests, within
   * the same cap of MAX_WAITING_HISTORY waiting.
   */
  search(read: SearchRead): void {
    if (this.histories.length >= MAX_WAITING_HISTORY) {
      this.conn.send(
        toWire({
          type: 'error',
          code: 'rate_limited',
          message: `${MAX_WAITING_HISTORY} history and search requests already wait for their answers: ask again once they came`,
          ref: read.ref,
        }),
      );
      return;
    }
    this.histories.push(read);
    this.start();
  }

  /**
   * Sends the `unread` frame of a hello, then its backlog; until then the
   * live messages of every conversation it counts are held (see replay).
   */
  unread(query: UnreadQuery): void {
    for (const target of query.targets) this.conn.beginReplay(target.conversation);
    this.unreadQuery = query;
    this.start();
  }

  /** The connection is gone: no more reads. */
  stop(): void {
    this.stopped = true;
    this.replays.length = 0;
    this.histories.length = 0;
    this.backlogs.length = 0;
    this.unreadQuery = undefined;
  }

  private start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped) {
        const query = this.unreadQuery;
        if (query) {
          this.unreadQuery = undefined;
          await this.sendUnread(query);
          continue;
        }
        const backlog = this.backlogs.shift();
        if (backlog) {
          const newest = await this.answer(backlog.read);
          if (!this.stopped) this.replay(backlog.read.conversation, newest ?? backlog.lastId);
          continue;
        }
        const history = this.histories.shift();
        if (history) {
          await ('words' in history ? this.find(history) : this.answer(history));
          continue;
        }
        const replay = this.replays[0];
        if (!replay) return;
        if (await this.replayPage(replay)) {
          this.replays.shift();
          await this.sendChanged(replay);
        }
      }
    } finally {
      // At once, as run() returns: a job queued right after starts a new run.
      this.running = false;
    }
  }

  // One page of a replay; true once the conversation has caught up (and gone live).
  private async replayPage(replay: Replay): Promise<boolean> {
    const { conversation } = replay;
    if (!(await this.conn.waitForRoom())) return this.stopNow();
    const count = this.pageMessages();
    const held = await this.take(count * this.deps.maxMessageBytes);
    if (held === undefined) return false;
    let page: { messages: StoredMessage[]; gap: boolean };
    try {
      page = await this.deps.store.since(conversation, replay.cursor, count);
    } catch (error) {
      this.deps.budget.give(held);
      this.deps.onReadError(error, conversation, true);
      return this.stopNow();
    }
    if (this.stopped) {
      this.deps.budget.give(held);
      return false;
    }
    // Out of the room since it began (a kick, a ban): what was posted since is not theirs.
    if (!this.mayRead(conversation)) {
      this.deps.budget.give(held);
      replay.resumedFrom = undefined;
      this.conn.endReplay(conversation);
      return true;
    }
    // Told for every page that finds one: a slow reader's replay may see
    // messages dropped from the store's end while it reads.
    if (page.gap) {
      this.conn.send(
        toWire({
          type: 'error',
          code: 'history_gap',
          message: `some messages of ${nameOf(conversation)} are no longer kept`,
        }),
      );
    }
    const frames = page.messages
      .filter((message) => message.id > this.conn.delivered(conversation))
      .map((message) => ({ id: message.id, wire: toWire(message) }));
    const sent = await this.sendHeld(
      held,
      frames.map((f) => f.wire),
      (wire, part, index) =>
        this.conn.sendReplayed(conversation, (frames[index] as { id: number }).id, wire, part),
    );
    if (!sent) return this.stopNow();
    const end = page.messages.at(-1)?.id ?? replay.cursor;
    replay.cursor = end;
    // A message delivered live while the page was read or sent may be newer
    // than the page: then it is read too, in the next page. Going live here,
    // in the same turn as the check, leaves no moment for one to slip by.
    const caughtUp =
      page.messages.length < count && this.conn.liveDuringReplay(conversation) <= end;
    if (caughtUp) this.conn.endReplay(conversation);
    return caughtUp;
  }

  // After a resume replay: the messages the client had seen that changed
  // since, as updates (in the conversation's live order: it went live first,
  // and these are all older than anything it delivers from now on).
  // Live updates of the conversation wait meanwhile: these are read now and
  // may wait for the reader, so a change made while they wait must follow them.
  private async sendChanged(replay: Replay): Promise<void> {
    if (replay.resumedFrom === undefined || this.stopped) return;
    this.conn.holdUpdates(replay.conversation);
    try {
      await this.sendChangedHeld(replay);
    } finally {
      this.conn.releaseUpdates(replay.conversation);
    }
  }

  private async sendChangedHeld({ conversation, resumedFrom = 0 }: Replay): Promise<void> {
    // One at a time, each budgeted: up to 1,000 changes of long texts are
    // serialized only as the reader makes room for them.
    for (const message of this.deps.changedSince?.(conversation, resumedFrom) ?? []) {
      const wire = toWire({ type: 'update', message });
      const held = await this.take(wire.bytes);
      if (held === undefined) return;
      if (!(await this.sendHeld(held, [wire], (w, part) => this.conn.sendBudgeted(w, part)))) {
        this.stopNow();
        return;
      }
    }
  }

  // Counts what is unread, sends it, and queues what follows: the backlog
  // pages, and a catch-up replay of every other conversation held.
  private async sendUnread(query: UnreadQuery): Promise<void> {
    let frame: Awaited<ReturnType<typeof readUnread>>;
    try {
      frame = await readUnread(
        {
          since: async (conversation, afterId, limit) =>
            (await this.budgeted(limit, () => this.deps.store.since(conversation, afterId, limit)))
              .messages,
          newest: async (conversation) =>
            (await this.budgeted(1, () => this.deps.store.before(conversation, undefined, 1)))
              .messages[0],
        },
        query,
        { pageMessages: REPLAY_PAGE_MESSAGES, scanMessages: this.deps.unreadScanMessages ?? 1_000 },
      );
    } catch (error) {
      this.deps.onReadError(error, 'unread', true);
      this.stopNow();
      return;
    }
    if (this.stopped) return;
    this.conn.send(toWire(frame));
    const backlog = new Set(query.backlog > 0 ? query.backlogRooms : []);
    if (query.backlog > 0) {
      for (const entry of frame.conversations)
        if (!entry.room.startsWith('#') && entry.unread > 0) backlog.add(entry.room);
    }
    // In the frame's order (direct conversations most recent first); those it
    // left out only catch up.
    const listed = frame.conversations.map((entry) => entry.room);
    const order = (name: string) => (listed.includes(name) ? listed.indexOf(name) : listed.length);
    const targets = [...query.targets].sort((a, b) => order(a.name) - order(b.name));
    for (const target of targets) {
      if (query.resumed.includes(target.conversation)) continue;
      if (!backlog.has(target.name)) {
        this.replay(target.conversation, target.lastId);
        continue;
      }
      this.backlogs.push({
        read: {
          conversation: target.conversation,
          name: target.name,
          before: undefined,
          limit: query.backlog,
          ref: 'backlog',
        },
        lastId: target.lastId,
      });
    }
  }

  // A store read of at most `messages`, budgeted for its largest size and given back after.
  private async budgeted<T>(messages: number, read: () => Promise<T>): Promise<T> {
    const held = await this.take(messages * this.deps.maxMessageBytes);
    try {
      return await read();
    } finally {
      if (held !== undefined) this.deps.budget.give(held);
    }
  }

  // Answers a history read; the newest id it sent, if any. Updates of the
  // conversation wait meanwhile: the page may hold the message as it was.
  private async answer(read: HistoryRead): Promise<number | undefined> {
    this.conn.holdUpdates(read.conversation);
    try {
      return await this.answerHeld(read);
    } finally {
      this.conn.releaseUpdates(read.conversation);
    }
  }

  private async answerHeld(read: HistoryRead): Promise<number | undefined> {
    if (!(await this.conn.waitForRoom())) {
      this.stopNow();
      return undefined;
    }
    const held = await this.take(read.limit * this.deps.maxMessageBytes);
    if (held === undefined) return undefined;
    const ref = read.ref === undefined ? {} : { ref: read.ref };
    let page: { messages: StoredMessage[]; more: boolean };
    try {
      page = await this.deps.store.before(read.conversation, read.before, read.limit);
    } catch (error) {
      this.deps.budget.give(held);
      this.deps.onReadError(error, read.conversation, false);
      this.conn.send(
        toWire({
          type: 'error',
          code: 'store_failed',
          message: 'the server could not read the history',
          ...ref,
        }),
      );
      return undefined;
    }
    if (this.stopped) {
      this.deps.budget.give(held);
      return undefined;
    }
    if (!this.mayRead(read.conversation)) {
      this.deps.budget.give(held);
      const message = `you are no longer in ${read.name}`;
      this.conn.send(toWire({ type: 'error', code: 'not_member', message, ...ref }));
      return undefined;
    }
    // A page that would not fit half the queue is cut from its old end: the
    // client asks again from its oldest message, as for any page with more.
    const kept = newestWithin(page.messages, this.conn.pageBytes(), messageBytes);
    const messages = page.messages.slice(page.messages.length - kept);
    const more = page.more || kept < page.messages.length;
    const wire = toWire({ type: 'history', room: read.name, messages, more, ...ref });
    if (!(await this.sendHeld(held, [wire], (w, part) => this.conn.sendBudgeted(w, part))))
      this.stopNow();
    return messages.at(-1)?.id;
  }

  // A search, budgeted like a history answer: what its scan may hold at once
  // (a page, or one message per conversation) plus its answer.
  private async find(read: SearchRead): Promise<void> {
    if (!(await this.conn.waitForRoom())) {
      this.stopNow();
      return;
    }
    const { maxMessageBytes } = this.deps;
    const pageMessages = this.pageMessages();
    const scanned = Math.max(pageMessages, read.conversations.length) * maxMessageBytes;
    const answer = Math.min(read.limit * maxMessageBytes, this.conn.pageBytes() + maxMessageBytes);
    const held = await this.take(scanned + answer);
    if (held === undefined) return;
    // Only the conversations the user is still in, as it is read (a ban may have come meanwhile).
    const readable = read.conversations.filter((conversation) => this.mayRead(conversation));
    const found = await scanNewestFirst(
      { ...read, conversations: readable },
      {
        store: this.deps.store,
        pageMessages,
        now: this.deps.now ?? (() => performance.now()),
        budgetMs: SEARCH_BUDGET_MS,
        stopped: () => this.stopped,
      },
    );
    if (!found.ok) {
      this.deps.budget.give(held);
      this.deps.onReadError(found.error, found.conversation, false);
      const message = 'the server could not read the history to search it';
      this.conn.send(toWire({ type: 'error', code: 'store_failed', message, ref: read.ref }));
      return;
    }
    if (this.stopped) {
      this.deps.budget.give(held);
      return;
    }
    // Newest first: an answer that would not fit half the queue is cut at its old end.
    const kept = newestWithin([...found.messages].reverse(), this.conn.pageBytes(), messageBytes);
    const messages = found.messages.slice(0, kept);
    const more = found.more || kept < found.messages.length;
    const wire = toWire({ type: 'search', ref: read.ref, messages, more });
    if (!(await this.sendHeld(held, [wire], (w, part) => this.conn.sendBudgeted(w, part))))
      this.stopNow();
  }

  // Takes `bytes` (as the budget sizes them) in the budget's turn; undefined
  // when the connection went meanwhile (nothing is held then).
  private async take(bytes: number): Promise<number | undefined> {
    const { budget } = this.deps;
    const size = budget.sizeOf(bytes);
    if (!budget.tryTake(size)) await budget.take(size);
    if (!this.stopped) return size;
    budget.give(size);
    return undefined;
  }

  // Queues `wires` in order, handing the connection its part of the `held`
  // budget bytes with each (what they do not need goes back at once), and
  // waits for room between them. False when the connection went.
  private async sendHeld(
    held: number,
    wires: readonly Wire[],
    queue: (wire: Wire, part: number, index: number) => boolean,
  ): Promise<boolean> {
    const { budget } = this.deps;
    const needed = wires.reduce((sum, wire) => sum + wire.bytes, 0);
    let left = held;
    if (needed < left) {
      budget.give(left - needed);
      left = needed;
    }
    for (const [index, wire] of wires.entries()) {
      const part = Math.min(wire.bytes, left);
      left -= part;
      if (this.stopped || !queue(wire, part, index)) {
        budget.give(left + part);
        return false;
      }
      if (!this.conn.hasRoom() && !(await this.conn.waitForRoom())) {
        budget.give(left);
        return false;
      }
    }
    budget.give(left);
    return true;
  }

  // As many messages as half the queue holds at their largest, so a page
  // read is never more than the room a reader is given.
  private pageMessages(): number {
    const fit = Math.floor(this.conn.pageBytes() / this.deps.maxMessageBytes);
    return Math.min(REPLAY_PAGE_MESSAGES, Math.max(1, fit));
  }

  private mayRead(conversation: string): boolean {
    return this.deps.mayRead?.(conversation) ?? true;
  }

  private stopNow(): false {
    this.stop();
    return false;
  }
}

function nameOf(conversation: string): string {
  return conversation.startsWith('#') ? conversation : 'a direct conversation';
}
