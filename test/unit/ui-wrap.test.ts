import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import stringWidth from 'string-width';
import { displayWidth, padEnd, truncate, wrapText } from '../../src/ui/text/wrap.ts';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const clusters = (text: string): string[] => [...segmenter.segment(text)].map((s) => s.segment);

const FAMILY = '👨‍👩‍👧';
const THUMB = '👍🏽';
const E_ACUTE = 'e\u0301';

describe('displayWidth', () => {
  const cases: Array<[string, number]> = [
    ['', 0],
    ['abc', 3],
    ['漢字かな', 8],
    [THUMB, 2],
    [FAMILY, 2],
    [E_ACUTE, 1],
    ['\u200b', 0],
    ['␛[2J', 4],
  ];
  for (const [text, width] of cases) {
    it(`${JSON.stringify(text)} is ${width} columns`, () =>
      assert.equal(displayWidth(text), width));
  }
});

describe('displayWidth agrees with string-width', () => {
  // The ASCII shortcut must not change where clusters start or how wide they are.
  const cases = [
    'plain ASCII, with punctuation!',
    `cafe${E_ACUTE} and ${E_ACUTE}`,
    'a\u200db',
    'keycap 1\uFE0F\u20E3 and #\u20E3',
    'flag 🇫🇷🇩🇪 and lone 🇫',
    'Devanagari क्षि and Thai น้ำ',
    'Hangul jamo \u1100\u1161\u11A8 and 한국어',
    'halfwidth ｶﾞ and fullwidth Ａ',
    `${FAMILY}${THUMB}x${THUMB}`,
    '\u0301 leading mark',
    'x\uFE0F variation',
  ];
  for (const text of cases) {
    it(JSON.stringify(text), () => assert.equal(displayWidth(text), stringWidth(text)));
  }
});

describe('wrapText: exact lines', () => {
  const cases: Array<[string, string, number, string[]]> = [
    ['empty text', '', 10, ['']],
    ['empty text at width 1', '', 1, ['']],
    ['fits', 'hello world', 40, ['hello world']],
    ['exactly fits', 'hello', 5, ['hello']],
    ['breaks at the space', 'hello world', 5, ['hello', 'world']],
    ['drops the space at the break', 'hello world', 8, ['hello', 'world']],
    ['drops a run of spaces at the break', 'a    b', 3, ['a', 'b']],
    ['keeps inner spaces that fit', 'a  b c', 4, ['a  b', 'c']],
    ['keeps existing line breaks', 'a\nb', 10, ['a', 'b']],
    ['keeps empty lines', 'a\n\nb', 10, ['a', '', 'b']],
    ['a trailing newline gives an empty line', 'a\n', 10, ['a', '']],
    ['hard-breaks a long word', 'abcdefghij', 4, ['abcd', 'efgh', 'ij']],
    ['a long word starts where there is room', 'hi abcdefghij', 5, ['hi ab', 'cdefg', 'hij']],
    ['keeps leading indentation', '  indented text', 10, ['  indented', 'text']],
    ['keeps trailing spaces that fit', 'abc   ', 4, ['abc ']],
    ['breaks a line of spaces', '      ', 4, ['    ', '  ']],
    ['CJK never straddles the edge', '漢字かな', 3, ['漢', '字', 'か', 'な']],
    ['CJK after ASCII at width 2', 'a漢字', 2, ['a', '漢', '字']],
    [
      'combining marks stay on their letter',
      `${E_ACUTE}${E_ACUTE}${E_ACUTE}`,
      2,
      [`${E_ACUTE}${E_ACUTE}`, E_ACUTE],
    ],
    ['a ZWJ family is one 2-column cluster', `${FAMILY}${FAMILY}`, 3, [FAMILY, FAMILY]],
    ['a skin-tone emoji is not split', `ab ${THUMB} c`, 2, ['ab', THUMB, 'c']],
    ['width 1: one column per line', 'ab c', 1, ['a', 'b', 'c']],
    ['width 1: leading space kept', ' a', 1, [' ', 'a']],
    ['width 1: a wide character becomes …', '漢a', 1, ['…', 'a']],
    ['width 2: wide characters one per line', '漢字', 2, ['漢', '字']],
    ['width 2: emoji between letters', `a${THUMB}b`, 2, ['a', THUMB, 'b']],
    [
      '40 columns',
      'The quick brown fox jumps over the lazy dog while the chat server keeps every message in order.',
      40,
      [
        'The quick brown fox jumps over the lazy',
        'dog while the chat server keeps every',
        'message in order.',
      ],
    ],
    [
      '10 columns, mixed scripts and a URL',
      `hello 漢字かな world ${THUMB} ok https://example.com/a/very/long/path`,
      10,
      [
        'hello',
        '漢字かな',
        `world ${THUMB}`,
        'ok https:/',
        '/example.c',
        'om/a/very/',
        'long/path',
      ],
    ],
  ];
  for (const [name, text, width, lines] of cases) {
    it(`${name} (width ${width})`, () => assert.deepEqual(wrapText(text, width), lines));
  }
});

