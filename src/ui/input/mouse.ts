/**
 * Mouse reports (xterm's mode 1000 with SGR coordinates, mode 1006), as pure
 * functions. With the modes on, the terminal sends `CSI < b ; x ; y M` when a
 * button is pressed (the wheel included) and `CSI < b ; x ; y m` when it is
 * released; motion is not asked for, so the terminal keeps Shift+drag for
 * selecting text. A terminal that ignores mode 1006 sends the legacy X10
 * encoding instead: `CSI M` and three bytes (button, column and row, each
 * plus 32), read too. Ink's input parser hands a whole SGR report over as
 * one input event, but an X10 report always as two or more (`ESC[M`, then
 * its bytes as text) and a report split across two stdin chunks as two (the
 * start flushed as an unfinished escape, the rest as text): a reader, fed
 * Ink's input events one by one (state in, state out), joins them, so that
 * no part of a report reaches a key handler. Pure: no terminal, no ink.
 */

/** Turns mouse reports on: presses and releases (the wheel included), SGR coordinates (write it to stdout). */
export const MOUSE_REPORTING_ON = '\u001b[?1000h\u001b[?1006h';
/** Turns mouse reports off (write it to stdout). */
export const MOUSE_REPORTING_OFF = '\u001b[?1006l\u001b[?1000l';
/** The longest report kept while it is unfinished (characters); three 5-digit numbers fit. */
export const MOUSE_REPORT_MAX_CHARS = 24;

const ESC = '\u001b';
// biome-ignore lint/suspicious/noControlCharactersInRegex: a report starts with ESC.
const REPORT = /^\u001b\[<(\d{1,5});(\d{1,5});(\d{1,5})([Mm])/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a report starts with ESC.
const REPORT_START = /^\u001b\[<[\d;]*$/;
/** How an X10 report starts; its three bytes follow. */
const X10_START = `${ESC}[M`;

/** Which button a report is about; the wheel's notches come as buttons 4-7. */
export type MouseButton =
  | 'left'
  | 'middle'
  | 'right'
  | 'wheelUp'
  | 'wheelDown'
  | 'wheelLeft'
  | 'wheelRight'
  | 'other';

/** One mouse report. */
export type MouseReport = {
  readonly button: MouseButton;
  /** Released (`m`) rather than pressed (`M`). */
  readonly release: boolean;
  /** A drag (sent only with motion tracking, which chat does not ask for). */
  readonly motion: boolean;
  /** Column, from 1 at the left. */
  readonly x: number;
  /** Row, from 1 at the top. */
  readonly y: number;
  readonly shift: boolean;
  readonly alt: boolean;
  readonly ctrl: boolean;
};

const BUTTONS: readonly MouseButton[] = ['left', 'middle', 'right', 'other'];
const WHEEL: readonly MouseButton[] = ['wheelUp', 'wheelDown', 'wheelLeft', 'wheelRight'];

function reportOf(code: number, x: number, y: number, final: string): MouseReport {
  // Bits 0-1 the button, 2 Shift, 3 Alt (Meta), 4 Ctrl, 5 motion, 6 the wheel, 7 buttons 8-11.
  const low = code & 3;
  const button =
    code & 128 ? 'other' : code & 64 ? (WHEEL[low] ?? 'other') : (BUTTONS[low] ?? 'other');
  return {
    button,
    release: final === 'm',
    motion: (code & 32) !== 0,
    x,
    y,
    shift: (code & 4) !== 0,
    alt: (code & 8) !== 0,
    ctrl: (code & 16) !== 0,
  };
}

/** A whole report at the start of `text`: its length (characters) and what it says, if readable. */
type Found = { readonly length: number; readonly report: MouseReport | undefined };

/**
 * The bytes the terminal sent for one character of an X10 report, as stdin
 * decoded them (UTF-8): a byte above 127 on its own comes as U+FFFD (its
 * value lost: `undefined`), two such bytes that happen to form a UTF-8
 * sequence as one character (split back into both).
 */
function x10Bytes(codePoint: number): ReadonlyArray<number | undefined> {
  if (codePoint < 0x80) return [codePoint];
  if (codePoint === 0xfffd) return [undefined];
  if (codePoint < 0x800) return [0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f)];
  return codePoint < 0x10000
    ? [undefined, undefined, undefined]
    : [undefined, undefined, undefined, undefined];
}

/**
 * An X10 report at the start of `text` (`ESC[M` and three bytes, each at
 * least 32); undefined when `text` is not one (yet). A report whose
 * coordinates were lost in decoding (column or row above 95) is found but
 * not readable.
 */
function findX10(text: string): Found | undefined {
  if (!text.startsWith(X10_START)) return undefined;
  const bytes: Array<number | undefined> = [];
  let length = X10_START.length;
  for (const char of text.slice(length)) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (codePoint < 0x20) return undefined;
    bytes.push(...x10Bytes(codePoint));
    length += char.length;
    if (bytes.length >= 3) break;
  }
  if (bytes.length < 3) return undefined;
  const [code, x, y] = bytes;
  // More than three bytes in the last character: which were whose is unknown.
  if (code === undefined || x === undefined || y === undefined || bytes.length > 3) {
    return { length, report: undefined };
  }
  // Bits 0-1 are 3 (and not the wheel's) for a release, which does not say which button.
  const release = ((code - 32) & 0x43) === 3;
  const report = reportOf(code - 32, x - 32, y - 32, release ? 'm' : 'M');
  return { length, report: release ? { ...report, button: 'other' } : report };
}

