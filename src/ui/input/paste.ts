/**
 * Bracketed paste, as pure functions. With the terminal's bracketed paste
 * mode on, a paste arrives as `ESC[200~`, the text, `ESC[201~`, possibly
 * across several stdin chunks. A reader, fed Ink's input events one by one
 * (state in, state out), says which events belong to a paste (so no key
 * handler acts on them: a pasted line break is not Enter, a pasted tab is
 * not Tab) and hands back the pasted text, cleaned, once the paste ends.
 * Pure: no terminal, no timers, no ink.
 */
import { cleanDraft } from './input-keys.ts';

/** Turns the terminal's bracketed paste mode on (write it to stdout). */
export const BRACKETED_PASTE_ON = '\u001b[?2004h';
/** Turns the terminal's bracketed paste mode off (write it to stdout). */
export const BRACKETED_PASTE_OFF = '\u001b[?2004l';
/** What the terminal sends before a paste. */
export const PASTE_START = '\u001b[200~';
/** What the terminal sends after a paste. */
export const PASTE_END = '\u001b[201~';
/** A paste of more lines than this asks before it is inserted. */
export const PASTE_ASK_ABOVE_LINES = 5;
/** Characters (UTF-16 code units) of one paste kept; the rest is dropped. */
export const PASTE_MAX_CHARS = 1_048_576;

const ESC = '\u001b';

/** Where a reader is: outside a paste, or inside one with what it has read so far. */
export type PasteReader = {
  /** Between the start and end markers. */
  readonly inside: boolean;
  /** The raw text read inside the paste so far (at most {@link PASTE_MAX_CHARS}). */
  readonly buffer: string;
  /**
   * The start of a marker, held until the next event says whether it is one:
   * Ink flushes an unfinished escape sequence (`ESC`, `ESC[20`) as an event
   * of its own when the rest comes in a later stdin chunk.
   */
  readonly partial: string;
};

/** A reader outside any paste. */
export const idlePasteReader: PasteReader = { inside: false, buffer: '', partial: '' };

/** What one input event did to a reader. */
export type PasteRead = {
  readonly reader: PasteReader;
  /** The event is a marker or pasted text: no key handler should act on it. */
  readonly consumed: boolean;
  /** When the event ended a paste: the pasted text, cleaned (see {@link cleanPaste}). */
  readonly pasted?: string;
};

function isProperPrefix(text: string, marker: string): boolean {
  return text.length < marker.length && marker.startsWith(text);
}

/** Length of the longest end of `text` that could begin `marker` (but is not all of it). */
function trailingPrefix(text: string, marker: string): number {
  for (let length = Math.min(text.length, marker.length - 1); length > 0; length--) {
    if (marker.startsWith(text.slice(text.length - length))) return length;
  }
  return 0;
}

/** Reads `text` inside a paste whose earlier text is `buffer`. */
function readInside(buffer: string, text: string): PasteRead {
  const end = text.indexOf(PASTE_END);
  if (end !== -1) {
    const body = (buffer + text.slice(0, end)).slice(0, PASTE_MAX_CHARS);
    // Text after the marker in the same event can only follow an early-flushed
    // ESC: it was pasted too, so it is kept.
    const pasted = cleanPaste(body + text.slice(end + PASTE_END.length));
    return { reader: idlePasteReader, consumed: true, pasted };
  }
  const keep = trailingPrefix(text, PASTE_END);
  const more = text.slice(0, text.length - keep);
  return {
    reader: {
      inside: true,
      buffer: buffer.length >= PASTE_MAX_CHARS ? buffer : (buffer + more).slice(0, PASTE_MAX_CHARS),
      partial: text.slice(text.length - keep),
    },
    consumed: true,
  };
}

/**
 * Feeds one input event, as Ink's input parser splits stdin (an escape
 * sequence, such as a marker, is an event of its own; text between escapes
 * is one event per chunk). Outside a paste, a start marker starts one, a
 * stray end marker is dropped, and an event that is an unfinished escape
 * that could begin a marker is held for the next event (and consumed,
 * except a lone ESC: that is the Esc key): the next one finishes the marker
 * or what was held is let go, so Esc and then `[200~` typed is text.
 * Everything else is left to the key handlers. Inside a paste every event
 * is consumed.
 */
