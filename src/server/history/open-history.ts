import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { ChatError } from '../../errors.ts';
import { errorCode, fileError } from '../../fs/files.ts';
import { DIR_MODE, SECRET_MODE } from '../../fs/modes.ts';
import { acquireLock, type LockSpec, releaseLock } from '../../fs/pid-lock.ts';
import type { StoredMessage } from '../../net/protocol/frames.ts';
import { conversationOf } from '../conversations.ts';
import { emptyKeptState, type KeptState } from '../kept-state.ts';
import { damagedError, wrongKeyError } from './history-errors.ts';
import { HistoryIndex, type IndexLimits } from './history-index.ts';
import { type HistoryKeySource, resolveHistoryKeys } from './history-key-source.ts';
import type { HistoryKeys } from './history-keys.ts';
import type { SentRef } from './history-store.ts';
import { Segment } from './segment.ts';
import {
  decodeHeader,
  encodeHeader,
  FORMAT_VERSION,
  HEADER_BYTES,
  type SegmentHeader,
  segmentName,
  segmentNumber,
} from './segment-format.ts';
import { type ScanProblem, scanSegment } from './segment-scan.ts';
import { openSequences, SEQUENCE_FILE } from './sequence-file.ts';
import { openState, STATE_FILE } from './state-file.ts';

export interface OpenOptions {
  /** The history directory (`<data>/history`). */
  dir: string;
  key: HistoryKeySource;
  limits: IndexLimits;
  /** Look only: nothing is created, cut or locked (`chat history verify|export`). */
  readOnly?: boolean;
  now?: () => number;
  /** Refs remembered per user (see HistoryStore.recentRefs). */
  refsPerUser?: number;
}

/** What opening found. */
export interface OpenReport {
  segments: number;
  records: number;
  bytes: number;
  /** A torn tail cut from the newest segment (its bytes saved beside it). */
  cut?: { file: string; bytes: number; savedAs: string };
  /** A state file that did not open, moved aside: the server starts with nothing kept. */
  stateSetAside?: { file: string; savedAs: string };
  /** Read-only: damage found, and a torn tail that a start would cut. */
  problems: { file: string; problem: ScanProblem; bytesAfter: number }[];
}

export interface OpenedHistory {
  keys: HistoryKeys;
  /** The newest refs of each user's kept sends, oldest first. */
  refs: Map<string, SentRef[]>;
  index: HistoryIndex;
  /** Open segments by number; the highest is where appends go (none when read-only and empty). */
  segments: Map<number, Segment>;
  report: OpenReport;
  lock: LockSpec | undefined;
  /** The server's state as last saved (empty when no state file was). */
  kept: KeptState;
}

const REFS_PER_USER = 1_000;

/**
 * Opens a history directory: checks the key against the store's, reads and
 * opens every record (which indexes them), cuts a torn tail off the newest
 * segment after saving its bytes, and makes the first segment of a new
 * store. Damage anywhere else, or a wrong key, fails with one line and
 * changes nothing.
 */
