/**
 * Terminal focus reporting (xterm's mode 1004), as pure data. With the mode
 * on, the terminal sends `CSI I` when its window gains focus and `CSI O` when
 * it loses it; Ink's input parser hands each one over as an input event of
 * its own (a whole CSI sequence), which {@link focusReportOf} recognises so
 * that no key handler takes it for Shift+I or Shift+O.
 */

/** Turns focus reporting on (write it to stdout). */
export const FOCUS_REPORTING_ON = '\u001b[?1004h';
/** Turns focus reporting off (write it to stdout). */
export const FOCUS_REPORTING_OFF = '\u001b[?1004l';
/** What the terminal sends when it gains focus. */
export const FOCUS_IN = '\u001b[I';
/** What the terminal sends when it loses focus. */
export const FOCUS_OUT = '\u001b[O';

/** Whether an input event is a focus report, and which: `in`, `out`, or undefined for anything else. */
export function focusReportOf(event: string): 'in' | 'out' | undefined {
  if (event === FOCUS_IN) return 'in';
  if (event === FOCUS_OUT) return 'out';
  return undefined;
}