export function readPasteEvent(reader: PasteReader, event: string): PasteRead {
  if (reader.inside) return readInside(reader.buffer, reader.partial + event);
  const joined = reader.partial + event;
  if (joined.startsWith(PASTE_START)) return readInside('', joined.slice(PASTE_START.length));
  if (joined === PASTE_END) return { reader: idlePasteReader, consumed: true };
  // What was held began no marker: the event is read on its own.
  if (reader.partial !== '') return readPasteEvent(idlePasteReader, event);
  if (isProperPrefix(event, PASTE_START) || isProperPrefix(event, PASTE_END)) {
    return { reader: { ...idlePasteReader, partial: event }, consumed: event !== ESC };
  }
  return { reader, consumed: false };
}

/**
 * Ends a paste whose end marker never came (say, after a timeout): the
 * text read so far, cleaned, and an idle reader. Outside a paste, `pasted`
 * is undefined.
 */
export function endPaste(reader: PasteReader): PasteRead {
  if (!reader.inside) return { reader, consumed: false };
  const body = (reader.buffer + reader.partial).slice(0, PASTE_MAX_CHARS);
  return { reader: idlePasteReader, consumed: true, pasted: cleanPaste(body) };
}

/** Index just past the escape sequence starting at `index` (an ESC), or index + 1. */
function skipEscape(text: string, index: number): number {
  const kind = text[index + 1];
  if (kind === '[') {
    // CSI: parameter and intermediate bytes, then one final byte.
    let at = index + 2;
    while (at < text.length) {
      const code = text.charCodeAt(at);
      at++;
      if (code >= 0x40 && code <= 0x7e) return at;
      if (code < 0x20 || code > 0x3f) return at - 1;
    }
    return at;
  }
  if (kind === ']') {
    // OSC: up to BEL or ESC \ (a title, a hyperlink).
    for (let at = index + 2; at < text.length; at++) {
      if (text[at] === '\u0007') return at + 1;
      if (text[at] === ESC && text[at + 1] === '\\') return at + 2;
    }
    return text.length;
  }
  if (kind === 'O') return Math.min(text.length, index + 3);
  return index + 1;
}

/**
 * Pasted text made safe to keep in the draft: whole escape sequences (CSI
 * such as colours, OSC, SS3) are removed, then as {@link cleanDraft} does:
 * CRLF and CR become `\n`, a tab a space, other controls are dropped.
 */
export function cleanPaste(raw: string): string {
  let text = '';
  let from = 0;
  for (let index = raw.indexOf(ESC); index !== -1; index = raw.indexOf(ESC, from)) {
    text += raw.slice(from, index);
    from = skipEscape(raw, index);
  }
  text += raw.slice(from);
  return cleanDraft({ value: text, cursor: 0 }).value;
}

/** Lines in a cleaned paste; a trailing newline does not start another one. */
export function pasteLineCount(text: string): number {
  if (text === '') return 0;
  const breaks = text.split('\n').length - 1;
  return text.endsWith('\n') ? breaks : breaks + 1;
}

/** Whether a cleaned paste asks before it is inserted (more than {@link PASTE_ASK_ABOVE_LINES} lines). */
export function pasteNeedsAsking(text: string): boolean {
  return pasteLineCount(text) > PASTE_ASK_ABOVE_LINES;
}

/** The question shown in the input while a long paste waits. */
export function pasteQuestion(lines: number): string {
  return `paste ${lines} lines? Enter: insert, Esc: cancel`;
}

/**
 * The answer a raw input event gives to the question: Enter (CR, or LF as
 * Ctrl+J) inserts, Esc or Ctrl+C cancels, anything else is no answer.
 */
export function pasteAnswer(event: string): 'insert' | 'cancel' | undefined {
  if (event === '\r' || event === '\n') return 'insert';
  if (event === ESC || event === '\u0003') return 'cancel';
  return undefined;
}
