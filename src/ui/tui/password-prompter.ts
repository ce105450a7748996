import type { PasswordRequest } from '../../net/client-types.ts';

/**
 * Carries the client's request for a password to the screen and the typed
 * password back: `ask` is the ChatClient's `password` option, the TUI shows
 * what `current` returns and calls `answer` on Enter. One question at a time:
 * asking again while one is open (a reconnect meanwhile) gets the same answer.
 */
export class PasswordPrompter {
  private open:
    | { request: PasswordRequest; answered: Promise<string>; resolve: (pw: string) => void }
    | undefined;
  private readonly listeners = new Set<() => void>();

  /** For ChatClient's `password` option: resolves with what the person types. */
  readonly ask = (request: PasswordRequest): Promise<string> => {
    if (this.open) return this.open.answered;
    let resolve: (password: string) => void = () => {};
    const answered = new Promise<string>((r) => {
      resolve = r;
    });
    this.open = { request, answered, resolve };
    this.changed();
    return answered;
  };

  /** The question on screen, if any (the same object until it changes). */
  readonly current = (): PasswordRequest | undefined => this.open?.request;

  /** Calls `listener` when `current` changes; returns the unsubscriber. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Answers the open question (nothing happens when none is open). */
  answer(password: string): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    this.changed();
    open.resolve(password);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
