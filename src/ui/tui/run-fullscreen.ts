import { render } from 'ink';
import type { ReactElement } from 'react';
import { FOCUS_REPORTING_OFF, FOCUS_REPORTING_ON } from '../input/focus-report.ts';
import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON } from '../input/paste.ts';

export const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
export const LEAVE_ALT_SCREEN = '\u001b[?1049l';

/** How a full-screen app wants the terminal. */
export type FullscreenOptions = {
  /** Pastes arrive between markers, for an app that reads them with `PasteGate` (default true). */
  bracketedPaste?: boolean;
  /** The terminal reports focus changes, for an app that reads them with `TerminalFocus` (default true). */
  focusReporting?: boolean;
  /** Most frames drawn per second (Ink's default is 30). */
  maxFps?: number;
};

/**
 * Renders a full-screen Ink app in the alternate screen, with bracketed
 * paste and focus reporting on unless asked not to (pastes arrive between
 * markers, see `PasteGate`; focus changes as `CSI I`/`CSI O`, see
 * `TerminalFocus`), and puts the terminal back exactly as it was on every way
 * out: a normal exit, a crash, SIGTERM or SIGHUP. Resolves when the app exits.
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
    // A shell left with focus reporting on gets ^[[I and ^[[O typed into it.
    stdout.write(
      (paste ? BRACKETED_PASTE_OFF : '') + (focus ? FOCUS_REPORTING_OFF : '') + LEAVE_ALT_SCREEN,
    );
  };
  stdout.write(
    ENTER_ALT_SCREEN + (paste ? BRACKETED_PASTE_ON : '') + (focus ? FOCUS_REPORTING_ON : ''),
  );
  process.once('exit', restore);
  // Ctrl+C is the app's to handle (it may only clear the input), so Ink must not exit on it.
  const instance = render(element, {
    exitOnCtrlC: false,
    patchConsole: true,
    ...(options.maxFps === undefined ? {} : { maxFps: options.maxFps }),
  });
  const stop = () => instance.unmount();
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    instance.cleanup();
    restore();
  }
}
