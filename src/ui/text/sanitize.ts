/**
 * Makes text that came from the network safe to draw in a terminal. Nothing a
 * peer sends may move the cursor, change the title, clear the screen, reorder
 * the line (bidi overrides), break a layout with an invisible line break,
 * hide characters between the visible ones, or pile marks over other lines.
 * One scan decides what is unsafe for every place that prints peer text: the
 * TUI's rows and `chat tail` (text and JSON). Pure: no terminal, no I/O.
 */

const LF = 0x0a;
const TAB = 0x09;
const CR = 0x0d;
const DEL = 0x7f;
const ZWNJ = 0x200c;
const ZWJ = 0x200d;
const BLACK_FLAG = 0x1f3f4;
const CANCEL_TAG = 0xe007f;
const CONTROL_PICTURES = 0x2400;
const REPLACEMENT = '\uFFFD';
/** A tab's replacement: a fixed run, because tab stops depend on where the pane starts. */
const TAB_SPACES = '  ';

/**
 * Non-spacing and enclosing marks kept on one character (count). They stack
 * vertically: four cover Vietnamese, Thai, IPA, pointed Hebrew and Tibetan
 * stacks, and keep "Zalgo" text inside its own line.
 */
export const MAX_STACKED_MARKS = 4;
/**
 * Combining marks of any kind kept on one character (count): spacing marks
 * do not stack, and a Burmese syllable such as မျှော် carries five.
 */
export const MAX_MARKS = 8;
/** Tag letters or digits in an emoji subdivision flag (🏴 + gbsct + cancel tag is Scotland). */
const MAX_FLAG_TAGS = 6;

const MARK = /\p{M}/u;
const SPACING_MARK = /\p{Mc}/u;
// Format characters and everything Unicode says to draw as nothing: zero-width
// spaces, bidi controls, invisible operators, fillers, tags, unassigned ones.
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
const EMOJI_MODIFIER = /\p{Emoji_Modifier}/u;
// Scripts that shape with ZWJ/ZWNJ (Arabic, Indic, Sinhala…) are letters
// outside these three; Latin, Greek and Cyrillic never need a joiner, and a
// joiner there only hides a difference between look-alike strings.
const JOINERLESS_LETTER = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]/u;
const LETTER = /\p{L}/u;

// How a character other than a control, joiner, tag or selector is drawn.
const PLAIN = 1;
const STACKED_MARK = 2;
const SPACING_MARK_KIND = 3;
const INVISIBLE_KIND = 4;
type Kind = typeof PLAIN | typeof STACKED_MARK | typeof SPACING_MARK_KIND | typeof INVISIBLE_KIND;
// Kinds of BMP characters (0: not met yet), filled in as they are first met:
// the regexes cost ~100 ns a character, a lookup a few.
const bmpKinds = new Uint8Array(0x10000);

function kindOf(code: number): Kind {
  const known = code <= 0xffff ? bmpKinds[code] : 0;
  if (known) return known as Kind;
  const character = String.fromCodePoint(code);
  const kind: Kind = INVISIBLE.test(character)
    ? INVISIBLE_KIND
    : !MARK.test(character)
      ? PLAIN
      : SPACING_MARK.test(character)
        ? SPACING_MARK_KIND
        : STACKED_MARK;
  if (code <= 0xffff) bmpKinds[code] = kind;
  return kind;
}

/** What the scan remembers of the output so far, to judge marks and joiners. */
interface Scan {
  /** The last kept character that is not a mark, joiner or tag (code point), or -1. */
  base: number;
  /** The last kept character of any kind (code point), or -1. */
  previous: number;
  /** Non-spacing and enclosing marks kept on `base` (count). */
  stacked: number;
  /** Marks of any kind kept on `base` (count). */
  marks: number;
  /** Whether `base` already has its variation selector. */
  selector: boolean;
  /** Tag characters still to keep, after a 🏴 that opens a valid flag sequence. */
  tags: number;
}

function isSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdfff;
}

function isVariationSelector(code: number): boolean {
  return (
    (code >= 0xfe00 && code <= 0xfe0f) ||
    (code >= 0xe0100 && code <= 0xe01ef) ||
    (code >= 0x180b && code <= 0x180d) ||
    code === 0x180f
  );
}

function isTag(code: number): boolean {
  return code >= 0xe0000 && code <= 0xe007f;
}

/** Tag digits 0-9 and tag letters a-z, the only ones a subdivision flag uses. */
function isTagSpec(code: number): boolean {
  return (code >= 0xe0030 && code <= 0xe0039) || (code >= 0xe0061 && code <= 0xe007a);
}

