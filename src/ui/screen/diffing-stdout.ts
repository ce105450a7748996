/**
 * The stdout Ink renders into: a stand-in terminal that reads each frame Ink
 * writes and sends the real terminal only the cells that changed (see
 * `frame-diff.ts`). Ink 6 rewrites the whole frame for any change, ~3.6 KB
 * per keystroke at 110x30; this makes it a few dozen bytes.
 *
 * Ink writes two kinds of bytes here, told apart by their content: frames
 * (text between its own cursor moves and erases, which are dropped: the
 * diff places the cursor itself) and the app's own control strings
 * (notifications, the bell, terminal modes), which have no text of their
 * own and go through as they are. A clear screen (`CSI 2 J`, as Ctrl+L
 * writes), Ink erasing its frame (before a console line) and a resize make
 * the next frame paint everything.
 */
import { Writable } from 'node:stream';
import { type CursorAt, paintDiff } from './frame-diff.ts';
import { type Grid, readFrame } from './frame-grid.ts';

const ESC = '\u001b';
/** Writes larger than this are wrapped in synchronized-output marks (bytes). */
const SYNC_ABOVE = 512;
const BEGIN_SYNC = `${ESC}[?2026h`;
const END_SYNC = `${ESC}[?2026l`;
const HIDE_CURSOR = `${ESC}[?25l`;
const SHOW_CURSOR = `${ESC}[?25h`;
// Ink's `useCursor` after a frame: up N rows from below the frame, to column C, shown.
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this reads.
const INK_CURSOR = /(?:\u001b\[(\d+)A)?\u001b\[(\d+)G\u001b\[\?25h/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this reads.
const INK_CURSOR_TOGGLE = /\u001b\[\?25[hl]/g;

// Ink's own vocabulary around a frame: cursor moves, erases, cursor
// visibility and synchronized output. None of it reaches the terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this reads.
const INK_CONTROL = /\u001b\[(?:\d*(?:;\d*)*[A-HJKST]|\?(?:25|2026)[hl])/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this reads.
const CLEAR_SCREEN = /\u001b\[[23]J/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this reads.
const ERASE_LINE = /\u001b\[2K/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this reads.
const CLEAR_SCREEN_ALL = /\u001b\[[23]J/g;
// Everything that draws nothing: escape sequences (CSI, OSC, DCS, others) and C0 controls but LF.
const NOT_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this reads.
  /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|P(?:[^\u001b]|\u001b[^\\])*\u001b\\|.)|[\u0000-\u0009\u000b-\u001f]/g;

/** Where the diffed bytes go, and the terminal's size. */
export interface DiffingTarget {
  /** Writes bytes to the real terminal. */
  write: (bytes: string) => void;
  columns: number;
  rows: number;
}

/**
 * Where a write from Ink puts the terminal's cursor (`useCursor`): shown,
 * `up` rows above the row after the frame, at `column`; hidden; or
 * unchanged (undefined) when the write does not touch it.
 */
function inkCursor(
  chunk: string,
): { shown: true; up: number; column: number } | { shown: false } | undefined {
  const toggles = chunk.match(INK_CURSOR_TOGGLE);
  const last = toggles?.at(-1);
  if (last === undefined) return undefined;
  if (last.endsWith('l')) return { shown: false };
  const placed = [...chunk.matchAll(INK_CURSOR)].at(-1);
  if (placed === undefined) return { shown: false };
  return { shown: true, up: Number(placed[1] ?? 0), column: Number(placed[2]) - 1 };
}

/** What a write from Ink is: a frame to diff, bytes for the terminal, or nothing. */
export type InkWrite =
  | { kind: 'frame'; frame: string; clear: boolean }
  | { kind: 'raw'; bytes: string; clear: boolean };

/** Tells a frame from the app's control strings, and strips Ink's cursor work from it. */
export function classifyInkWrite(chunk: string): InkWrite {
  const clear = CLEAR_SCREEN.test(chunk);
  const stripped = chunk.replace(INK_CONTROL, '').replace(CLEAR_SCREEN_ALL, '');
  if (stripped.replace(NOT_TEXT, '') === '') return { kind: 'raw', bytes: stripped, clear };
  return { kind: 'frame', frame: stripped, clear };
}

/**
 * A writable that looks to Ink like a terminal of the target's size and
 * writes the target the differences between frames.
 */
export class DiffingStdout extends Writable {
  readonly isTTY = true;
  columns: number;
  rows: number;
  /** Bytes written to the terminal since the start, for the benchmark. */
  written = 0;
  private shown: Grid | undefined;
  private lastFrame: string | undefined;
  /** Where the app wants the terminal's cursor shown (Ink's `useCursor`), if anywhere. */
  private wanted: CursorAt | undefined;
  /** Where the terminal's cursor is, when known. */
  private at: CursorAt | undefined;
  /** Whether the terminal shows its cursor (it does until told not to). */
  private cursorShown = true;
  private repaint: NodeJS.Immediate | undefined;

  constructor(private readonly target: DiffingTarget) {
    super({ decodeStrings: false });
    this.columns = target.columns;
    this.rows = target.rows;
  }

  /** The terminal changed size: the next frame paints everything. */
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.shown = undefined;
    this.at = undefined;
    this.emit('resize');
    // Ink draws again on resize only if its output changed; the terminal's reflow needs a paint anyway.
    if (this.shown === undefined && this.lastFrame !== undefined) this.paint(this.lastFrame);
  }

  /** Forgets what the terminal shows: the next frame paints everything (Ctrl+L). */
  invalidate(): void {
    this.shown = undefined;
  }

  override _write(chunk: string | Buffer, _encoding: string, done: () => void): void {
    this.accept(String(chunk));
    done();
  }

  /** Takes one write from Ink. */
  accept(chunk: string): void {
    const write = classifyInkWrite(chunk);
    if (write.clear) this.invalidate();
    const frame = write.kind === 'frame' ? write.frame : this.lastFrame;
    const cursor = inkCursor(chunk);
    if (cursor !== undefined) {
      // Ink counts up from the row after its frame.
      const rowsDrawn = (frame?.match(/\n/g) ?? []).length;
      this.wanted = cursor.shown
        ? { row: Math.max(0, rowsDrawn - cursor.up), column: cursor.column }
        : undefined;
    }
    if (write.kind === 'raw') {
      // Ink erases its frame only before something else writes to the terminal
      // (a console line on stderr, Ctrl+L): what is on screen is no longer known.
      if (ERASE_LINE.test(chunk)) this.invalidate();
      if (write.bytes !== '') this.send(write.bytes);
      if (write.clear) this.repaintSoon();
      // A hide alone is Ink's prelude to rewriting its frame: it waits for the frame.
      else if (cursor?.shown === true) this.send(this.placeCursor());
      return;
    }
    this.lastFrame = write.frame;
    this.paint(write.frame);
  }

  /**
   * Paints the last frame whole, unless a frame comes first: Ink follows a
   * write of its own (Ctrl+L's clear) with its frame at once, and one paint
   * then does both.
   */
  private repaintSoon(): void {
    if (this.repaint !== undefined) return;
    this.repaint = setImmediate(() => {
      this.repaint = undefined;
      if (this.shown === undefined && this.lastFrame !== undefined) this.paint(this.lastFrame);
    });
  }

  private paint(frame: string): void {
    const next = readFrame(frame, this.columns, this.rows);
    const painted = paintDiff(this.shown, next, this.at);
    this.shown = next;
    this.at = painted.at;
    // A cursor seen jumping about while cells are written: hidden meanwhile.
    const hide = painted.moved && this.cursorShown ? HIDE_CURSOR : '';
    if (hide !== '') this.cursorShown = false;
    const bytes = hide + painted.bytes + this.placeCursor();
    if (bytes === '') return;
    this.send(bytes.length > SYNC_ABOVE ? BEGIN_SYNC + bytes + END_SYNC : bytes);
  }

  /** What puts the terminal's cursor where the app wants it, shown, or hides it. */
  private placeCursor(): string {
    const wanted = this.wanted;
    if (wanted === undefined) {
      if (!this.cursorShown) return '';
      this.cursorShown = false;
      return HIDE_CURSOR;
    }
    let bytes = '';
    if (this.at?.row !== wanted.row || this.at.column !== wanted.column) {
      bytes += `${ESC}[${wanted.row + 1};${wanted.column + 1}H`;
      this.at = { ...wanted };
    }
    if (!this.cursorShown) {
      bytes += SHOW_CURSOR;
      this.cursorShown = true;
    }
    return bytes;
  }

  private send(bytes: string): void {
    this.written += Buffer.byteLength(bytes);
    this.target.write(bytes);
  }
}
