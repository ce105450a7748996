import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { graphemeCells, graphemeWidth, widthIsSettled } from '../../src/ui/text/grapheme-width.ts';

/**
 * Graphemes and the columns they take. `chat` counts with string-width (what
 * Ink lays out with); the other columns are what terminals were seen to do:
 *
 * - tmux: tmux 3.3a on Debian 12 (glibc 2.36), measured with
 *   `scripts/probe-widths.mjs`, which prints each grapheme and asks the
 *   terminal where its cursor went (DSR 6). Run it in another terminal to
 *   add a column.
 * - modern: terminals that draw a grapheme cluster as one glyph (the
 *   "grapheme clusters" mode 2027 of contour, WezTerm, foot and Ghostty; the
 *   UTS #51 rule that an RGI emoji sequence is one emoji, 2 columns).
 *
 * `settled` is true only where every source agrees with the count.
 */
const TABLE: Array<{
  text: string;
  what: string;
  chat: number;
  tmux: number;
  modern: number;
  settled: boolean;
}> = [
  { text: 'a', what: 'ASCII letter', chat: 1, tmux: 1, modern: 1, settled: true },
  { text: 'é', what: 'precomposed é (U+00E9)', chat: 1, tmux: 1, modern: 1, settled: true },
  { text: 'e\u0301', what: 'e + combining acute', chat: 1, tmux: 1, modern: 1, settled: true },
  { text: '中', what: 'CJK ideograph (EAW W)', chat: 2, tmux: 2, modern: 2, settled: true },
  { text: '한', what: 'Hangul syllable (EAW W)', chat: 2, tmux: 2, modern: 2, settled: true },
  { text: 'ｱ', what: 'halfwidth katakana (EAW H)', chat: 1, tmux: 1, modern: 1, settled: true },
  { text: '…', what: 'ellipsis (EAW A, narrow)', chat: 1, tmux: 1, modern: 1, settled: true },
  { text: '\u31e3', what: 'CJK stroke, Unicode 4.1', chat: 2, tmux: 2, modern: 2, settled: true },
  { text: '\u31e4', what: 'CJK stroke, Unicode 14', chat: 2, tmux: 0, modern: 2, settled: false },
  {
    text: '\u2ffc',
    what: 'ideographic description, Unicode 15',
    chat: 2,
    tmux: 0,
    modern: 2,
    settled: false,
  },
  { text: '😀', what: 'emoji, Unicode 6.1', chat: 2, tmux: 2, modern: 2, settled: false },
  { text: '🫨', what: 'emoji, Unicode 15', chat: 2, tmux: 0, modern: 2, settled: false },
  { text: '👍🏽', what: 'emoji + skin tone', chat: 2, tmux: 4, modern: 2, settled: false },
  { text: '👨‍👩‍👧', what: 'ZWJ family', chat: 2, tmux: 2, modern: 2, settled: false },
  { text: '🏳️‍🌈', what: 'ZWJ flag with VS16', chat: 2, tmux: 1, modern: 2, settled: false },
  { text: '🇯🇵', what: 'regional-indicator flag', chat: 2, tmux: 2, modern: 2, settled: false },
  { text: '❤️', what: 'text heart + VS16', chat: 2, tmux: 1, modern: 2, settled: false },
  { text: '❤', what: 'text heart alone', chat: 1, tmux: 1, modern: 1, settled: false },
  { text: '⚠️', what: 'warning sign + VS16', chat: 2, tmux: 1, modern: 2, settled: false },
  {
    text: '⌚',
    what: 'watch (EAW W since Unicode 9)',
    chat: 2,
    tmux: 2,
    modern: 2,
    settled: false,
  },
];

describe('grapheme widths, against what terminals draw', () => {
  for (const row of TABLE) {
    it(`${row.what}: ${row.chat} columns, ${row.settled ? 'settled' : 'placed by the writer'}`, () => {
      assert.equal(graphemeWidth(row.text), row.chat);
      assert.equal(widthIsSettled(row.text), row.settled);
    });
  }

  it('calls a width settled only where the terminals measured agree with it', () => {
    for (const row of TABLE) {
      if (row.settled) {
        assert.equal(row.tmux, row.chat, row.what);
        assert.equal(row.modern, row.chat, row.what);
      }
    }
    // And the table does hold disagreements, so the rule above is tested.
    assert.ok(TABLE.some((row) => row.tmux !== row.chat));
  });

  it('splits text into clusters with their widths, ASCII fast or not', () => {
    assert.deepEqual(graphemeCells('a👍🏽b中'), [
      { text: 'a', width: 1 },
      { text: '👍🏽', width: 2 },
      { text: 'b', width: 1 },
      { text: '中', width: 2 },
    ]);
  });
});
