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
 * writes) and a resize make the next frame paint everything.
 */
import { Writable } from 'node:stream';
import { diffFrames } from './frame-diff.ts';
import { type Grid, readFrame } from './frame-grid.ts';

const ESC = '\u001b';
/** Writes larger than this are wrapped in synchronized-output marks (bytes). */
const SYNC_ABOVE = 512;
const BEGIN_SYNC = `${ESC}[?2026h`;
const END_SYNC = `${ESC}[?2026l`;
const HIDE_CURSOR = `${ESC}[?25l`;

// Ink's own vocabulary around a frame: cursor moves, erases, cursor
// visibility and synchronized output. None of it reaches the terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this reads.
const INK_CONTROL = /\u001b\[(?:\d*(?:;\d*)*[A-HJKST]|\?(?:25|2026)[hl])/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this reads.
const CLEAR_SCREEN = /\u001b\[[23]J/;
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
    if (write.kind === 'raw') {
      if (write.bytes !== '') this.send(write.bytes);
      if (write.clear && this.lastFrame !== undefined) this.paint(this.lastFrame);
      return;
    }
    this.lastFrame = write.frame;
    this.paint(write.frame);
  }

  private paint(frame: string): void {
    const next = readFrame(frame, this.columns, this.rows);
    const first = this.shown === undefined;
    const diff = diffFrames(this.shown, next);
    this.shown = next;
    if (diff === '') return;
    const bytes = (first ? HIDE_CURSOR : '') + diff;
    this.send(bytes.length > SYNC_ABOVE ? BEGIN_SYNC + bytes + END_SYNC : bytes);
  }

  private send(bytes: string): void {
    this.written += Buffer.byteLength(bytes);
    this.target.write(bytes);
  }
}
