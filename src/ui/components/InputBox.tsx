import { Box, Text, useCursor } from 'ink';
import { useRef, useSyncExternalStore } from 'react';
import { useColor } from '../hooks/use-color.ts';
import { usePasteGate } from '../hooks/use-paste-gate.ts';
import { inputWindow } from '../input/input-window.ts';
import { pasteQuestion } from '../input/paste.ts';
import { neutralizeLine } from '../text/sanitize.ts';
import { displayWidth, truncate } from '../text/wrap.ts';

/** Columns kept for the text when the prompt is long (the prompt is cut first). */
const MIN_FIELD = 10;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

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
  /** Whether the cursor is shown (the keys themselves are read by the draft's owner). */
  focus: boolean;
  /** Shown once per grapheme instead of the text (a password's `*`). */
  mask?: string;
  /**
   * The screen row the box is drawn on, from 0: given, the terminal's own
   * cursor is placed in the text (see `TerminalCursorContext`) instead of
   * a drawn one.
   */
  cursorRow?: number | undefined;
};

/** A line break in the draft shows as one visible mark: the input is one row. */
function visible(text: string): string {
  return text.replace(/\r\n|[\r\n]/g, '\u21b5');
}

/**
 * The text of the field with the cursor drawn inverse on the grapheme at
 * `cursor` (a blank after the end): before, at, after.
 */
function cursorParts(text: string, cursor: number): [string, string, string] {
  for (const { segment, index } of graphemes.segment(text)) {
    if (index >= cursor) {
      return [text.slice(0, index), segment, text.slice(index + segment.length)];
    }
  }
  return [text, ' ', ''];
}

/**
 * The one-line input, drawn: the prompt, then the draft scrolled sideways
 * so the cursor stays visible ('…' marks a cut side). It reads no keys:
 * the draft and its keys belong to `useInputKeys` (or, for a password, to
 * `PasswordInput`), which pass the draft in.
 *
 * While a bracketed paste of more than a few lines waits (see `PasteGate`),
 * the draft's row reads "paste N lines? Enter: insert, Esc: cancel".
 */
export function InputBox({ prompt, width, value, cursor, focus, mask, cursorRow }: InputBoxProps) {
  const columns = Math.max(1, Math.floor(width));
  const shownPrompt = truncate(neutralizeLine(prompt), Math.max(0, columns - MIN_FIELD));
  const field = Math.max(1, columns - displayWidth(shownPrompt));
  const tint = useColor();
  const shown = mask === undefined ? value : maskText(value, mask);
  const at = mask === undefined ? cursor : maskText(value.slice(0, cursor), mask).length;
  // Where the last window started, so the text does not jump while the cursor moves.
  const scroll = useRef(0);
  const view = inputWindow(shown, at, field, scroll.current);
  scroll.current = view.start;

  const paste = usePasteGate();
  const pending = useSyncExternalStore(paste.subscribe, paste.pending);
  const part = shown.slice(view.start, view.end);
  const [before, under, after] = focus ? cursorParts(part, at - view.start) : [part, '', ''];
  const terminalCursor = cursorRow !== undefined && focus && pending === undefined;
  const { setCursorPosition } = useCursor();
  setCursorPosition(
    terminalCursor
      ? {
          x: displayWidth(shownPrompt) + (view.cutLeft ? 1 : 0) + displayWidth(visible(before)),
          y: cursorRow,
        }
      : undefined,
  );
  if (pending !== undefined && focus) {
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
      {terminalCursor ? (
        <Text>{visible(part)}</Text>
      ) : (
        <Text>
          {visible(before)}
          {under === '' ? null : <Text inverse>{visible(under)}</Text>}
          {visible(after)}
        </Text>
      )}
      {view.cutRight ? <Text dimColor>…</Text> : null}
    </Box>
  );
}

/** `mask` once per grapheme of `text`. */
function maskText(text: string, mask: string): string {
  let out = '';
  for (const _ of graphemes.segment(text)) out += mask;
  return out;
}