export async function openHistory(options: OpenOptions): Promise<OpenedHistory> {
  const { dir, readOnly = false } = options;
  const now = options.now ?? Date.now;
  if (!readOnly) {
    try {
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
    } catch (error) {
      throw fileError(error, dir, 'choose a writable --data directory');
    }
  }
  const lock = readOnly ? undefined : historyLock(dir);
  if (lock) await acquireLock(lock);
  const segments = new Map<number, Segment>();
  try {
    // Nothing is changed until every check has passed: a refusal leaves the files as they were.
    const names = await listDir(dir);
    const report: OpenReport = { segments: 0, records: 0, bytes: 0, problems: [] };
    const { numbers, emptyNewest } = await segmentsToRead(dir, names, readOnly, report);
    const firstHeader = await readFirstHeader(dir, numbers[0]);
    const keys = await resolveHistoryKeys(options.key, firstHeader, dir);
    if (firstHeader && !firstHeader.keyCheck.equals(keys.keyCheck))
      throw wrongKeyError(dir, firstHeader.keyId, keys.keyId);
    const loading: Loading = {
      dir,
      readOnly,
      keys,
      now,
      report,
      segments,
      index: new HistoryIndex(options.limits),
      refs: new Map(),
      refsPerUser: options.refsPerUser ?? REFS_PER_USER,
    };
    let tornTail: TornTail | undefined;
    for (const [position, number] of numbers.entries())
      tornTail = (await loadSegment(loading, number, position === numbers.length - 1)) ?? tornTail;
    await seedSequences(loading);
    const kept = await readKeptState(loading);
    if (!readOnly) {
      // Every check passed: now the repairs. A compaction or a segment the
      // process did not finish left a .tmp (the file it was replacing is intact).
      for (const name of names.filter((n) => n.endsWith('.tmp'))) await unlink(join(dir, name));
      if (emptyNewest !== undefined) await unlink(join(dir, emptyNewest));
      if (tornTail) report.cut = await cutTornTail(tornTail, now());
      if (kept === undefined) report.stateSetAside = await setStateAside(dir, now());
      if (segments.size === 0) {
        const segment = await createSegment(dir, keys, (numbers.at(-1) ?? 0) + 1, now());
        segments.set(segment.number, segment);
      }
    }
    return {
      keys,
      refs: loading.refs,
      index: loading.index,
      segments,
      report,
      lock,
      kept: kept ?? emptyKeptState(),
    };
  } catch (error) {
    for (const segment of segments.values()) segment.retire();
    if (lock) await releaseLock(lock);
    throw error;
  }
}

/** What the segments are read into while a history opens. */
interface Loading {
  dir: string;
  readOnly: boolean;
  keys: HistoryKeys;
  now: () => number;
  report: OpenReport;
  segments: Map<number, Segment>;
  index: HistoryIndex;
  refs: Map<string, SentRef[]>;
  refsPerUser: number;
}

/** The end of the newest segment past its last whole record: a write never acknowledged. */
interface TornTail {
  path: string;
  handle: FileHandle;
  tail: Buffer;
  goodBytes: number;
}

// The segment numbers to read, in order. Segments are begun complete (see
// createSegment); one shorter than its header can only be the newest, from
// a power cut: it holds nothing, and is left out (and removed on a start).
async function segmentsToRead(
  dir: string,
  names: readonly string[],
  readOnly: boolean,
  report: OpenReport,
): Promise<{ numbers: number[]; emptyNewest: string | undefined }> {
  const numbers = names
    .map(segmentNumber)
    .filter((n): n is number => n !== undefined)
    .sort((a, b) => a - b);
  const newestNumber = numbers.at(-1);
  if (newestNumber === undefined) return { numbers, emptyNewest: undefined };
  const start = await readStart(join(dir, segmentName(newestNumber)));
  if (start.length >= HEADER_BYTES) return { numbers, emptyNewest: undefined };
  const emptyNewest = segmentName(newestNumber);
  numbers.pop();
  const problem: ScanProblem = { kind: 'torn', offset: 0, what: 'the file ends inside its header' };
  if (readOnly) report.problems.push({ file: emptyNewest, problem, bytesAfter: start.length });
  return { numbers, emptyNewest };
}

// The oldest segment's header names the key the whole store was sealed with.
async function readFirstHeader(
  dir: string,
  first: number | undefined,
): Promise<SegmentHeader | undefined> {
  if (first === undefined) return undefined;
  const path = join(dir, segmentName(first));
  const decoded = decodeHeader(await readStart(path));
  if ('problem' in decoded)
    throw damagedError(path, { kind: 'damaged', offset: 0, what: decoded.problem });
  return decoded;
}

/**
 * Reads one segment into the index and the refs, and opens its file. Damage
 * fails a start; read-only, it is reported and the rest read. Returns the
 * newest segment's torn tail, for the caller to cut once every check passed.
 */