/** A whole report (SGR or X10) at the start of `text`. */
function findReport(text: string): Found | undefined {
  const found = REPORT.exec(text);
  if (found === null) return findX10(text);
  const [whole, code = '', x = '', y = '', final = ''] = found;
  return { length: whole.length, report: reportOf(Number(code), Number(x), Number(y), final) };
}

/** Whether `text` is an X10 report still waiting for some of its three bytes. */
function isX10Start(text: string): boolean {
  if (!text.startsWith(X10_START) || text.length > X10_START.length + 2) return false;
  return [...text.slice(X10_START.length)].every((char) => (char.codePointAt(0) ?? 0) >= 0x20);
}

/**
 * Text that is exactly one report (SGR, or X10 with its three bytes), read;
 * undefined for anything else, and for an X10 report whose coordinates were
 * lost (see {@link readMouseEvent}).
 */
export function parseMouseReport(text: string): MouseReport | undefined {
  const found = findReport(text);
  return found?.length === text.length ? found.report : undefined;
}

/** What a reader holds: the start of a report whose rest is still to come. */
export type MouseReader = {
  /**
   * An event that may start a report (`ESC`, `ESC[`, an unfinished SGR
   * report `ESC[<0;1`), held for the next event only; or an X10 `ESC[M` and
   * the bytes read so far; else empty.
   */
  readonly partial: string;
};

/** A reader holding nothing. */
export const idleMouseReader: MouseReader = { partial: '' };

/** What one input event did to a reader. */
export type MouseRead = {
  readonly reader: MouseReader;
  /** The event is (part of) a mouse report: no key handler should act on it. */
  readonly consumed: boolean;
  /** The report the event finished, if it finished a readable one. */
  readonly report?: MouseReport;
  /**
   * Text that followed the end of a report in the same event (keys typed
   * in the same read): to be read at once as an event of its own, before
   * the events that come after this one.
   */
  readonly rest?: string;
};

/**
 * Feeds one input event, as Ink's input parser splits stdin. A whole report
 * is consumed and read (an X10 report's bytes may come over several events,
 * as Ink cuts a DEL, byte 127, out of text). The start of an SGR report is
 * held only when it is a whole event (Ink flushes an unfinished escape that
 * way when the rest is in a later chunk), and only for the next event: that
 * one finishes the report, and its text after the report comes back as
 * `rest`, or what was held is let go and the event is read on its own. A
 * held `ESC[<…` is consumed; a held `ESC` or `ESC[` is not: it is the Esc
 * key, or the start of something else (a paste marker), unless the next
 * event finishes a report with it. So Esc and then `[<1` typed is text.
 */
export function readMouseEvent(reader: MouseReader, event: string): MouseRead {
  const joined = reader.partial + event;
  const found = findReport(joined);
  if (found !== undefined) {
    const rest = joined.slice(found.length);
    return {
      reader: idleMouseReader,
      consumed: true,
      ...(found.report === undefined ? {} : { report: found.report }),
      ...(rest === '' ? {} : { rest }),
    };
  }
  if (isX10Start(joined)) {
    return { reader: { partial: joined }, consumed: true };
  }
  if (reader.partial !== '') {
    // What was held began no report: the event is read on its own.
    return readMouseEvent(idleMouseReader, event);
  }
  if (REPORT_START.test(event) && event.length <= MOUSE_REPORT_MAX_CHARS) {
    return { reader: { partial: event }, consumed: true };
  }
  if (event === ESC || event === `${ESC}[`) return { reader: { partial: event }, consumed: false };
  return { reader, consumed: false };
}
