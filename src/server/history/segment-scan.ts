import type { StoredMessage } from '../../net/protocol/frames.ts';
import type { HistoryKeys } from './history-keys.ts';
import { openRecord } from './record-seal.ts';
import { decodeRecordHeader, HEADER_BYTES, RECORD_HEADER_BYTES } from './segment-format.ts';

export interface ScannedRecord {
  offset: number;
  bytes: number;
  message: StoredMessage;
  ref: string | undefined;
}

/** What is wrong at the end of a segment's good records. */
export interface ScanProblem {
  /**
   * `torn`: the newest segment ends inside a record (a write cut short):
   * safe to cut. `damaged`: anything else (a record that does not open, a
   * short record in an older segment): never cut without the operator.
   */
  kind: 'torn' | 'damaged';
  /** Byte offset of the first bad record. */
  offset: number;
  what: string;
}

export interface SegmentScan {
  records: ScannedRecord[];
  /** Length of the good part: the header and every record that opened. */
  goodBytes: number;
  problem?: ScanProblem;
}

/**
 * Reads every record of a segment whose header is already checked, opening
 * each seal. In the newest segment (`newest`) a record the bytes stop
 * inside of is a torn tail: a write the process did not finish. Anything
 * else that fails is damage.
 */
export function scanSegment(keys: HistoryKeys, bytes: Buffer, newest: boolean): SegmentScan {
  const records: ScannedRecord[] = [];
  let offset = HEADER_BYTES;
  const stop = (torn: boolean, what: string): SegmentScan => ({
    records,
    goodBytes: offset,
    problem: { kind: torn && newest ? 'torn' : 'damaged', offset, what },
  });
  for (;;) {
    const header = decodeRecordHeader(bytes, offset);
    if (header === 'end') return { records, goodBytes: offset };
    if (header === 'torn') return stop(true, 'the file ends inside a record');
    if (header === 'damaged') return stop(false, 'a record header is damaged');
    const end = offset + RECORD_HEADER_BYTES + header.bodyBytes;
    // A whole record that does not open is damage even at the end: a crash
    // leaves a record short, never whole and wrong.
    const sealed = openRecord(keys, bytes, offset, header);
    if (sealed === undefined) return stop(false, 'a record fails its seal (damaged or altered)');
    records.push({ offset, bytes: end - offset, ...sealed });
    offset = end;
  }
}