async function loadSegment(
  loading: Loading,
  number: number,
  newest: boolean,
): Promise<TornTail | undefined> {
  const { keys, readOnly, report } = loading;
  const name = segmentName(number);
  const path = join(loading.dir, name);
  // One segment in memory at a time: they are a few MiB each.
  const bytes = await readFile(path);
  const headerProblem = segmentHeaderProblem(bytes, keys, number);
  if (headerProblem !== undefined) {
    const problem: ScanProblem = { kind: 'damaged', offset: 0, what: headerProblem };
    if (!readOnly) throw damagedError(path, problem);
    report.problems.push({ file: name, problem, bytesAfter: bytes.length });
    return undefined;
  }
  const scan = scanSegment(keys, bytes, newest);
  const handle = await open(path, readOnly ? 'r' : newest ? 'r+' : 'r');
  const createdAt = scan.records[0]?.message.ts ?? loading.now();
  const segment = new Segment(number, path, handle, scan.goodBytes, scan.records.length, createdAt);
  loading.segments.set(number, segment);
  for (const record of scan.records) {
    const { message, ref } = record;
    if (ref !== undefined)
      remember(loading.refs, loading.refsPerUser, {
        user: message.from,
        ref,
        conversation: conversationOf(message),
        id: message.id,
        ts: message.ts,
      });
    const conversation = conversationOf(message);
    if (loading.index.add(conversation, message, segment, record.offset, record.bytes)) continue;
    // A replacement record (an edit, a deletion) takes the place of its
    // message's older record, read before; when compaction has removed that
    // one, it goes in its id's place (retention applies as to any message).
    if (isReplacement(message)) {
      if (!loading.index.replace(conversation, message, segment, record.offset, record.bytes))
        loading.index.insert(conversation, message, segment, record.offset, record.bytes);
      continue;
    }
    const problem: ScanProblem = {
      kind: 'damaged',
      offset: record.offset,
      what: `record ${message.id} repeats an id or goes back`,
    };
    if (!readOnly) throw damagedError(path, problem);
    report.problems.push({ file: name, problem, bytesAfter: bytes.length - record.offset });
  }
  report.segments += 1;
  report.records += scan.records.length;
  report.bytes += scan.goodBytes;
  if (scan.problem === undefined) return undefined;
  const bytesAfter = bytes.length - scan.goodBytes;
  if (readOnly) {
    report.problems.push({ file: name, problem: scan.problem, bytesAfter });
    return undefined;
  }
  if (scan.problem.kind === 'damaged')
    throw damagedError(path, scan.problem, ` (${bytesAfter} bytes from there on)`);
  const tail = Buffer.from(bytes.subarray(scan.goodBytes));
  return { path, handle, tail, goodBytes: scan.goodBytes };
}

// What is wrong with a segment's header, read with the store's key, if anything.
function segmentHeaderProblem(
  bytes: Buffer,
  keys: HistoryKeys,
  number: number,
): string | undefined {
  const header = decodeHeader(bytes);
  if ('problem' in header) return header.problem;
  if (!header.keyCheck.equals(keys.keyCheck))
    return 'it was sealed with another key than the rest of the store';
  if (header.segment !== number) return `its header says segment ${header.segment}`;
  return undefined;
}

// Without the ids a room ended at, a room retention emptied would start
// again at 1 under the same epoch: clients would take new messages for old.
async function seedSequences(loading: Loading): Promise<void> {
  const file = join(loading.dir, SEQUENCE_FILE);
  const sequences = await readOptionalFile(file);
  if (sequences === undefined) return;
  const ids = openSequences(loading.keys, sequences);
  if (ids === undefined) {
    const problem: ScanProblem = {
      kind: 'damaged',
      offset: 0,
      what: 'it does not open with this key (damaged or altered)',
    };
    if (!loading.readOnly) throw damagedError(file, problem);
    loading.report.problems.push({ file: SEQUENCE_FILE, problem, bytesAfter: sequences.length });
  }
  for (const [conversation, id] of ids ?? []) loading.index.seedLastId(conversation, id);
}