function joinableLetter(character: string): boolean {
  return LETTER.test(character) && !JOINERLESS_LETTER.test(character);
}

function newBase(scan: Scan, code: number): void {
  scan.base = code;
  scan.previous = code;
  scan.stacked = 0;
  scan.marks = 0;
  scan.selector = false;
  scan.tags = 0;
}

// A joiner is kept only where it does visible work: inside an emoji sequence
// (👩‍💻, 🏳️‍🌈) or between letters of a script that shapes with it (क्‍ष, می‌خواهم),
// one at a time.
function joinerFits(text: string, index: number, scan: Scan): boolean {
  if (scan.base < 0 || scan.previous === ZWJ || scan.previous === ZWNJ) return false;
  const before = String.fromCodePoint(scan.base);
  if (!PICTOGRAPH.test(before) && !EMOJI_MODIFIER.test(before) && !joinableLetter(before)) {
    return false;
  }
  const next = text.codePointAt(index + 1);
  if (next === undefined) return false;
  const after = String.fromCodePoint(next);
  if (INVISIBLE.test(after)) return false;
  return PICTOGRAPH.test(after) || (next > DEL && joinableLetter(after));
}

// Tags are kept only as an emoji subdivision flag: 🏴, 1 to 6 tag letters or
// digits, the cancel tag. Returns how many tag characters that is (0: none).
function flagTagsAt(text: string, index: number): number {
  let count = 0;
  for (let at = index; ; at += 2) {
    const code = text.codePointAt(at);
    if (code === CANCEL_TAG) return count > 0 ? count + 1 : 0;
    if (code === undefined || !isTagSpec(code) || count === MAX_FLAG_TAGS) return 0;
    count++;
  }
}

function markFits(scan: Scan, stacks: boolean): boolean {
  if (scan.marks >= MAX_MARKS || (stacks && scan.stacked >= MAX_STACKED_MARKS)) return false;
  scan.marks++;
  if (stacks) scan.stacked++;
  return true;
}

/**
 * What replaces the character `code` (a code point, or a lone surrogate's
 * unit) at `index`: `undefined` keeps it, '' drops it, any other string is
 * shown instead. Updates `scan` with what the output now holds.
 */
function verdict(text: string, index: number, code: number, scan: Scan): string | undefined {
  if (code < 0x20) {
    if (code === LF) {
      newBase(scan, LF);
      return undefined;
    }
    // CRLF from Windows pastes is a plain line break; a lone CR stays visible.
    if (code === CR && text.charCodeAt(index + 1) === LF) return '';
    newBase(scan, code === TAB ? 0x20 : CONTROL_PICTURES + code);
    return code === TAB ? TAB_SPACES : String.fromCharCode(CONTROL_PICTURES + code);
  }
  if (code === DEL) {
    newBase(scan, 0x2421);
    return '\u2421';
  }
  if (code <= 0x9f || isSurrogate(code)) {
    newBase(scan, 0xfffd);
    return REPLACEMENT;
  }
  if (code < 0x300) {
    if (code === 0xad) return ''; // the soft hyphen: drawn by some terminals, not by others
    newBase(scan, code);
    return undefined;
  }
  if (code === 0x2028 || code === 0x2029) {
    newBase(scan, LF);
    return '\n';
  }
  if (code === ZWJ || code === ZWNJ) {
    if (!joinerFits(text, index, scan)) return '';
    scan.previous = code;
    return undefined;
  }
  if (isTag(code)) {
    if (scan.tags === 0) return '';
    scan.tags--;
    scan.previous = code;
    return undefined;
  }
  if (isVariationSelector(code)) {
    // One per character: a run of them is a hidden payload, not a presentation.
    if (scan.base < 0 || scan.selector || !markFits(scan, true)) return '';
    scan.selector = true;
    scan.previous = code;
    return undefined;
  }
  const kind = kindOf(code);
  if (kind === INVISIBLE_KIND) return '';
  if (kind !== PLAIN) {
    if (!markFits(scan, kind === STACKED_MARK)) return '';
    scan.previous = code;
    return undefined;
  }
  newBase(scan, code);
  if (code === BLACK_FLAG) scan.tags = flagTagsAt(text, index + 2);
  return undefined;
}

/**
 * The one scan: copies `text`, passing each unsafe character (its UTF-16
 * units) and what a terminal should show instead ('' for nothing) to `swap`,
 * whose result goes in its place. Linear in the length; returns `text`
 * itself when nothing is unsafe.
 */
