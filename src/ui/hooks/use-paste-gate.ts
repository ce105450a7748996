import type { EventEmitter } from 'node:events';
import { useStdin } from 'ink';
import { useEffect } from 'react';
import { focusReportOf } from '../input/focus-report.ts';
import {
  idleMouseReader,
  type MouseReader,
  type MouseReport,
  readMouseEvent,
} from '../input/mouse.ts';
import {
  endPaste,
  idlePasteReader,
  type PasteRead,
  type PasteReader,
  pasteAnswer,
  pasteLineCount,
  pasteNeedsAsking,
  readPasteEvent,
} from '../input/paste.ts';

/** A paste whose end marker has not come after this long (ms) is taken as ended. */
const PASTE_TIMEOUT_MS = 2_000;
/**
 * The start of a mouse report whose rest has not come after this long (ms)
 * is let go: the rest of a report split across reads comes at once, and
 * what comes later is typed.
 */
const MOUSE_HOLD_MS = 500;

/** A long paste waiting for Enter (insert) or Esc (cancel). */
export type PendingPaste = {
  /** The cleaned text. */
  readonly text: string;
  /** Its lines (see `pasteLineCount`). */
  readonly lines: number;
};

/**
 * Bracketed paste for one Ink app, shared by every component through
 * {@link usePasteGate}. It listens to Ink's input events ahead of every
 * `useInput` handler (it is prepended), so while an event is dispatched
 * {@link PasteGate.consumed} tells each handler whether the event is part of a
 * paste, or an answer to the "paste N lines?" question, or a terminal focus
 * report (read by `TerminalFocus`), or (part of) a mouse report (handed to
 * {@link PasteGate.onMouse}'s listeners), which no key handler should act
 * on. A finished paste goes to the target (the focused input box):
 * at once, or after Enter when it has more than a few lines. The target is
 * whoever owns the focused draft (`useInputKeys`, `PasswordInput`).
 */
export class PasteGate {
  private reader: PasteReader = idlePasteReader;
  private mouse: MouseReader = idleMouseReader;
  private readonly mouseListeners = new Set<(report: MouseReport) => void>();
  private consumedNow = false;
  private rawNow = '';
  private waiting: PendingPaste | undefined;
  private target: ((text: string) => void) | undefined;
  private users = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private mouseTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly emitter: EventEmitter) {}

  /** Whether the input event being dispatched belongs to a paste, answers its question, or reports focus. */
  readonly consumed = (): boolean => this.consumedNow;

  /** The raw text of the input event being dispatched (ink's `Key` cannot tell some keys apart). */
  readonly raw = (): string => this.rawNow;

  /** The long paste waiting for an answer, if any (the same object until it changes). */
  readonly pending = (): PendingPaste | undefined => this.waiting;

  /** Calls `listener` when {@link pending} changes; returns the unsubscriber. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Calls `listener` with each mouse report read; returns the unsubscriber. */
  readonly onMouse = (listener: (report: MouseReport) => void): (() => void) => {
    this.mouseListeners.add(listener);
    return () => this.mouseListeners.delete(listener);
  };

  /**
   * Makes `insert` the one that receives finished pastes (the focused input
   * box); returns the undoer, which also drops a waiting paste.
   */
  setTarget(insert: (text: string) => void): () => void {
    this.target = insert;
    return () => {
      if (this.target !== insert) return;
      this.target = undefined;
      this.setPending(undefined);
    };
  }

  /** Starts listening for a user (counted); returns the stopper. */
  attach(): () => void {
    if (this.users++ === 0) this.emitter.prependListener('input', this.onEvent);
    return () => {
      if (--this.users > 0) return;
      this.emitter.removeListener('input', this.onEvent);
      this.clearTimer();
      this.clearMouseTimer();
      this.reader = idlePasteReader;
      this.mouse = idleMouseReader;
      this.consumedNow = false;
    };
  }

  private readonly onEvent = (event: unknown): void => {
    this.rawNow = String(event);
    // A focus report is neither a key nor pasted text, even in the middle of a paste.
    if (focusReportOf(this.rawNow) !== undefined) {
      this.consumedNow = true;
      return;
    }
    if (!this.reader.inside && this.readMouse(this.rawNow)) return;
    const step = readPasteEvent(this.reader, this.rawNow);
    this.consumedNow = step.consumed;
    this.apply(step);
    if (step.consumed || this.waiting === undefined) return;
    // Every key is held while the question is shown; Enter and Esc answer it.
    this.consumedNow = true;
    const answer = pasteAnswer(String(event));
    if (answer === undefined) return;
    const { text } = this.waiting;
    this.setPending(undefined);
    if (answer === 'insert') this.target?.(text);
  };

  /** Reads `event` as (part of) a mouse report; true when it was one, and is consumed. */
  private readMouse(event: string): boolean {
    const step = readMouseEvent(this.mouse, event);
    this.mouse = step.reader;
    this.clearMouseTimer();
    if (this.mouse.partial !== '') {
      this.mouseTimer = setTimeout(() => {
        this.mouseTimer = undefined;
        this.mouse = idleMouseReader;
      }, MOUSE_HOLD_MS);
      this.mouseTimer.unref?.();
    }
    if (!step.consumed) return false;
    this.consumedNow = true;
    // An ESC[ held as the start of a paste marker was this report's.
    this.reader = idlePasteReader;
    if (step.report !== undefined) {
      for (const listener of this.mouseListeners) listener(step.report);
    }
    if (step.rest !== undefined) {
      // Keys typed in the read that finished a split report: an event of
      // their own, dispatched now, before Ink's loop goes on to the events
      // that came after them in the same read (Enter, Backspace).
      this.emitter.emit('input', step.rest);
      // The other listeners of this event still see it as a report.
      this.consumedNow = true;
      this.rawNow = event;
    }
    return true;
  }

  private apply(step: PasteRead): void {
    this.reader = step.reader;
    this.clearTimer();
    if (this.reader.inside) {
      this.timer = setTimeout(() => this.apply(endPaste(this.reader)), PASTE_TIMEOUT_MS);
      this.timer.unref?.();
    }
    if (step.pasted === undefined || step.pasted === '') return;
    // A newer paste replaces one still waiting.
    if (this.target && pasteNeedsAsking(step.pasted)) {
      this.setPending({ text: step.pasted, lines: pasteLineCount(step.pasted) });
    } else {
      this.setPending(undefined);
      this.target?.(step.pasted);
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private clearMouseTimer(): void {
    if (this.mouseTimer !== undefined) clearTimeout(this.mouseTimer);
    this.mouseTimer = undefined;
  }

  private setPending(next: PendingPaste | undefined): void {
    if (next === this.waiting) return;
    this.waiting = next;
    for (const listener of this.listeners) listener();
  }
}

const gates = new WeakMap<EventEmitter, PasteGate>();

/**
 * The {@link PasteGate} of the Ink app this component is in (one per app),
 * listening while the component is mounted.
 */
export function usePasteGate(): PasteGate {
  const emitter = useStdin().internal_eventEmitter;
  let gate = gates.get(emitter);
  if (gate === undefined) {
    gate = new PasteGate(emitter);
    gates.set(emitter, gate);
  }
  useEffect(() => gate.attach(), [gate]);
  return gate;
}
