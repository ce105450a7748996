import type { EventEmitter } from 'node:events';
import { useStdin } from 'ink';
import { useEffect, useSyncExternalStore } from 'react';
import { focusReportOf } from '../input/focus-report.ts';

/**
 * Whether the terminal's window has focus, from its focus reports (`CSI I`,
 * `CSI O`; `runFullscreen` turns them on). Until a report comes, and in a
 * terminal that sends none, the window counts as focused: a message is
 * taken as seen and no desktop notification is sent, as before focus
 * reporting. One per Ink app (see {@link useTerminalFocusStore}); the
 * events themselves are kept from key handlers by `PasteGate`.
 */
export class TerminalFocus {
  private focusedNow = true;
  private users = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly emitter: EventEmitter) {}

  /** True unless the terminal's last focus report said it lost focus. */
  readonly focused = (): boolean => this.focusedNow;

  /** Calls `listener` when {@link focused} changes; returns the unsubscriber. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Starts listening for a user (counted); returns the stopper. */
  attach(): () => void {
    if (this.users++ === 0) this.emitter.on('input', this.onEvent);
    return () => {
      if (--this.users === 0) this.emitter.removeListener('input', this.onEvent);
    };
  }

  private readonly onEvent = (event: unknown): void => {
    const report = focusReportOf(String(event));
    if (report === undefined || (report === 'in') === this.focusedNow) return;
    this.focusedNow = report === 'in';
    for (const listener of this.listeners) listener();
  };
}

const stores = new WeakMap<EventEmitter, TerminalFocus>();

/**
 * The {@link TerminalFocus} of the Ink app this component is in, listening
 * while the component is mounted: for code that reads the focus when
 * something happens (`focused()`) rather than on each render.
 */
export function useTerminalFocusStore(): TerminalFocus {
  const { internal_eventEmitter: emitter, isRawModeSupported, setRawMode } = useStdin();
  let store = stores.get(emitter);
  if (store === undefined) {
    store = new TerminalFocus(emitter);
    stores.set(emitter, store);
  }
  useEffect(() => {
    const detach = store.attach();
    // Ink reads stdin only in raw mode: reports must come in even while no key handler listens.
    if (isRawModeSupported) setRawMode(true);
    return () => {
      if (isRawModeSupported) setRawMode(false);
      detach();
    };
  }, [store, isRawModeSupported, setRawMode]);
  return store;
}

/** Whether the terminal has focus (unknown counts as focused); renders again when it changes. */
export function useTerminalFocus(): boolean {
  const store = useTerminalFocusStore();
  return useSyncExternalStore(store.subscribe, store.focused);
}