function rewriteUnsafe(text: string, swap: (unsafe: string, shown: string) => string): string {
  const scan: Scan = { base: -1, previous: -1, stacked: 0, marks: 0, selector: false, tags: 0 };
  let out = '';
  // Start of the run of units copied unchanged since the last replacement.
  let start = 0;
  let index = 0;
  while (index < text.length) {
    const unit = text.charCodeAt(index);
    // Printable ASCII, most of what is sent, needs no check beyond this.
    if (unit >= 0x20 && unit < DEL) {
      newBase(scan, unit);
      index++;
      continue;
    }
    // A lone surrogate comes back as its own unit; a pair as one code point.
    const code = text.codePointAt(index) ?? unit;
    const size = code > 0xffff ? 2 : 1;
    const shown = verdict(text, index, code, scan);
    if (shown !== undefined) {
      const put = swap(text.slice(index, index + size), shown);
      out += text.slice(start, index) + put;
      start = index + size;
      // What was put in its place is what a joiner now follows (an escape's
      // last digit, not the character before it); marks go on counting, so
      // escaping one does not free the next.
      const last = put.codePointAt(put.length - 1);
      if (last !== undefined) scan.base = scan.previous = last;
    }
    index += size;
  }
  return start === 0 ? text : out + text.slice(start);
}

/**
 * Returns `text` made harmless to draw; the result keeps `\n` line breaks.
 * Used for every peer text the TUI draws and every line `chat tail` prints.
 *
 * - C0 controls other than `\n` and `\t` become their visible Control
 *   Pictures (U+2400 + code: ESC → '␛', BEL → '␇', NUL → '␀'), and DEL
 *   (U+007F) becomes '␡', so an escape sequence shows as inert text.
 *   CR directly before LF is dropped (a CRLF line break is a line break).
 * - `\t` becomes 2 spaces (2 columns).
 * - C1 controls (U+0080–U+009F, which include the 8-bit CSI) and lone
 *   surrogates become U+FFFD '�'.
 * - Line and paragraph separators (U+2028, U+2029) become `\n`.
 * - Invisible characters are removed: bidi controls (U+061C, U+200E, U+200F,
 *   U+202A–U+202E, U+2066–U+2069), so text cannot be reordered; zero-width
 *   and other default-ignorable or format characters (U+00AD, U+200B,
 *   U+2060–U+2064, U+FEFF, Hangul fillers, U+034F…); tag characters
 *   (U+E0000–U+E007F) except in an emoji subdivision flag (🏴 + 1–6 tag
 *   letters or digits + U+E007F).
 * - ZWJ and ZWNJ (U+200D, U+200C) are kept once between emoji (👩‍💻) or
 *   between letters of scripts other than Latin, Greek and Cyrillic (क्‍ष);
 *   elsewhere removed.
 * - Each character keeps at most {@link MAX_STACKED_MARKS} non-spacing or
 *   enclosing marks and {@link MAX_MARKS} marks in all, of which at most one
 *   variation selector (U+FE00–U+FE0F, U+E0100–U+E01EF, Mongolian ones);
 *   the rest are removed. A removed character never starts a new count.
 *
 * Linear in the length (UTF-16 units); returns `text` itself when nothing
 * needs replacing, and neutralizing twice changes nothing more.
 */
export function neutralize(text: string): string {
  return rewriteUnsafe(text, (_unsafe, shown) => shown);
}

/**
 * Like {@link neutralize}, for single-line places (topic, away text, status
 * bar): each line break becomes '⏎ ' (2 columns), so the result has no `\n`.
 */
export function neutralizeLine(text: string): string {
  return neutralize(text).replaceAll('\n', '\u23CE ');
}

/**
 * `JSON.stringify(value)` with every character {@link neutralize} would change
 * written as a `\uXXXX` escape (a surrogate pair as two): the line parses back
 * to exactly `value`, and nothing in it can steer a terminal, hide text or
 * stack marks when printed. For machine-readable output (`chat tail --json`).
 */
export function safeJson(value: unknown): string {
  // Outside its strings a JSON text is ASCII punctuation, digits and words,
  // so every unsafe character found is inside a string, where \u is valid.
  return rewriteUnsafe(JSON.stringify(value), (unsafe) => {
    let escaped = '';
    for (let i = 0; i < unsafe.length; i++) {
      escaped += `\\u${unsafe.charCodeAt(i).toString(16).padStart(4, '0')}`;
    }
    return escaped;
  });
}
