import { createContext, useContext } from 'react';

/**
 * Whether the screen below may use colour (see `colorEnabled`): the TUI's
 * and the dashboard's roots provide it; without a provider, colour is on.
 */
export const ColorContext = createContext(true);

/**
 * The colour to draw with: `color` itself when colour is on, undefined (the
 * terminal's own) when it is off. Every `color`/`borderColor` passes through it.
 */
export function useColor(): (color: string | undefined) => string | undefined {
  const enabled = useContext(ColorContext);
  return enabled ? keep : drop;
}

const keep = (color: string | undefined) => color;
const drop = (_color: string | undefined) => undefined;
