import { type KeptState, parseKeptState } from '../kept-state.ts';
import type { HistoryKeys } from './history-keys.ts';
import { openJson, sealJson } from './sealed-json.ts';

/**
 * The server's kept state (topics, users' rooms, read positions, when they
 * left), sealed, beside the segments. Absent in a data directory from
 * before it existed: then nothing is kept yet.
 */
export const STATE_FILE = 'state.bin';
const MAGIC = Buffer.from('CHATSTA1', 'latin1');

export function sealState(keys: HistoryKeys, state: KeptState): Buffer {
  return sealJson(keys, MAGIC, state);
}

/** The state in a state file, or undefined when it does not open with these keys or holds no state. */
export function openState(keys: HistoryKeys, bytes: Buffer): KeptState | undefined {
  return parseKeptState(openJson(keys, MAGIC, bytes));
}
