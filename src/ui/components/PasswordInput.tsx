import { useInput } from 'ink';
import { useEffect } from 'react';
import { useLatestStore } from '../hooks/use-latest-store.ts';
import { usePasteGate } from '../hooks/use-paste-gate.ts';
import { commandFor, type InputKey, isForwardDelete, keyName } from '../input/key-bindings.ts';
import { INPUT_KEYMAP, type InputCommand } from '../input/keymap.ts';
import {
  charLeft,
  charRight,
  deleteBackward,
  deleteForward,
  insertText,
  killToStart,
  type LineState,
} from '../input/line-edit.ts';
import { InputBox } from './InputBox.tsx';

/** Props of {@link PasswordInput}. */
export type PasswordInputProps = {
  /** Shown before the stars, e.g. `'password for alice@localhost: '`. */
  prompt: string;
  /** Columns for the prompt and the stars together. */
  width: number;
  /** Enter on a non-empty password. */
  onSubmit: (password: string) => void;
  /** The screen row it is drawn on, for the terminal's cursor (see `InputBox`). */
  cursorRow?: number | undefined;
};

/**
 * The input line's edits a password takes. Word moves and deletes are left
 * out: where they stop would tell where the spaces are.
 */
const PASSWORD_EDITS: Partial<Record<InputCommand, (line: LineState) => LineState>> = {
  charLeft,
  charRight,
  deleteBackward,
  deleteForward,
  killToStart,
};

const EMPTY: LineState = { value: '', cursor: 0 };

/** The password after one key press, or `undefined` when the key is not the field's. */
function passwordKey(line: LineState, input: string, key: InputKey): LineState | undefined {
  const command = commandFor(INPUT_KEYMAP, input, key);
  if (command !== undefined) return PASSWORD_EDITS[command]?.(line);
  if (input === '' || key.ctrl || key.meta || keyName(key) !== undefined) return undefined;
  return insertText(line, input.replace(/[\r\n]/g, ''));
}

/**
 * The input row while the server waits for a password: the prompt, then a
 * `*` per character typed, never the characters. Backspace and Left/Right
 * edit, Ctrl+U clears, a paste (a password manager's) goes in without its
 * line breaks.
 */
export function PasswordInput({ prompt, width, onSubmit, cursorRow }: PasswordInputProps) {
  const [line, store] = useLatestStore(() => EMPTY);
  const paste = usePasteGate();
  useEffect(
    () =>
      paste.setTarget((text) => store.set(insertText(store.get(), text.replace(/[\r\n]/g, '')))),
    [paste, store],
  );
  useInput((input, key) => {
    if (paste.consumed()) return;
    const keys = isForwardDelete(paste.raw()) ? { ...key, forwardDelete: true } : key;
    if (commandFor(INPUT_KEYMAP, input, keys) === 'submit') {
      const password = store.get().value;
      if (password === '') return;
      onSubmit(password);
      store.set(EMPTY);
      return;
    }
    const next = passwordKey(store.get(), input, keys);
    if (next !== undefined) store.set(next);
  });
  return (
    <InputBox
      prompt={prompt}
      width={width}
      value={line.value}
      cursor={line.cursor}
      focus
      mask="*"
      cursorRow={cursorRow}
    />
  );
}
