import type { StoredMessage } from '../net/protocol/frames.ts';

/** What a DeliveryGate is built from. */
export interface DeliveryGateDeps {
  /** Hands a message to this node's members of its conversation; called in id order. */
  deliver: (conversation: string, message: StoredMessage) => void;
  /** The kept messages of a conversation above `afterId`, oldest first, at most `limit`. */
  read: (conversation: string, afterId: number, limit: number) => Promise<StoredMessage[]>;
  /** A read to fill a gap failed: it is tried again on the next message or reconnect. */
  onError: (error: unknown, conversation: string) => void;
  /** How long a message waits for the ids before it before they are read from the store, in ms. */
  gapWaitMs: number;
}

/** Messages read per store read while filling a gap. */
const FILL_PAGE = 500;

/**
 * Puts every conversation's messages, from this node and from the others,
 * into id order for this node's connections, each once. A message whose
 * predecessors have not arrived waits for them (the feed brings each
 * conversation's records in the order kept, so they are usually on their
 * way); past `gapWaitMs`, or after the feed was lost, the missing ids are
 * read from the store. The ids of one conversation are dense, so a gap is
 * always visible.
 */
export class DeliveryGate {
  private readonly delivered = new Map<string, number>();
  private readonly waiting = new Map<string, Map<number, StoredMessage>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly filling = new Set<string>();
  /** Per conversation being filled, a newer id asked for meanwhile (a catch-up): the fill goes on to it. */
  private readonly fillTo = new Map<string, number>();
  /** Per conversation, what waits for an id to be handed on (an edit's update), in the order asked. */
  private readonly after = new Map<string, Array<{ id: number; run: () => void }>>();

  constructor(private readonly deps: DeliveryGateDeps) {}

  /** Ids up to these were kept before this node listened: they are history, not live. */
  seed(lastIds: ReadonlyMap<string, number>): void {
    for (const [conversation, id] of lastIds) {
      if (id > (this.delivered.get(conversation) ?? 0)) this.delivered.set(conversation, id);
      this.release(conversation);
    }
  }

  /** The newest id of a conversation handed on (0: none). */
  deliveredId(conversation: string): number {
    return this.delivered.get(conversation) ?? 0;
  }

  /** A kept message, from this node or another: handed on in its turn, or dropped when it was already. */
  offer(conversation: string, message: StoredMessage): void {
    const done = this.deliveredId(conversation);
    if (message.id <= done) return;
    if (message.id === done + 1 && !this.filling.has(conversation)) {
      this.handOn(conversation, message);
      this.release(conversation);
      return;
    }
    let held = this.waiting.get(conversation);
    if (!held) {
      held = new Map();
      this.waiting.set(conversation, held);
    }
    held.set(message.id, message);
    if (!this.timers.has(conversation) && !this.filling.has(conversation)) {
      const timer = setTimeout(() => {
        this.timers.delete(conversation);
        const ids = [...(this.waiting.get(conversation)?.keys() ?? [])];
        if (ids.length > 0) void this.fill(conversation, Math.max(...ids));
      }, this.deps.gapWaitMs);
      this.timers.set(conversation, timer);
    }
  }

  /**
   * The feed was lost and is back: for every conversation whose newest kept
   * id (`lastIds`, from the store) is past what was handed on, read the rest.
   */
  catchUp(lastIds: ReadonlyMap<string, number>): void {
    for (const [conversation, id] of lastIds)
      if (id > this.deliveredId(conversation)) void this.fill(conversation, id);
  }

  /**
   * Runs `run` once message `id` of the conversation was handed on (at
   * once when it was): an edit or deletion's update never overtakes the
   * message it changes, which may still wait here for the ids before it.
   */
  afterDelivered(conversation: string, id: number, run: () => void): void {
    if (id <= this.deliveredId(conversation)) {
      run();
      return;
    }
    const queue = this.after.get(conversation) ?? [];
    this.after.set(conversation, queue);
    queue.push({ id, run });
  }

  /** Stops the timers (the node is closing). */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  // Reads what is missing up to `upTo` from the store and hands it on with
  // what was waiting. Ids the store no longer keeps (trimmed) are skipped:
  // nothing can bring them back.
  private async fill(conversation: string, upTo: number): Promise<void> {
    if (this.filling.has(conversation)) {
      if (upTo > (this.fillTo.get(conversation) ?? 0)) this.fillTo.set(conversation, upTo);
      return;
    }
    this.filling.add(conversation);
    clearTimeout(this.timers.get(conversation));
    this.timers.delete(conversation);
    try {
      for (;;) {
        const target = Math.max(upTo, this.fillTo.get(conversation) ?? 0);
        const after = this.deliveredId(conversation);
        if (after >= target) break;
        const page = await this.deps.read(conversation, after, Math.min(FILL_PAGE, target - after));
        for (const message of page)
          if (message.id > this.deliveredId(conversation)) this.handOn(conversation, message);
        if (page.length === 0) {
          // Not kept any more: go on from the oldest message still waiting.
          const held = [...(this.waiting.get(conversation)?.keys() ?? [])].filter(
            (id) => id > after,
          );
          if (held.length === 0) break;
          this.delivered.set(conversation, Math.min(...held) - 1);
        }
        this.release(conversation);
      }
    } catch (error) {
      this.deps.onError(error, conversation);
    } finally {
      this.filling.delete(conversation);
      this.fillTo.delete(conversation);
    }
    this.release(conversation);
    // Whatever still waits beyond a hole gets its own wait.
    const rest = this.waiting.get(conversation);
    const next = rest && [...rest.values()][0];
    if (next) {
      rest.delete(next.id);
      this.offer(conversation, next);
    }
  }

  // Hands on the messages that waited for the ones now delivered.
  private release(conversation: string): void {
    const held = this.waiting.get(conversation);
    for (;;) {
      const next = held?.get(this.deliveredId(conversation) + 1);
      if (!held || !next) break;
      held.delete(next.id);
      this.handOn(conversation, next);
    }
    this.runAfter(conversation);
    if (!held) return;
    for (const id of held.keys()) if (id <= this.deliveredId(conversation)) held.delete(id);
    if (held.size === 0) {
      this.waiting.delete(conversation);
      clearTimeout(this.timers.get(conversation));
      this.timers.delete(conversation);
    }
  }

  // What waited for ids handed on by now, in the order it was asked for.
  private runAfter(conversation: string): void {
    const queue = this.after.get(conversation);
    if (!queue) return;
    const done = this.deliveredId(conversation);
    const ready = queue.filter(({ id }) => id <= done);
    if (ready.length === 0) return;
    const rest = queue.filter(({ id }) => id > done);
    if (rest.length === 0) this.after.delete(conversation);
    else this.after.set(conversation, rest);
    for (const { run } of ready) run();
  }

  private handOn(conversation: string, message: StoredMessage): void {
    this.delivered.set(conversation, message.id);
    this.deps.deliver(conversation, message);
  }
}
