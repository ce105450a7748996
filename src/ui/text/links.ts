/**
 * Finding web links in neutralized message text, and the OSC 8 escape that
 * makes a terminal draw one as a hyperlink. Pure: no terminal, no I/O.
 *
 * A link's target is always exactly the text shown, so a link can never go
 * anywhere its text does not say. Hence the rules: only `http://` and
 * `https://`; only URLs made wholly of the characters RFC 3986 allows
 * (printable ASCII: a Unicode host or path can look like another one); no
 * user name before the host (`https://bank.example@evil.example` goes to
 * evil.example); trailing punctuation is not part of the URL, a closing
 * parenthesis or bracket only when it closes one opened inside the URL.
 */

/** A link in a text: where its visible text is (UTF-16 indices, `end` excluded), and its target. */
export type Link = {
  readonly start: number;
  readonly end: number;
  /** The URL: `text.slice(start, end)`. */
  readonly url: string;
};

// A URL's run of characters ends at white space and at the characters that
// usually wrap one in prose or markup, none of which a URL may hold.
const RUN_END = /[\s<>"`]/u;
// What RFC 3986 allows in a URI: unreserved, reserved and '%'.
const URL_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;
const SCHEME = /^https?:\/\//i;
// Left off the end of a URL: the punctuation of the sentence around it.
const TRAILING = new Set(['.', ',', ':', ';', '!', '?', "'", '*', '_', '~']);
// A scheme glued to a word ("xhttps://…") is not the start of a link.
const WORD_CHAR = /[A-Za-z0-9]/;
const PUNCTUATION = /\p{P}/u;

/** `candidate` without the sentence's punctuation after it. Linear in its length. */
function trimEnd(candidate: string): string {
  // Opened minus closed, over the whole candidate: below 0, a closing one is the sentence's.
  let parens = 0;
  let brackets = 0;
  for (const character of candidate) {
    if (character === '(') parens++;
    else if (character === ')') parens--;
    else if (character === '[') brackets++;
    else if (character === ']') brackets--;
  }
  let end = candidate.length;
  for (; end > 0; end--) {
    // One UTF-16 unit: punctuation outside the BMP stays, and the URL with it is refused.
    const last = candidate.charAt(end - 1);
    // Wikipedia's `…/Foo_(bar)` keeps its ')', the `)` of `(see https://…)` goes.
    if (last === ')') {
      if (parens >= 0) break;
      parens++;
    } else if (last === ']') {
      if (brackets >= 0) break;
      brackets++;
    } else if (!TRAILING.has(last) && !(last.charCodeAt(0) > 0x7f && PUNCTUATION.test(last))) {
      break;
    }
  }
  return candidate.slice(0, end);
}

/** Whether `url` (scheme included) is one this module links: see the module's rules. */
export function isLinkable(url: string): boolean {
  const scheme = SCHEME.exec(url);
  if (scheme === null || !URL_CHARS.test(url)) return false;
  const rest = url.slice(scheme[0].length);
  const authority = rest.split(/[/?#]/, 1)[0] ?? '';
  return !authority.includes('@') && /[A-Za-z0-9]/.test(authority);
}

/**
 * The links in `text` (neutralized: see `sanitize.ts`), in order. A run of
 * characters that starts with a link's scheme but breaks a rule is no link
 * at all, never a shorter one: `https://exämple.com` is plain text, not a
 * link to `https://ex`. Linear in the length.
 */
export function findLinks(text: string): Link[] {
  const links: Link[] = [];
  const scheme = /https?:\/\//gi;
  for (let found = scheme.exec(text); found !== null; found = scheme.exec(text)) {
    const start = found.index;
    let end = start + found[0].length;
    while (end < text.length && !RUN_END.test(text.charAt(end))) end++;
    scheme.lastIndex = end;
    if (start > 0 && WORD_CHAR.test(text.charAt(start - 1))) continue;
    const url = trimEnd(text.slice(start, end));
    if (isLinkable(url)) links.push({ start, end: start + url.length, url });
  }
  return links;
}

// ESC ] 8 ; params ; URI, ended by BEL: Ink 6 lays out rows with
// @alcalzone/ansi-tokenize, which knows OSC 8 only in this form; ended by
// ESC \ instead, its bytes would count as characters and push the row apart.
const OSC8_OPEN = '\u001b]8;;';
const BEL = '\u0007';

/**
 * `text` wrapped in an OSC 8 hyperlink to `url`, for terminals that draw
 * them (the others show `text` alone). Zero columns wide: string-width, and
 * so Ink, ignores the escape. A `url` that {@link isLinkable} refuses gives
 * `text` unchanged, so no escape can ever carry anything else.
 */
export function hyperlink(url: string, text: string): string {
  if (!isLinkable(url)) return text;
  return `${OSC8_OPEN}${url}${BEL}${text}${OSC8_OPEN}${BEL}`;
}
