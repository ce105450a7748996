import type { EventEmitter } from 'node:events';
import { useInput, useStdin } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CompletionCandidates } from '../input/completion.ts';
import {
  applyInputKey,
  editInput,
  type InputState,
  initialInputState,
  submitInput,
} from '../input/input-keys.ts';
import { isForwardDelete } from '../input/key-bindings.ts';
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
 * paste, or an answer to the "paste N lines?" question, which no key handler
 * should act on. A finished paste goes to the target (the focused input box):
 * at once, or after Enter when it has more than a few lines.
 */
export class PasteGate {
  private reader: PasteReader = idlePasteReader;
  private consumedNow = false;
  private rawNow = '';
  private waiting: PendingPaste | undefined;
  private target: ((text: string) => void) | undefined;
  private users = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly emitter: EventEmitter) {}

  /** Whether the input event being dispatched belongs to a paste or answers its question. */
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
      this.reader = idlePasteReader;
      this.consumedNow = false;
    };
  }

  private readonly onEvent = (event: unknown): void => {
    this.rawNow = String(event);
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

/** Options of {@link useInputKeys}. */
export type InputKeysOptions = {
  /** What Tab completes, read at each press (a new object each render is fine). */
  candidates: CompletionCandidates;
  /**
   * Enter on a non-blank draft, with the draft (inner newlines kept). Return
   * `false` to keep the draft in the input (say, the command was refused);
   * anything else clears it and records it in the history.
   */
  onSubmit: (line: string) => unknown;
  /** Whether keys are read; default true. */
  focus?: boolean;
  /** Lines of input history kept; default 500. */
  maxHistory?: number;
};

/** What {@link useInputKeys} gives to `InputBox` and to the app. */
export type InputKeys = {
  /** The draft. */
  value: string;
  /** The cursor, in UTF-16 code units. */
  cursor: number;
  /** For `InputBox`'s `onChange`. */
  onChange: (value: string, cursor: number) => void;
  /**
   * For `InputBox`'s `onSubmit`: submits the draft as this hook last saw it
   * (any argument is ignored: it may come from an older render).
   */
  submit: () => void;
  /** Replaces the draft (e.g. `'/msg bob '`); the cursor goes to the end unless given. */
  setValue: (value: string, cursor?: number) => void;
  /** The newest draft and cursor, rendered or not (for `InputBox`'s `current`). */
  read: () => { value: string; cursor: number };
};

/**
 * Owns the input box's draft, its history and Tab completion, and binds the
 * editing keys of `INPUT_KEYMAP` the patched ink-text-input leaves alone
 * (see `applyInputKey`): Up/Down, Tab, Alt+Enter, Ctrl+A/E/B/F/W/U/K/D,
 * Ctrl/Alt+Left/Right, Alt+B/F, Alt+Backspace, Delete. Events that are part of a
 * bracketed paste, or answer its question, are left alone (see
 * {@link PasteGate}; `InputBox` inserts the paste).
 *
 * Not handled here, for an app-level `useInput` (every `useInput` sees every
 * key): Esc (never touches the draft), PageUp/PageDown, Home/End, Ctrl+C
 * (`value` tells whether the draft is empty; render with `exitOnCtrlC:
 * false`), Ctrl+D on an empty draft, Ctrl+L, Ctrl+N/P, Alt+1..9, Alt+A.
 */
export function useInputKeys(options: InputKeysOptions): InputKeys {
  const { focus = true, maxHistory = 500 } = options;
  const [state, setState] = useState<InputState>(() => initialInputState(maxHistory));
  // Keys can arrive before React re-renders and re-subscribes the handler:
  // the ref always holds the newest state and options.
  const stateRef = useRef(state);
  const optionsRef = useRef(options);
  optionsRef.current = options;

  const paste = usePasteGate();

  const commit = useCallback((next: InputState) => {
    if (next === stateRef.current) return;
    stateRef.current = next;
    setState(next);
  }, []);

  useInput(
    useCallback(
      (input, key) => {
        // A pasted tab or arrow sequence is text, not a key; keys wait while a paste asks.
        if (paste.consumed()) return;
        const keys = isForwardDelete(paste.raw()) ? { ...key, forwardDelete: true } : key;
        const next = applyInputKey(stateRef.current, input, keys, optionsRef.current.candidates);
        if (next !== undefined) commit(next);
      },
      [commit, paste],
    ),
    { isActive: focus },
  );

  const onChange = useCallback(
    (value: string, cursor: number) => commit(editInput(stateRef.current, value, cursor)),
    [commit],
  );
  const setValue = useCallback(
    (value: string, cursor = value.length) => commit(editInput(stateRef.current, value, cursor)),
    [commit],
  );
  const submit = useCallback(() => {
    const { state: next, line } = submitInput(stateRef.current);
    if (line === undefined) return;
    if (optionsRef.current.onSubmit(line) === false) return;
    commit(next);
  }, [commit]);

  const read = useCallback(
    () => ({ value: stateRef.current.value, cursor: stateRef.current.cursor }),
    [],
  );

  return { value: state.value, cursor: state.cursor, onChange, submit, setValue, read };
}
