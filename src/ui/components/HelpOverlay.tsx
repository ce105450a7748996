import { Box } from 'ink';
import { memo, type ReactNode } from 'react';
import { useColor } from '../hooks/use-color.ts';
import { COMMANDS } from '../input/command-parser.ts';
import { HELP_KEYS } from '../input/keymap.ts';
import { padEnd, wrapText } from '../text/wrap.ts';
import { Rows } from './Rows.tsx';
import type { RowSpans, Span } from './spans.ts';

/** Props of {@link HelpOverlay}. */
export type HelpOverlayProps = {
  /** Columns of the box, border included. */
  width: number;
  /** Rows of the box, border included. */
  height: number;
};

/** A border needs this many rows and columns, or the box goes without one. */
const BORDER_MIN_ROWS = 8;
const BORDER_MIN_COLUMNS = 30;
/** Help text narrower than this goes under the usage instead of beside it (columns). */
const MIN_HELP_WIDTH = 16;
/** Keys are laid out in two columns when each gets at least this many columns. */
const MIN_KEY_COLUMN = 36;
const GAP = 2;
const MORE: RowSpans = [{ text: '… (resize for more)', dim: true }];

function heading(text: string): RowSpans {
  return [{ text, bold: true, color: 'cyan' }];
}

function commandRows(inner: number): RowSpans[] {
  const usageWidth = Math.max(...COMMANDS.map((command) => command.usage.length)) + GAP;
  const rows: RowSpans[] = [];
  for (const command of COMMANDS) {
    const aliases = command.aliases.map((alias) => `/${alias}`).join(', ');
    const help = aliases === '' ? command.help : `${command.help} (also ${aliases})`;
    const usage: Span = { text: command.usage, bold: true };
    if (inner - usageWidth >= MIN_HELP_WIDTH) {
      const indent: Span = { text: ' '.repeat(usageWidth) };
      wrapText(help, inner - usageWidth).forEach((part, index) => {
        rows.push(
          index === 0
            ? [{ ...usage, text: padEnd(usage.text, usageWidth) }, { text: part }]
            : [indent, { text: part }],
        );
      });
    } else {
      rows.push([usage]);
      for (const part of wrapText(help, inner - 4)) rows.push([{ text: '    ' }, { text: part }]);
    }
  }
  return rows;
}

function keyRows(inner: number): RowSpans[] {
  const keyWidth = Math.max(...HELP_KEYS.map(([key]) => key.length)) + 1;
  const columns = inner >= 2 * MIN_KEY_COLUMN + GAP ? 2 : 1;
  const columnWidth = Math.floor((inner - (columns - 1) * GAP) / columns);
  const perColumn = Math.ceil(HELP_KEYS.length / columns);
  const rows: RowSpans[] = [];
  for (let row = 0; row < perColumn; row++) {
    const spans: Span[] = [];
    for (let column = 0; column < columns; column++) {
      const entry = HELP_KEYS[column * perColumn + row];
      if (entry === undefined) continue;
      const [key, does] = entry;
      if (column > 0) spans.push({ text: ' '.repeat(GAP) });
      spans.push({ text: padEnd(key, keyWidth), bold: true });
      spans.push({ text: padEnd(does, columnWidth - keyWidth) });
    }
    rows.push(spans);
  }
  return rows;
}

/**
 * The help's rows for a box `inner` columns wide and `rows` tall: commands
 * (from COMMANDS) then keys. What does not fit is cut, the last row saying
 * so.
 */
export function helpRows(inner: number, rows: number): RowSpans[] {
  const all: RowSpans[] = [
    [...heading('Commands'), { text: '   Esc closes this help', dim: true }],
    ...commandRows(inner),
    heading('Keys'),
    ...keyRows(inner),
  ];
  if (all.length <= rows) return all;
  return rows <= 0 ? [] : [...all.slice(0, rows - 1), MORE];
}

/** /help: commands and keys in a box over the message pane, fitted to its size. */
export const HelpOverlay = memo(function HelpOverlay({
  width,
  height,
}: HelpOverlayProps): ReactNode {
  const tint = useColor();
  const border = height >= BORDER_MIN_ROWS && width >= BORDER_MIN_COLUMNS;
  // A border takes a column and a row on each side, the padding a column.
  const inner = Math.max(1, width - (border ? 4 : 0));
  const rows = helpRows(inner, Math.max(0, height - (border ? 2 : 0)));
  if (!border) return <Rows rows={rows} width={width} height={height} />;
  return (
    <Box
      width={width}
      height={Math.max(0, height)}
      flexShrink={0}
      overflow="hidden"
      borderStyle="round"
      borderColor={tint('cyan')}
      paddingX={1}
    >
      <Rows rows={rows} width={inner} />
    </Box>
  );
});
