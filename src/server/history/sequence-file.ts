import type { HistoryKeys } from './history-keys.ts';
import { openJson, sealJson } from './sealed-json.ts';

/**
 * The newest id of every conversation, sealed, kept beside the segments.
 * Retention may remove every record of a quiet room; its ids must still go
 * on where they stopped, or clients that saw them would take new messages
 * for old ones.
 */
export const SEQUENCE_FILE = 'sequences.bin';
const MAGIC = Buffer.from('CHATSEQ1', 'latin1');

export function sealSequences(keys: HistoryKeys, lastIds: Map<string, number>): Buffer {
  return sealJson(keys, MAGIC, [...lastIds]);
}

/** The ids in a sequence file, or undefined when it cannot be opened with these keys. */
export function openSequences(keys: HistoryKeys, bytes: Buffer): Map<string, number> | undefined {
  const pairs = openJson(keys, MAGIC, bytes);
  if (!Array.isArray(pairs)) return undefined;
  const ids = new Map<string, number>();
  for (const pair of pairs) {
    if (Array.isArray(pair) && typeof pair[0] === 'string' && Number.isSafeInteger(pair[1]))
      ids.set(pair[0], pair[1]);
  }
  return ids;
}
