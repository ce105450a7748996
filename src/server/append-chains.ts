/**
 * One promise chain per conversation: the steps of a conversation run one
 * after another, so its ids are stored, delivered and acknowledged in order
 * even with a store that is slow; steps of different conversations overlap.
 */
export class AppendChains {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Runs `step` once every step queued before it for `conversation` has
   * finished (failed or not); what it throws goes to `onError`.
   */
  run(conversation: string, step: () => Promise<void>, onError: (error: unknown) => void): void {
    const previous = this.tails.get(conversation) ?? Promise.resolve();
    const next = previous.then(step).catch(onError);
    this.tails.set(conversation, next);
    // The map holds only conversations with work in flight.
    void next.then(() => {
      if (this.tails.get(conversation) === next) this.tails.delete(conversation);
    });
  }

  /** Resolves once every step queued so far, in every conversation, has finished. */
  settled(): Promise<unknown> {
    return Promise.all([...this.tails.values()]);
  }
}
