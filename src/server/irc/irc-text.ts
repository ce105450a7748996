/**
 * Text made fit for IRC lines and for chat: formatting taken out of what a
 * client says, parameters that cannot break the line they stand in, times
 * and lengths as IRC counts them. Pure.
 */

// IRC formatting (bold, colour with its digits, italics, reset…): chat text is plain.
// biome-ignore lint/suspicious/noControlCharactersInRegex: IRC's formatting codes are control characters.
const FORMATTING = /\u0003(?:\d{1,2}(?:,\d{1,2})?)?|[\u0002\u000f\u0011\u0016\u001d\u001e\u001f]/g;

// Never in a line: what would end it or cut it.
const LINE_BREAKERS = /[\r\n\0]/g;

/** `text` without IRC's formatting codes (bold, colours, italics, reset…). */
export function withoutFormatting(text: string): string {
  return text.replace(FORMATTING, '');
}

/** `text` with CR, LF and NUL made spaces, so that it cannot end or cut a line. */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAKERS, ' ');
}

/**
 * Parameters made writable whatever a client put in them: a middle one is
 * its first word (`*` when there is none, or it would read as the trailing
 * one), and none holds CR, LF or NUL. Replies echo what clients typed.
 */
export function safeParams(params: readonly string[]): string[] {
  return params.map((param, index) => {
    const clean = oneLine(param);
    if (index === params.length - 1) return clean;
    const word = clean.split(' ').find((part) => part !== '') ?? '';
    return word === '' || word.startsWith(':') ? '*' : word;
  });
}

/** Milliseconds since the epoch as IRCv3 server-time writes them. */
export function isoTime(ts: number): string {
  return new Date(ts).toISOString();
}

/** Splits `text` into pieces of at most `bytes` UTF-8 bytes, between code points. */
export function splitBytes(text: string, bytes: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let size = 0;
  for (const point of text) {
    const length = Buffer.byteLength(point);
    if (size + length > bytes && piece !== '') {
      pieces.push(piece);
      piece = '';
      size = 0;
    }
    piece += point;
    size += length;
  }
  pieces.push(piece);
  return pieces;
}
