import { useState, useSyncExternalStore } from 'react';

/**
 * One value that key handlers read and write, and renders show. Keys can
 * arrive faster than React renders, so each key must build on what the
 * previous key made, not on the last render: handlers use {@link get} and
 * {@link set}, and a render subscribes (see {@link useLatestStore}). It is
 * the one copy; a render's value is a snapshot of it, never synced back.
 */
export class LatestStore<T> {
  private readonly listeners = new Set<() => void>();
  constructor(private value: T) {}

  /** The value now, rendered or not. */
  readonly get = (): T => this.value;

  /** Replaces the value (the same object changes nothing) and tells subscribers. */
  readonly set = (next: T): void => {
    if (Object.is(next, this.value)) return;
    this.value = next;
    for (const listener of this.listeners) listener();
  };

  /** Calls `listener` on every change; returns the unsubscriber. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

/**
 * A {@link LatestStore} for this component's life, made from `initial()` on
 * the first render, and its value as of this render.
 */
export function useLatestStore<T>(initial: () => T): [T, LatestStore<T>] {
  const [store] = useState(() => new LatestStore(initial()));
  return [useSyncExternalStore(store.subscribe, store.get), store];
}
