/**
 * Lines sent from the input box, walked with Up and Down as in a shell.
 * Immutable: every function returns a new value. `entries` run oldest first;
 * `index` is the entry on screen while walking (undefined: not walking);
 * `draft` is the line that was being typed when the walk began; `max` bounds
 * `entries` (count of lines).
 */
export type InputHistory = {
  readonly entries: readonly string[];
  readonly index: number | undefined;
  readonly draft: string;
  readonly max: number;
};

/** The result of a history step: the new history and the line to show in the input. */
export type HistoryStep = { history: InputHistory; line: string };

/** An empty history keeping at most `max` lines (the oldest are dropped first). */
export function emptyHistory(max = 500): InputHistory {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`history max must be a positive integer, got ${max}`);
  }
  return { entries: [], index: undefined, draft: '', max };
}

/**
 * Records a submitted line and ends any walk. Whitespace-only lines and a
 * repeat of the newest entry are not recorded (as bash's ignoreboth).
 */
export function pushHistory(h: InputHistory, line: string): InputHistory {
  const idle = { ...h, index: undefined, draft: '' };
  if (line.trim() === '' || h.entries.at(-1) === line) return idle;
  const entries = [...h.entries, line];
  return { ...idle, entries: entries.length > h.max ? entries.slice(-h.max) : entries };
}

/**
 * Up: shows the next older entry. The first Up of a walk keeps `currentLine`
 * as the draft, so Down past the newest brings it back: nothing typed is
 * lost. At the oldest entry, Up stays there. Edits made to a
 * recalled entry are dropped when walking on, as in irssi.
 */
export function historyUp(h: InputHistory, currentLine: string): HistoryStep {
  if (h.entries.length === 0) return { history: h, line: currentLine };
  if (h.index === undefined) {
    const index = h.entries.length - 1;
    return { history: { ...h, index, draft: currentLine }, line: h.entries[index] ?? '' };
  }
  const index = Math.max(0, h.index - 1);
  return { history: { ...h, index }, line: h.entries[index] ?? '' };
}

/**
 * Down: shows the next newer entry, or, past the newest, the draft the walk
 * began with. When not walking, it returns `currentLine` untouched, so Down on
 * a line being typed never clears it (hence the parameter, as for Up).
 */
export function historyDown(h: InputHistory, currentLine: string): HistoryStep {
  if (h.index === undefined) return { history: h, line: currentLine };
  if (h.index >= h.entries.length - 1) {
    return { history: { ...h, index: undefined, draft: '' }, line: h.draft };
  }
  const index = h.index + 1;
  return { history: { ...h, index }, line: h.entries[index] ?? '' };
}
