import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react';
import { useColor } from '../hooks/use-color.ts';
import { usePasteGate } from '../hooks/use-input-keys.ts';
import { inputWindow } from '../input/input-window.ts';
import { isForwardDelete } from '../input/key-bindings.ts';
import { insertText } from '../input/line-edit.ts';
import { pasteQuestion } from '../input/paste.ts';
import { neutralizeLine } from '../text/sanitize.ts';
import { displayWidth, truncate } from '../text/wrap.ts';

/** Columns kept for the text when the prompt is long (the prompt is cut first). */
const MIN_FIELD = 10;

/** Props of {@link InputBox}. */
export type InputBoxProps = {
  /** Shown before the text, e.g. `'[#general] '`. */
  prompt: string;
  /** Columns for the prompt and the text together. */
  width: number;
  /** The draft; line breaks show as '↵'. */
  value: string;
  /** Cursor in UTF-16 code units from the start of `value`. */
  cursor: number;
  /** Typing, a paste, Backspace or Left/Right changed the draft or moved the cursor. */
  onChange: (value: string, cursor: number) => void;
  /** Enter, with the draft as of the last render (a hook may prefer its own newer state). */
  onSubmit: (value: string) => void;
  /** Whether this box reads keys and shows its cursor. */
  focus: boolean;
  /**
   * The newest draft and cursor, read at every key: keys can arrive faster
   * than renders, and the owner changes the draft too (Enter clears it,
   * Ctrl+U kills, Up recalls), so `value` may be stale. Default: the props.
   */
  current?: () => { value: string; cursor: number };
};

/**
 * The one-line input: the prompt, then the draft in the patched
 * ink-text-input with a controlled cursor, scrolled sideways so the cursor
 * stays visible ('…' marks a cut side). Only the visible part is given to
 * the text input; its edits happen at the cursor, inside that part, and are
 * mapped back onto the whole draft.
 *
 * A bracketed paste (see `PasteGate`) is inserted at the cursor as one
 * piece, line breaks included, and its markers never reach the text. A paste
 * of more than a few lines first replaces the draft's row with
 * "paste N lines? Enter: insert, Esc: cancel"; Esc keeps the draft as it was.
 */
export function InputBox({
  prompt,
  width,
  value,
  cursor,
  onChange,
  onSubmit,
  focus,
  current,
}: InputBoxProps) {
  const columns = Math.max(1, Math.floor(width));
  const shownPrompt = truncate(neutralizeLine(prompt), Math.max(0, columns - MIN_FIELD));
  const field = Math.max(1, columns - displayWidth(shownPrompt));
  const tint = useColor();
  const scroll = useRef(0);
  const view = inputWindow(value, cursor, field, scroll.current);
  scroll.current = view.start;

  // The text input reports a change as onChange then onCursorOffsetChange in
  // one key press; each report carries the other's latest half.
  const latest = useRef({ value, cursor });
  latest.current = { value, cursor };
  const changed = useRef(onChange);
  changed.current = onChange;
  // The part of the draft the text input edits, as of the last key (or render).
  const shownPart = useRef({ value, start: view.start, end: view.end });
  shownPart.current = { value, start: view.start, end: view.end };
  const owner = useRef(current);
  owner.current = current;
  // Stable, so the paste target set once below reads the newest draft too.
  const read = useCallback(() => {
    if (owner.current !== undefined) latest.current = owner.current();
    return latest.current;
  }, []);
  const pull = () => {
    const now = read();
    const part = inputWindow(now.value, now.cursor, field, scroll.current);
    shownPart.current = { value: now.value, start: part.start, end: part.end };
    return { value: now.value.slice(part.start, part.end), cursor: now.cursor - part.start };
  };

  // The text input sees every input event, pasted pieces and markers
  // included: what it makes of those is dropped, the paste is inserted whole.
  const paste = usePasteGate();
  const pending = useSyncExternalStore(paste.subscribe, paste.pending);
  useEffect(() => {
    if (!focus) return;
    return paste.setTarget((text) => {
      latest.current = insertText(read(), text);
      changed.current(latest.current.value, latest.current.cursor);
    });
  }, [paste, focus, read]);

  const changeValue = (shown: string) => {
    if (paste.consumed()) return;
    const { value: whole, start, end } = shownPart.current;
    const cursorNow = read().cursor;
    latest.current = { value: whole.slice(0, start) + shown + whole.slice(end), cursor: cursorNow };
    shownPart.current = { value: latest.current.value, start, end: start + shown.length };
    onChange(latest.current.value, latest.current.cursor);
  };
  const moveCursor = (offset: number) => {
    if (paste.consumed()) return;
    latest.current = { value: read().value, cursor: shownPart.current.start + offset };
    onChange(latest.current.value, latest.current.cursor);
  };
  const submit = () => {
    if (!paste.consumed()) onSubmit(read().value);
  };

  if (pending !== undefined) {
    return (
      <Box width={columns} height={1} overflow="hidden">
        <Box flexShrink={0}>
          <Text>{shownPrompt}</Text>
        </Box>
        <Text color={tint('yellow')}>{truncate(pasteQuestion(pending.lines), field)}</Text>
      </Box>
    );
  }

  return (
    <Box width={columns} height={1} overflow="hidden">
      <Box flexShrink={0}>
        <Text>{shownPrompt}</Text>
      </Box>
      {view.cutLeft ? <Text dimColor>…</Text> : null}
      <TextInput
        value={value.slice(view.start, view.end)}
        cursorOffset={cursor - view.start}
        onChange={changeValue}
        onCursorOffsetChange={moveCursor}
        // Delete (not Backspace, though ink names both alike) is bound in useInputKeys.
        accept={() => !paste.consumed() && !isForwardDelete(paste.raw())}
        current={pull}
        onSubmit={submit}
        focus={focus}
      />
      {view.cutRight ? <Text dimColor>…</Text> : null}
    </Box>
  );
}
