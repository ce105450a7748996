/**
 * Makes text that came from the network safe to draw in a terminal. Nothing a
 * peer sends may move the cursor, change the title, clear the screen, reorder
 * the line (bidi overrides) or break a layout with an invisible line break.
 * Pure: no terminal, no I/O.
 */

const LF = 0x0a;
const TAB = 0x09;
const CR = 0x0d;
const DEL = 0x7f;
const CONTROL_PICTURES = 0x2400;
const REPLACEMENT = '\uFFFD';
/** A tab's replacement: a fixed run, because tab stops depend on where the pane starts. */
const TAB_SPACES = '  ';

function isBidiControl(code: number): boolean {
  return (
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * What replaces the UTF-16 unit at `index`, or `undefined` to keep it.
 * `text.charCodeAt(index)` is `code`; a high surrogate that opens a valid
 * pair is kept (the caller skips its low half).
 */
function replacementAt(text: string, index: number, code: number): string | undefined {
  if (code < 0x20) {
    if (code === LF) return undefined;
    if (code === TAB) return TAB_SPACES;
    // CRLF from Windows pastes is a plain line break; a lone CR stays visible.
    if (code === CR && text.charCodeAt(index + 1) === LF) return '';
    return String.fromCharCode(CONTROL_PICTURES + code);
  }
  if (code < DEL) return undefined;
  if (code === DEL) return '\u2421';
  if (code <= 0x9f) return REPLACEMENT;
  if (isBidiControl(code)) return '';
  if (code === 0x2028 || code === 0x2029) return '\n';
  if (isLowSurrogate(code)) return REPLACEMENT;
  if (isHighSurrogate(code))
    return isLowSurrogate(text.charCodeAt(index + 1)) ? undefined : REPLACEMENT;
  return undefined;
}

/**
 * Returns `text` made harmless to draw; the result keeps `\n` line breaks.
 *
 * - C0 controls other than `\n` and `\t` become their visible Control
 *   Pictures (U+2400 + code: ESC → '␛', BEL → '␇', NUL → '␀'), and DEL
 *   (U+007F) becomes '␡', so an escape sequence shows as inert text.
 *   CR directly before LF is dropped (a CRLF line break is a line break).
 * - `\t` becomes 2 spaces (2 columns).
 * - C1 controls (U+0080–U+009F, which include the 8-bit CSI) and lone
 *   surrogates become U+FFFD '�'.
 * - Bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069)
 *   are removed, so text cannot be reordered on screen.
 * - Line and paragraph separators (U+2028, U+2029) become `\n`.
 *
 * Linear in the length (UTF-16 units); returns `text` itself when nothing
 * needs replacing.
 */
export function neutralize(text: string): string {
  let out = '';
  // Start of the run of units copied unchanged since the last replacement.
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    // Printable ASCII and most of the BMP need no check beyond this.
    if (code >= 0x20 && code < DEL) continue;
    const replacement = replacementAt(text, index, code);
    if (replacement === undefined) {
      if (isHighSurrogate(code)) index++;
      continue;
    }
    out += text.slice(start, index) + replacement;
    start = index + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

/**
 * Like {@link neutralize}, for single-line places (topic, away text, status
 * bar): each line break becomes '⏎ ' (2 columns), so the result has no `\n`.
 */
export function neutralizeLine(text: string): string {
  return neutralize(text).replaceAll('\n', '\u23CE ');
}
