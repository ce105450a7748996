import { useInput } from 'ink';
import { useCallback, useRef, useState } from 'react';
import type { CompletionCandidates } from '../input/completion.ts';
import {
  applyInputKey,
  editInput,
  type InputState,
  initialInputState,
  submitInput,
} from '../input/input-keys.ts';

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
};

/**
 * Owns the input box's draft, its history and Tab completion, and binds the
 * editing keys the patched ink-text-input leaves alone (see `applyInputKey`
 * for the list): Up/Down, Tab, Alt+Enter, Ctrl+A/E/B/F/W/U/K/D,
 * Ctrl/Alt+Left/Right, Alt+B/F, Alt+Backspace.
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

  const commit = useCallback((next: InputState) => {
    if (next === stateRef.current) return;
    stateRef.current = next;
    setState(next);
  }, []);

  useInput(
    useCallback(
      (input, key) => {
        const next = applyInputKey(stateRef.current, input, key, optionsRef.current.candidates);
        if (next !== undefined) commit(next);
      },
      [commit],
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

  return { value: state.value, cursor: state.cursor, onChange, submit, setValue };
}
