/** One append waiting for its batch: settled with what the batch's write answers for it. */
export interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Appends to one conversation go to the store one batch at a time: while a
 * batch is being written, later appends wait and then go together as the
 * next. Order within a conversation holds (a batch is written whole before
 * the next begins), and a store that syncs per write takes many appends per
 * sync, as a pipeline would, without a later append overtaking one that
 * must be retried. Conversations do not wait for each other.
 */
export class AppendBatches<T, R> {
  private readonly queues = new Map<string, Array<Waiting<T, R>>>();

  /**
   * `write` settles every waiting append of the batch it is given (each
   * exactly once) and resolves when it has; it never rejects.
   */
  constructor(
    private readonly write: (conversation: string, batch: Array<Waiting<T, R>>) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  add(conversation: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queue = this.queues.get(conversation);
      if (queue) {
        queue.push({ item, resolve, reject });
        return;
      }
      this.queues.set(conversation, [{ item, resolve, reject }]);
      void this.drain(conversation);
    });
  }

  // The queue's presence in the map means a drain runs for it.
  private async drain(conversation: string): Promise<void> {
    const queue = this.queues.get(conversation) ?? [];
    while (queue.length > 0) await this.write(conversation, queue.splice(0, this.maxBatch));
    this.queues.delete(conversation);
  }
}
