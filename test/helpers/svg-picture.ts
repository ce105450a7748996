import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import stringWidth from 'string-width';
import { CELL_WIDTH, LINE_HEIGHT } from '../../scripts/screenshots/screen-svg.ts';

type Node = Record<string, unknown>;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => ['svg', 'g', 'text', 'rect', 'path', 'use', 'defs', 'circle'].includes(name),
});

const children = (node: Node | undefined, name: string): Node[] =>
  (node?.[name] as Node[] | undefined) ?? [];

/** A row of the grid as text: each <text> at its column (x / cell width). */
function rowText(row: Node): string {
  const cells: string[] = [];
  for (const text of children(row, 'text')) {
    let column = Math.round(Number(text['@x']) / CELL_WIDTH);
    for (const { segment } of graphemes.segment(String(text['#text'] ?? ''))) {
      cells[column] = segment;
      // A wide character's second cell is drawn by its first.
      for (let i = 1; i < stringWidth(segment); i++) cells[column + i] = '';
      column += Math.max(1, stringWidth(segment));
    }
  }
  return Array.from(cells, (char) => char ?? ' ')
    .join('')
    .trimEnd();
}

const rowIndex = (y: number) => Math.round(y / LINE_HEIGHT);

/** Parses a picture (failing on XML that is not well formed) and finds its grid. */
function parse(svg: string): { title: string; grid: Node } {
  const valid = XMLValidator.validate(svg);
  assert.equal(valid, true, `not well-formed XML: ${JSON.stringify(valid)}`);
  const outer = children(parser.parse(svg) as Node, 'svg')[0];
  const grid = children(outer, 'svg')[0];
  assert.ok(outer && grid, 'no terminal grid in the picture');
  return { title: String(outer.title ?? ''), grid };
}

/** A still picture's title and rows of text, as the viewer sees them. */
export function readStill(svg: string): { title: string; rows: string[] } {
  const { title, grid } = parse(svg);
  const rows: string[] = [];
  for (const row of children(grid, 'g')) {
    const y = Number(/translate\(0 ([\d.]+)\)/.exec(String(row['@transform']))?.[1]);
    rows[rowIndex(y)] = rowText(row);
  }
  return { title, rows: Array.from(rows, (row) => row ?? '') };
}

/**
 * An animated picture: each frame's rows of text, and the keyframes that
 * step through them (percent of the loop, frame shown).
 */
export function readAnimation(svg: string): {
  title: string;
  frames: string[][];
  keyframes: { percent: number; frame: number }[];
  seconds: number;
} {
  const { title, grid } = parse(svg);
  const defs = new Map<string, string>();
  for (const row of children(children(grid, 'defs')[0], 'g'))
    defs.set(`#${String(row['@id'])}`, rowText(row));
  const film = children(grid, 'g').find((g) => g['@class'] === 'film');
  assert.ok(film, 'no film strip');
  const frames = children(film, 'g').map((frame) => {
    const rows: string[] = [];
    for (const use of children(frame, 'use')) {
      const text = defs.get(String(use['@href']));
      assert.ok(
        text !== undefined,
        `a frame uses a row that is not defined: ${String(use['@href'])}`,
      );
      rows[rowIndex(Number(use['@y']))] = text;
    }
    return Array.from(rows, (row) => row ?? '');
  });
  const frameHeight = Number(grid['@height']);
  const keyframes = [...svg.matchAll(/([\d.]+)%\{transform:translateY\(-([\d.]+)px\)\}/g)].map(
    (m) => ({
      percent: Number(m[1]),
      frame: Math.round(Number(m[2]) / frameHeight),
    }),
  );
  const seconds = Number(/animation:play ([\d.]+)s/.exec(svg)?.[1]);
  return { title, frames, keyframes, seconds };
}
