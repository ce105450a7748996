/**
 * The log pane's filter: what the operator types after `/`. Words that name
 * a level (`warn`, or `level:warn`) keep that level and worse; every other
 * word must appear, in any case, in the message or a field. Pure.
 */
import type { LogLevelName, LogRecord } from '../server/log-buffer.ts';

const RANK: Record<LogLevelName, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

/** A parsed filter; the empty one keeps everything. */
export type LogFilter = { readonly minLevel: number; readonly words: readonly string[] };

export const NO_FILTER: LogFilter = { minLevel: 0, words: [] };

function levelOf(word: string): LogLevelName | undefined {
  const name = word.replace(/^level[:=]/, '');
  return Object.hasOwn(RANK, name) ? (name as LogLevelName) : undefined;
}

/** Reads what was typed: `warn alice` keeps warnings and errors that mention alice. */
export function parseLogFilter(text: string): LogFilter {
  let minLevel = 0;
  const words: string[] = [];
  for (const word of text.toLowerCase().split(/\s+/).filter(Boolean)) {
    const level = levelOf(word);
    if (level === undefined) words.push(word);
    else minLevel = Math.max(minLevel, RANK[level]);
  }
  return { minLevel, words };
}

/** The text a record is searched in: its message, then its fields as `key=value`. */
export function recordText(record: LogRecord): string {
  const fields = Object.entries(record.fields).map(
    ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  return [record.msg, ...fields].join(' ');
}

/** Whether `record` passes `filter`. */
export function matchesLogFilter(record: LogRecord, filter: LogFilter): boolean {
  if (RANK[record.level] < filter.minLevel) return false;
  if (filter.words.length === 0) return true;
  const text = recordText(record).toLowerCase();
  return filter.words.every((word) => text.includes(word));
}

/** Whether a filter keeps everything. */
export function isEmptyFilter(filter: LogFilter): boolean {
  return filter.minLevel === 0 && filter.words.length === 0;
}
