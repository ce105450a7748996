/**
 * Mouse reports (xterm's mode 1000 with SGR coordinates, mode 1006), as pure
 * functions. With the modes on, the terminal sends `CSI < b ; x ; y M` when a
 * button is pressed (the wheel included) and `CSI < b ; x ; y m` when it is
 * released; motion is not asked for, so the terminal keeps Shift+drag for
 * selecting text. Ink's input parser hands a whole report over as one input
 * event, but a report split across two stdin chunks may come as two (the
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

/** An input event that is exactly one SGR mouse report, read; undefined for anything else. */
export function parseMouseReport(event: string): MouseReport | undefined {
  const found = REPORT.exec(event);
  if (found === null || found[0].length !== event.length) return undefined;
  const [, code = '', x = '', y = '', final = ''] = found;
  return reportOf(Number(code), Number(x), Number(y), final);
}

/** What a reader holds: the start of a report whose rest is still to come. */
export type MouseReader = {
  /** An unfinished report (`ESC[<0;1`), or an `ESC` or `ESC[` that may start one; else empty. */
  readonly partial: string;
};

/** A reader holding nothing. */
export const idleMouseReader: MouseReader = { partial: '' };

/** What one input event did to a reader. */
export type MouseRead = {
  readonly reader: MouseReader;
  /** The event is (part of) a mouse report: no key handler should act on it. */
  readonly consumed: boolean;
  /** The report the event finished, if it finished one. */
  readonly report?: MouseReport;
  /**
   * Text that followed the rest of a split report in the same event (keys
   * typed in the same read): to be read again as an event of its own.
   */
  readonly rest?: string;
};

/**
 * Feeds one input event, as Ink's input parser splits stdin. A whole report
 * is consumed and read; the start of one (`ESC[<…`) is held and consumed
 * until the event that finishes it, whose text after the report comes back
 * as `rest`. An `ESC` or `ESC[` on its own is held but not consumed: it is
 * the Esc key, or the start of something else (a paste marker), unless the
 * next event finishes a report with it.
 */
export function readMouseEvent(reader: MouseReader, event: string): MouseRead {
  const joined = reader.partial + event;
  const found = REPORT.exec(joined);
  if (found !== null) {
    const [whole, code = '', x = '', y = '', final = ''] = found;
    const report = reportOf(Number(code), Number(x), Number(y), final);
    const rest = joined.slice(whole.length);
    return { reader: idleMouseReader, consumed: true, report, ...(rest === '' ? {} : { rest }) };
  }
  if (REPORT_START.test(joined) && joined.length <= MOUSE_REPORT_MAX_CHARS) {
    return { reader: { partial: joined }, consumed: true };
  }
  if (joined === ESC || joined === `${ESC}[`)
    return { reader: { partial: joined }, consumed: false };
  // What was held began no report: the event is read on its own.
  if (reader.partial !== '') return readMouseEvent(idleMouseReader, event);
  return { reader, consumed: false };
}
