/**
 * Box-drawing and block characters drawn as lines and rectangles, not as
 * glyphs: a font's │ is rarely as tall as the row, so borders made of
 * glyphs show gaps. Terminals such as kitty and xterm.js draw them the
 * same way for the same reason.
 */

/** Which of a cell's four arms a line character has: up, right, down, left. */
const ARMS: Record<string, [boolean, boolean, boolean, boolean]> = {
  '─': [false, true, false, true],
  '│': [true, false, true, false],
  '┌': [false, true, true, false],
  '┐': [false, false, true, true],
  '└': [true, true, false, false],
  '┘': [true, false, false, true],
  '├': [true, true, true, false],
  '┤': [true, false, true, true],
  '┬': [false, true, true, true],
  '┴': [true, true, false, true],
  '┼': [true, true, true, true],
};

/** Rounded corners: the two arms each joins. */
const ROUND: Record<string, ['up' | 'down', 'left' | 'right']> = {
  '╭': ['down', 'right'],
  '╮': ['down', 'left'],
  '╰': ['up', 'right'],
  '╯': ['up', 'left'],
};

/** Dashed horizontal lines, by dashes per cell. */
const DASHED: Record<string, number> = { '┄': 3, '┈': 4, '╌': 2 };

/** Lower blocks ▁ to █, by eighths of the cell filled. */
const LOWER_BLOCK_START = 0x2581;
const LOWER_BLOCK_END = 0x2588;

export function isDrawn(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (
    char in ARMS ||
    char in ROUND ||
    char in DASHED ||
    (char.length === 1 && code >= LOWER_BLOCK_START && code <= LOWER_BLOCK_END)
  );
}

const n = (value: number) => String(Math.round(value * 100) / 100);

/**
 * SVG for `char` in the cell at `x` (row top at 0), `width` by `height`,
 * in colour `fill`; '' when the character is not one of these.
 */
export function drawnCell(
  char: string,
  x: number,
  width: number,
  height: number,
  fill: string,
  attributes = '',
): string {
  const midX = x + width / 2;
  const midY = height / 2;
  const stroke = `fill="none" stroke="${fill}" stroke-width="1"${attributes}`;
  const arms = ARMS[char];
  if (arms !== undefined) {
    const [up, right, down, left] = arms;
    const d = [
      up ? `M${n(midX)} 0V${n(midY)}` : '',
      down ? `M${n(midX)} ${n(midY)}V${height}` : '',
      left ? `M${n(x)} ${n(midY)}H${n(midX)}` : '',
      right ? `M${n(midX)} ${n(midY)}H${n(x + width)}` : '',
    ].join('');
    return `<path d="${d}" ${stroke}/>`;
  }
  const round = ROUND[char];
  if (round !== undefined) {
    const [vertical, horizontal] = round;
    const endY = vertical === 'up' ? 0 : height;
    const endX = horizontal === 'left' ? x : x + width;
    const radius = width / 2;
    const startY = midY + (vertical === 'up' ? -radius : radius);
    const turnX = midX + (horizontal === 'left' ? -radius : radius);
    const d = `M${n(midX)} ${n(endY)}V${n(startY)}Q${n(midX)} ${n(midY)} ${n(turnX)} ${n(midY)}H${n(endX)}`;
    return `<path d="${d}" ${stroke} shape-rendering="geometricPrecision"/>`;
  }
  const dashes = DASHED[char];
  if (dashes !== undefined) {
    const period = width / dashes;
    const d = `M${n(x)} ${n(midY)}H${n(x + width)}`;
    return `<path d="${d}" ${stroke} stroke-dasharray="${n(period * 0.6)} ${n(period * 0.4)}"/>`;
  }
  const code = char.codePointAt(0) ?? 0;
  if (char.length === 1 && code >= LOWER_BLOCK_START && code <= LOWER_BLOCK_END) {
    const filled = (height * (code - LOWER_BLOCK_START + 1)) / 8;
    return `<rect x="${n(x)}" y="${n(height - filled)}" width="${n(width)}" height="${n(filled)}" fill="${fill}"${attributes}/>`;
  }
  return '';
}
