/**
 * The colours the pictures are drawn in: the 16 ANSI colours of a dark
 * theme (Tomorrow Night's values), then the xterm 256-colour cube and grey
 * ramp, which every terminal computes the same way.
 */
export interface TerminalTheme {
  foreground: string;
  background: string;
  cursor: string;
  /** The window's title bar and frame. */
  chrome: string;
  chromeText: string;
  /** 256 entries, `#rrggbb`. */
  palette: readonly string[];
}

const ANSI_16 = [
  '#1d1f21',
  '#cc6666',
  '#b5bd68',
  '#f0c674',
  '#81a2be',
  '#b294bb',
  '#8abeb7',
  '#c5c8c6',
  '#666666',
  '#d54e53',
  '#b9ca4a',
  '#e7c547',
  '#7aa6da',
  '#c397d8',
  '#70c0b1',
  '#eaeaea',
];

const hex = (value: number) => value.toString(16).padStart(2, '0');
const rgb = (r: number, g: number, b: number) => `#${hex(r)}${hex(g)}${hex(b)}`;

/** Entries 16–255: a 6x6x6 cube, then 24 greys. */
function xtermExtended(): string[] {
  const levels = [0, 95, 135, 175, 215, 255];
  const colours: string[] = [];
  for (const r of levels)
    for (const g of levels) for (const b of levels) colours.push(rgb(r, g, b));
  for (let i = 0; i < 24; i++) colours.push(rgb(8 + 10 * i, 8 + 10 * i, 8 + 10 * i));
  return colours;
}

export const DARK_THEME: TerminalTheme = {
  foreground: '#c5c8c6',
  background: '#1d1f21',
  cursor: '#c5c8c6',
  chrome: '#2b2d30',
  chromeText: '#9a9c9e',
  palette: [...ANSI_16, ...xtermExtended()],
};

/** `#rrggbb` of a 24-bit colour as xterm.js stores it (0xRRGGBB). */
export function rgbColour(value: number): string {
  return `#${value.toString(16).padStart(6, '0')}`;
}
