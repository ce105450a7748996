import { memo, type ReactNode } from 'react';
import { COMMANDS } from '../input/command-parser.ts';
import { HELP_KEYS } from '../input/keymap.ts';
import { padEnd, wrapText } from '../text/wrap.ts';
import { OverlayBox, overlayInner } from './OverlayBox.tsx';
import { type ScrollWindow, scrollWindow } from './scroll-window.ts';
import type { RowSpans, Span } from './spans.ts';

/** Props of {@link HelpOverlay}. */
export type HelpOverlayProps = {
  /** Columns of the box, border included. */
  width: number;
  /** Rows of the box, border included. */
  height: number;
  /** The first row shown, when the help does not fit (see {@link helpScroll}); default 0. */
  top?: number;
};

/** Help text narrower than this goes under the usage instead of beside it (columns). */
const MIN_HELP_WIDTH = 16;
/** Keys are laid out in two columns when each gets at least this many columns. */
const MIN_KEY_COLUMN = 36;
const GAP = 2;

function heading(text: string): RowSpans {
  return [{ text, bold: true, color: 'cyan' }];
}

/** Commands are laid out in two columns when each gets at least this many columns. */
const MIN_COMMAND_COLUMN = 38;

/** Everyone's commands, with their help; the operators' are listed apart (see `operatorRows`). */
const EVERYONE = COMMANDS.filter((command) => command.operator !== true);
const OPERATOR_HEAD = 'Operators ';

// Two columns, each flowing on its own (as the keys do), when the box is wide enough.
function commandRows(inner: number): RowSpans[] {
  if (inner < 2 * MIN_COMMAND_COLUMN + GAP) return commandColumn(inner, EVERYONE);
  const leftWidth = Math.floor((inner - GAP) / 2);
  const rightWidth = inner - leftWidth - GAP;
  // Split where the taller column is shortest: help texts wrap unevenly.
  let best: { left: RowSpans[]; right: RowSpans[] } | undefined;
  for (let split = 1; split < EVERYONE.length; split++) {
    const left = commandColumn(leftWidth, EVERYONE.slice(0, split));
    const right = commandColumn(rightWidth, EVERYONE.slice(split));
    const tallest = Math.max(left.length, right.length);
    if (best === undefined || tallest < Math.max(best.left.length, best.right.length)) {
      best = { left, right };
    }
  }
  const { left = [], right = [] } = best ?? {};
  return Array.from({ length: Math.max(left.length, right.length) }, (_, row) => {
    const spans = left[row] ?? [];
    const used = spans.reduce((sum, span) => sum + span.text.length, 0);
    return [...spans, { text: ' '.repeat(leftWidth - used + GAP) }, ...(right[row] ?? [])];
  });
}

function commandColumn(inner: number, commands: typeof COMMANDS): RowSpans[] {
  const usageWidth = Math.max(...commands.map((command) => command.usage.length)) + GAP;
  const rows: RowSpans[] = [];
  for (const command of commands) {
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

// The operators' commands by usage, flowing after a heading, each usage
// whole on a row, so they take two or three rows rather than one each.
function operatorRows(inner: number): RowSpans[] {
  const usages = COMMANDS.filter((command) => command.operator === true).map((c) => c.usage);
  const indent = OPERATOR_HEAD.length;
  const rows: RowSpans[] = [];
  let row: Span[] = [{ text: OPERATOR_HEAD, bold: true, color: 'cyan' }];
  let used = indent;
  for (const usage of usages) {
    const needs = (used > indent ? GAP : 0) + usage.length;
    if (used > indent && used + needs > inner) {
      rows.push(row);
      row = [{ text: ' '.repeat(indent) }];
      used = indent;
    }
    if (used > indent) row.push({ text: ' '.repeat(GAP) });
    row.push({ text: usage, bold: true });
    used += (used > indent ? GAP : 0) + usage.length;
  }
  rows.push(row);
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

/** Every row of the help for a box `inner` columns wide: commands (from COMMANDS), the operators', then keys. */
export function allHelpRows(inner: number): RowSpans[] {
  return [
    [...heading('Commands'), { text: '   Esc closes this help', dim: true }],
    ...commandRows(inner),
    ...operatorRows(inner),
    heading('Keys'),
    ...keyRows(inner),
  ];
}

/**
 * The last row when the help does not fit: the keys that scroll it and
 * where it is, shortened to fit `inner` columns so the count still shows.
 */
function moreRow(window: ScrollWindow, total: number, inner: number): RowSpans {
  const where = `${window.top + 1}–${window.end} of ${total}`;
  const long = `↑↓ PgUp PgDn: more (${where})`;
  const closes = ' · Esc closes';
  if (long.length + closes.length <= inner) return [{ text: long + closes, dim: true }];
  return [{ text: long.length <= inner ? long : `↑↓ ${where}`, dim: true }];
}

/**
 * The help's rows for a box `inner` columns wide and `rows` tall, scrolled
 * to row `top` (see `scrollWindow`): all of them when they fit, else a
 * window of them and a last row saying where it is and how to scroll.
 */
export function helpRows(inner: number, rows: number, top = 0): RowSpans[] {
  const all = allHelpRows(inner);
  const window = scrollWindow(all.length, rows, top);
  const shown = all.slice(window.top, window.end);
  return window.hint ? [...shown, moreRow(window, all.length, inner)] : shown;
}

/**
 * Where the help stands in a box `width` x `height` (border included, as
 * {@link HelpOverlay} gets it) scrolled to `top`: for the keys that scroll
 * it, which need the last top and a page before it draws.
 */
export function helpScroll(width: number, height: number, top: number): ScrollWindow {
  const inner = overlayInner(width, height);
  return scrollWindow(allHelpRows(inner.width).length, inner.height, top);
}

/**
 * /help: commands and keys in a box over the message pane, fitted to its
 * width; when taller than the box, shown from row `top` with a hint row.
 */
export const HelpOverlay = memo(function HelpOverlay({
  width,
  height,
  top = 0,
}: HelpOverlayProps): ReactNode {
  return (
    <OverlayBox
      width={width}
      height={height}
      color="cyan"
      rowsFor={(inner) => helpRows(inner.width, inner.height, top)}
    />
  );
});