// The state file, empty when there is none (a data directory from before
// it). One that does not open is undefined: read-only, a problem reported;
// on a start it is moved aside (see setStateAside), since losing read
// positions and topics costs less than a server that will not start.
async function readKeptState(loading: Loading): Promise<KeptState | undefined> {
  const bytes = await readOptionalFile(join(loading.dir, STATE_FILE));
  if (bytes === undefined) return emptyKeptState();
  const kept = openState(loading.keys, bytes);
  if (kept !== undefined || !loading.readOnly) return kept;
  const problem: ScanProblem = {
    kind: 'damaged',
    offset: 0,
    what: 'it does not open with this key (damaged or altered)',
  };
  loading.report.problems.push({ file: STATE_FILE, problem, bytesAfter: bytes.length });
  return emptyKeptState();
}

// Kept for the operator to look at, out of the way of the next save.
async function setStateAside(dir: string, now: number): Promise<{ file: string; savedAs: string }> {
  const file = join(dir, STATE_FILE);
  const savedAs = `${file}.damaged-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  await rename(file, savedAs);
  return { file, savedAs };
}

// A write the process did not finish, so never acknowledged: its bytes are kept aside, then cut.
async function cutTornTail(torn: TornTail, now: number): Promise<NonNullable<OpenReport['cut']>> {
  const savedAs = `${torn.path}.cut-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  await writeFile(savedAs, torn.tail, { mode: SECRET_MODE });
  await torn.handle.truncate(torn.goodBytes);
  await torn.handle.datasync();
  return { file: torn.path, bytes: torn.tail.length, savedAs };
}

// Keeps the newest `cap` per user; trimmed in batches, not on every record.
function remember(refs: Map<string, SentRef[]>, cap: number, sent: SentRef): void {
  const list = refs.get(sent.user) ?? [];
  list.push(sent);
  if (list.length >= cap * 2) list.splice(0, list.length - cap);
  refs.set(sent.user, list);
}

/**
 * Begins segment `number`: the header is written and synced under a .tmp
 * name, then renamed into place and the directory synced, so a segment file
 * never exists without its whole header. A failure (a full disk) leaves no
 * segment behind, and the next try starts over.
 */
export async function createSegment(
  dir: string,
  keys: HistoryKeys,
  number: number,
  now: number,
): Promise<Segment> {
  const path = join(dir, segmentName(number));
  const tmp = `${path}.tmp`;
  try {
    await writeFile(tmp, headerFor(keys, number), { mode: SECRET_MODE, flush: true });
    await rename(tmp, path);
    await syncDir(dir);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  return new Segment(number, path, await open(path, 'r+'), HEADER_BYTES, 0, now);
}

/** The header of segment `number` of a store sealed with `keys`. */
export function headerFor(keys: HistoryKeys, number: number): Buffer {
  return encodeHeader({
    version: FORMAT_VERSION,
    keySource: keys.source,
    scrypt: keys.scrypt,
    salt: keys.salt,
    keyId: keys.keyId,
    keyCheck: keys.keyCheck,
    segment: number,
  });
}

/** Makes a rename or an unlink in `dir` durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function historyLock(dir: string): LockSpec {
  const path = join(dir, '.lock');
  const hint = `stop the other chat serve using ${dir}, or remove ${path} if none is running`;
  return {
    path,
    dir,
    hint,
    busy: () =>
      new ChatError('BUSY', `another chat serve is using the history in ${dir}`, { hint }),
  };
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw fileError(error, dir, 'check the directory and its permissions', 'read');
  }
}

async function readOptionalFile(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw fileError(error, path, 'check the file and its permissions', 'read');
  }
}

// The first HEADER_BYTES of a file (fewer when it is shorter).
async function readStart(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const start = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(start, 0, HEADER_BYTES, 0);
    return start.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

// Replacement records carry what only a change sets (a new message never has
// `edited` or `deleted`): a repeated id without them is damage. A record
// that comes once only as its replacement is not told from one whose id was
// dropped by retention, and need not be: retention drops it again.
function isReplacement(message: StoredMessage): boolean {
  return message.edited !== undefined || message.deleted !== undefined;
}
