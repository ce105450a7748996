import { useInput } from 'ink';
import { useCallback, useEffect, useRef } from 'react';
import type { CompletionCandidates } from '../input/completion.ts';
import {
  applyInputKey,
  cancelEditing,
  type EditTarget,
  editInput,
  initialInputState,
  type LastOwn,
  startEditing,
  submitInput,
} from '../input/input-keys.ts';
import { commandFor, isForwardDelete } from '../input/key-bindings.ts';
import { INPUT_KEYMAP, type InputCommand } from '../input/keymap.ts';
import { insertText } from '../input/line-edit.ts';
import { useLatestStore } from './use-latest-store.ts';
import { usePasteGate } from './use-paste-gate.ts';

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
  /**
   * The user's last message in the current conversation (read at each Up on
   * an empty draft, which puts it into the input to edit); absent: Up only
   * walks the history.
   */
  lastOwn?: LastOwn;
  /** Enter while editing, with the message and its new text; `false` keeps the draft. */
  onEdit?: (target: EditTarget, text: string) => unknown;
  /** Whether keys (and pastes) go to this draft; default true. */
  focus?: boolean;
  /**
   * Commands whose keys another handler has for now (the help takes Up and
   * Down while it shows): they do nothing here meanwhile; typing goes on.
   */
  taken?: ReadonlySet<InputCommand>;
  /** Lines of input history kept; default 500. */
  maxHistory?: number;
};

/** What {@link useInputKeys} gives to `InputBox` and to the app. */
export type InputKeys = {
  /** The draft, as of this render. */
  value: string;
  /** The cursor, in UTF-16 code units, as of this render. */
  cursor: number;
  /** The draft now, rendered or not (a key handler may run before the next render). */
  draft: () => string;
  /** Replaces the draft (e.g. `'/msg bob '`); the cursor goes to the end unless given. */
  setValue: (value: string, cursor?: number) => void;
  /** The message being edited, as of this render. */
  editing: EditTarget | undefined;
  /** Puts `target`'s text into the draft to edit it (`/edit`). */
  startEdit: (target: EditTarget) => void;
};

/**
 * Owns the input line's draft, its history and Tab completion, and reads
 * every key that edits it: the commands of `INPUT_KEYMAP` and typing (see
 * `applyInputKey`); Enter submits. A bracketed paste (see `PasteGate`) is
 * inserted at the cursor as one piece; the events that carry it, or answer
 * its question, are no keys here. `InputBox` only draws what this holds.
 *
 * Keys of the screen (`SCREEN_KEYMAP`: Esc, PageUp, Ctrl+C...) are left to
 * an app-level `useInput` (every `useInput` sees every key); render with
 * `exitOnCtrlC: false`.
 */
export function useInputKeys(options: InputKeysOptions): InputKeys {
  const { focus = true, maxHistory = 500 } = options;
  // The one copy of the draft: keys read and write it there, renders show it.
  const [state, store] = useLatestStore(() => initialInputState(maxHistory));
  // The newest options for handlers subscribed at an older render.
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const paste = usePasteGate();

  const submit = useCallback(() => {
    const { state: next, line, edit } = submitInput(store.get());
    if (line === undefined) {
      if (next !== store.get()) store.set(next); // an edit left unchanged just ends
      return;
    }
    const { onSubmit, onEdit } = optionsRef.current;
    if (edit !== undefined) {
      if (onEdit?.(edit, line) === false) return;
    } else if (onSubmit(line) === false) return;
    store.set(next);
  }, [store]);

  useInput(
    useCallback(
      (input, key) => {
        // A pasted tab or arrow sequence is text, not a key; keys wait while a paste asks.
        if (paste.consumed()) return;
        const keys = isForwardDelete(paste.raw()) ? { ...key, forwardDelete: true } : key;
        const command = commandFor(INPUT_KEYMAP, input, keys);
        if (command !== undefined && optionsRef.current.taken?.has(command)) return;
        if (command === 'submit') return submit();
        // Esc ends an edit (the screen's handler sees it too: it closes overlays).
        if (key.escape && store.get().editing !== undefined) {
          return store.set(cancelEditing(store.get()));
        }
        const { candidates, lastOwn } = optionsRef.current;
        const next = applyInputKey(store.get(), input, keys, candidates, lastOwn);
        if (next !== undefined) store.set(next);
      },
      [paste, store, submit],
    ),
    { isActive: focus },
  );

  useEffect(() => {
    if (!focus) return;
    return paste.setTarget((text) => {
      const now = store.get();
      const line = insertText(now, text);
      store.set(editInput(now, line.value, line.cursor));
    });
  }, [paste, focus, store]);

  const setValue = useCallback(
    (value: string, cursor = value.length) => store.set(editInput(store.get(), value, cursor)),
    [store],
  );
  const draft = useCallback(() => store.get().value, [store]);
  const startEdit = useCallback(
    (target: EditTarget) => store.set(startEditing(store.get(), target)),
    [store],
  );

  return {
    value: state.value,
    cursor: state.cursor,
    draft,
    setValue,
    editing: state.editing,
    startEdit,
  };
}
