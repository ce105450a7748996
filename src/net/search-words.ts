/**
 * How a search's text matches a message: the text is cut into words on
 * whitespace, and a message matches when its text holds every word, in any
 * order and case. Here rather than in the server so that a screen can mark
 * the words in a result by the very rules that found it.
 */

// Punctuation at either end of a word typed into a search ("deploy," or
// "(friday)") is how sentences are written, not what is looked for; inside
// a word ("node.js", "it's") it stays. Symbols (emoji, "+", "$") are kept.
const EDGE_PUNCTUATION = /^\p{P}+|\p{P}+$/gu;

/**
 * The words of a search text, folded for matching (see `foldForSearch`),
 * without duplicates. Punctuation at a word's ends is dropped unless the
 * word is nothing else ("?!" is looked for as is). Empty for a text of
 * whitespace only: such a search matches nothing.
 */
export function searchWords(text: string): string[] {
  const words = new Set<string>();
  for (const raw of text.split(/\s+/u)) {
    if (raw === '') continue;
    const trimmed = raw.replace(EDGE_PUNCTUATION, '');
    words.add(foldForSearch(trimmed === '' ? raw : trimmed));
  }
  return [...words];
}

/**
 * Text as a search compares it: composed (NFC, so an "é" typed as e and an
 * accent equals the one-character "é") and in lower case.
 */
export function foldForSearch(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

/** True when `text` holds every one of `words` (from `searchWords`); false for no words. */
export function matchesEvery(words: readonly string[], text: string): boolean {
  if (words.length === 0) return false;
  const folded = foldForSearch(text);
  return words.every((word) => folded.includes(word));
}