describe('wrapText: odd widths', () => {
  const cases: Array<[number, string[]]> = [
    [0, ['a', 'b']],
    [-5, ['a', 'b']],
    [Number.NaN, ['a', 'b']],
    [2.9, ['ab']],
    [Number.POSITIVE_INFINITY, ['ab']],
  ];
  for (const [width, lines] of cases) {
    it(`width ${width}`, () => assert.deepEqual(wrapText('ab', width), lines));
  }
});

describe('wrapText: properties over mixed input', () => {
  const pieces = [
    'a',
    'chat',
    'supercalifragilisticexpialidocious',
    'x'.repeat(45),
    ' ',
    ' ',
    '   ',
    '漢字かな',
    '漢',
    THUMB,
    FAMILY,
    E_ACUTE,
    `n${E_ACUTE}e${E_ACUTE}`,
    '\n',
    '.',
    '🇫🇷',
  ];
  // A fixed-seed generator, so a failure is reproducible.
  let seed = 42;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  const inputs: string[] = [];
  for (let round = 0; round < 300; round++) {
    let text = '';
    const count = next() % 20;
    for (let index = 0; index < count; index++) text += pieces[next() % pieces.length];
    inputs.push(text);
  }

  for (const width of [1, 2, 3, 5, 10, 17, 40, 80]) {
    it(`width ${width}: every line fits and no grapheme is lost`, () => {
      for (const text of inputs) {
        const lines = wrapText(text, width);
        const context = `${JSON.stringify(text)} at ${width}`;
        for (const line of lines) {
          assert.ok(displayWidth(line) <= width, `${JSON.stringify(line)} too wide: ${context}`);
          assert.ok(!line.includes('\n'), context);
        }
        assert.ok(lines.length >= text.split('\n').length, context);
        // Only spaces at breaks may go; at width 1 a 2-column cluster is shown as '…'.
        const expected = clusters(text)
          .filter((g) => g !== ' ' && g !== '\n')
          .map((g) => (displayWidth(g) > width ? '…' : g));
        const got = lines.flatMap(clusters).filter((g) => g !== ' ');
        assert.deepEqual(got, expected, context);
      }
    });
  }

  for (const width of [2, 3, 10, 40]) {
    it(`width ${width}: the lines are the text, cut only at spaces or between clusters`, () => {
      for (const text of inputs) {
        const paragraphs = text.split('\n');
        assert.deepEqual(
          wrapText(text, width),
          paragraphs.flatMap((p) => wrapText(p, width)),
        );
        for (const paragraph of paragraphs) {
          // Re-joining the lines with the dropped spaces gives the paragraph back.
          let at = 0;
          for (const line of wrapText(paragraph, width)) {
            const found = paragraph.indexOf(line, at);
            assert.ok(found >= 0, `${JSON.stringify(line)} not in ${JSON.stringify(paragraph)}`);
            assert.match(paragraph.slice(at, found), /^ *$/, JSON.stringify(paragraph));
            at = found + line.length;
          }
          assert.match(paragraph.slice(at), /^ *$/, JSON.stringify(paragraph));
        }
      }
    });
  }

  it('displayWidth agrees with string-width on every input', () => {
    for (const text of inputs) {
      for (const paragraph of text.split('\n')) {
        assert.equal(displayWidth(paragraph), stringWidth(paragraph), JSON.stringify(paragraph));
      }
    }
  });

  it('text that fits in one line comes back unchanged', () => {
    for (const text of inputs) {
      for (const paragraph of text.split('\n')) {
        assert.deepEqual(wrapText(paragraph, displayWidth(paragraph) || 1), [paragraph]);
      }
    }
  });
});

describe('truncate', () => {
  const cases: Array<[string, number, string | undefined, string]> = [
    ['hello', 10, undefined, 'hello'],
    ['hello', 5, undefined, 'hello'],
    ['hello world', 8, undefined, 'hello w…'],
    ['漢字かな', 5, undefined, '漢字…'],
    ['漢字かな', 4, undefined, '漢…'],
    [`${FAMILY}abc`, 2, undefined, '…'],
    [`${E_ACUTE}${E_ACUTE}${E_ACUTE}`, 2, undefined, `${E_ACUTE}…`],
    ['hello', 1, undefined, '…'],
    ['hello', 0, undefined, ''],
    ['hello', -3, undefined, ''],
    ['hello', 4, '...', 'h...'],
    ['hello', 2, '...', 'he'],
    ['hello', 3, '', 'hel'],
  ];
  for (const [text, width, ellipsis, expected] of cases) {
    it(`${JSON.stringify(text)} to ${width} with ${JSON.stringify(ellipsis ?? '…')}`, () => {
      const out = ellipsis === undefined ? truncate(text, width) : truncate(text, width, ellipsis);
      assert.equal(out, expected);
      assert.ok(displayWidth(out) <= Math.max(0, width));
    });
  }
});

describe('padEnd', () => {
  const cases: Array<[string, number, string]> = [
    ['ab', 4, 'ab  '],
    ['漢', 4, '漢  '],
    [THUMB, 3, `${THUMB} `],
    [E_ACUTE, 2, `${E_ACUTE} `],
    ['abcdef', 3, 'abcdef'],
    ['', 2, '  '],
    ['ab', -1, 'ab'],
  ];
  for (const [text, width, expected] of cases) {
    it(`${JSON.stringify(text)} to ${width}`, () => assert.equal(padEnd(text, width), expected));
  }
});
