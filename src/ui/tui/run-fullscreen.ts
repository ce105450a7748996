import { render } from 'ink';
import { createElement, type ReactElement } from 'react';
import { TerminalCursorContext } from '../hooks/use-terminal-cursor.ts';
import { FOCUS_REPORTING_OFF, FOCUS_REPORTING_ON } from '../input/focus-report.ts';
import { MOUSE_REPORTING_OFF } from '../input/mouse.ts';
import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON } from '../input/paste.ts';
import { DiffingStdout } from '../screen/diffing-stdout.ts';

/**
 * The alternate screen, with autowrap off: a character the terminal draws
 * wider than counted (an emoji at the right edge) is cut there rather than
 * wrapped onto the next row, and a write to the last column never scrolls.
 */
export const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H\u001b[?7l';
/** Back to the normal screen, autowrap on again. */
export const LEAVE_ALT_SCREEN = '\u001b[?7h\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';

/** How a full-screen app wants the terminal. */
export type FullscreenOptions = {
  /** Pastes arrive between markers, for an app that reads them with `PasteGate` (default true). */
  bracketedPaste?: boolean;
  /** The terminal reports focus changes, for an app that reads them with `TerminalFocus` (default true). */
  focusReporting?: boolean;
  /** Most frames drawn per second (Ink's default is 30). */
  maxFps?: number;
  /**
   * How frames reach the terminal: `changes` writes only the cells that
   * changed (the default, see `DiffingStdout`); `frames` lets Ink rewrite
   * every frame whole (for comparison in the benchmark).
   */
  redraw?: 'changes' | 'frames';
};

/**
 * Renders a full-screen Ink app in the alternate screen, with bracketed
 * paste and focus reporting on unless asked not to (pastes arrive between
 * markers, see `PasteGate`; focus changes as `CSI I`/`CSI O`, see
 * `TerminalFocus`), and puts the terminal back exactly as it was on every way
 * out: a normal exit, a crash, SIGTERM or SIGHUP (mouse reports, which the
 * app may have turned on, off too). Resolves when the app exits.
 */
export async function runFullscreen(
  element: ReactElement,
  stdout: NodeJS.WriteStream = process.stdout,
  options: FullscreenOptions = {},
): Promise<void> {
  const paste = options.bracketedPaste ?? true;
  const focus = options.focusReporting ?? true;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    // A shell left with focus reporting on gets ^[[I and ^[[O typed into it;
    // with mouse reports on (the app's `/set mouse on`), every click and scroll.
    stdout.write(
      MOUSE_REPORTING_OFF +
        (paste ? BRACKETED_PASTE_OFF : '') +
        (focus ? FOCUS_REPORTING_OFF : '') +
        LEAVE_ALT_SCREEN +
        SHOW_CURSOR,
    );
  };
  stdout.write(
    ENTER_ALT_SCREEN + (paste ? BRACKETED_PASTE_ON : '') + (focus ? FOCUS_REPORTING_ON : ''),
  );
  process.once('exit', restore);
  const diffing =
    (options.redraw ?? 'changes') === 'changes'
      ? new DiffingStdout({
          write: (bytes) => stdout.write(bytes),
          columns: stdout.columns,
          rows: stdout.rows,
        })
      : undefined;
  const onResize = () => diffing?.resize(stdout.columns, stdout.rows);
  stdout.on('resize', onResize);
  // Ctrl+C is the app's to handle (it may only clear the input), so Ink must not exit on it.
  // Here Ink places the terminal's own cursor where an input asks for it.
  const placed = createElement(TerminalCursorContext.Provider, { value: true }, element);
  const instance = render(placed, {
    stdout: (diffing ?? stdout) as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: true,
    ...(options.maxFps === undefined ? {} : { maxFps: options.maxFps }),
  });
  const stop = () => instance.unmount();
  // The app reads Ctrl+C as a key (raw mode): a SIGINT comes from outside, like SIGTERM.
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  process.once('SIGINT', stop);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    process.off('SIGINT', stop);
    stdout.off('resize', onResize);
    instance.cleanup();
    restore();
  }
}
