import { createContext, useContext } from 'react';

/**
 * Whether the app draws in a real terminal whose cursor Ink places (see
 * `runFullscreen`): an input then puts the terminal's own cursor where the
 * next character goes (where input methods compose, and screen readers
 * look) instead of drawing one. False in tests that render to a string.
 */
export const TerminalCursorContext = createContext(false);

/** See {@link TerminalCursorContext}. */
export function useTerminalCursor(): boolean {
  return useContext(TerminalCursorContext);
}
