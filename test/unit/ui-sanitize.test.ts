import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_MARKS,
  MAX_STACKED_MARKS,
  neutralize,
  neutralizeLine,
  safeJson,
} from '../../src/ui/text/sanitize.ts';

const hex = (code: number): string => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
/** A test name that prints safely: JSON escapes controls, this escapes the line separators. */
const show = (text: string): string =>
  JSON.stringify(text).replace(/[\u2028\u2029]/g, (c) => `\\u${hex(c.charCodeAt(0)).slice(2)}`);

/** True when nothing in `text` can steer a terminal or reorder a line. */
function isInert(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 && code !== 0x0a) return false;
    if (code >= 0x7f && code <= 0x9f) return false;
    if (code === 0x2028 || code === 0x2029 || code === 0x061c) return false;
    if (code === 0x200e || code === 0x200f) return false;
    if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) return false;
  }
  return text.isWellFormed();
}

const ZWJ_OR_ZWNJ = /[\u200c\u200d]/u;
const FLAG_TAGS = /\u{1F3F4}[\u{E0030}-\u{E0039}\u{E0061}-\u{E007A}]{1,6}\u{E007F}/gu;
const HIDDEN = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const SELECTOR = /[\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}\u180b-\u180d\u180f]/u;

/**
 * True when nothing in `text` is invisible (bar the joiners, selectors and
 * flag tags neutralize keeps) and no character carries more marks than the caps.
 */
function hidesNothing(text: string): boolean {
  let stacked = 0;
  let marks = 0;
  let selectors = 0;
  for (const character of text.replace(FLAG_TAGS, '🏴')) {
    if (SELECTOR.test(character)) {
      selectors++;
      marks++;
      stacked++;
    } else if (/\p{M}/u.test(character)) {
      marks++;
      if (!/\p{Mc}/u.test(character)) stacked++;
    } else if (HIDDEN.test(character) && !ZWJ_OR_ZWNJ.test(character)) {
      return false;
    } else if (!ZWJ_OR_ZWNJ.test(character)) {
      stacked = 0;
      marks = 0;
      selectors = 0;
    }
    if (stacked > MAX_STACKED_MARKS || marks > MAX_MARKS || selectors > 1) return false;
  }
  return !/[\u200c\u200d]{2}/u.test(text);
}

describe('neutralize: C0 controls', () => {
  const cases: Array<[number, string]> = [];
  for (let code = 0; code < 0x20; code++) {
    const expected =
      code === 0x0a ? '\n' : code === 0x09 ? '  ' : String.fromCharCode(0x2400 + code);
    cases.push([code, expected]);
  }
  for (const [code, expected] of cases) {
    it(`${hex(code)} -> ${show(expected)}`, () =>
      assert.equal(neutralize(`a${String.fromCharCode(code)}b`), `a${expected}b`));
  }
  it('U+007F (DEL) -> ␡', () => assert.equal(neutralize('a\u007fb'), 'a\u2421b'));
  it('ESC is shown as ␛', () => assert.equal(neutralize('\u001b'), '␛'));
  it('a lone CR stays visible', () => assert.equal(neutralize('a\rb'), 'a␍b'));
  it('CRLF is a line break', () => assert.equal(neutralize('a\r\nb\r\n'), 'a\nb\n'));
  it('CR CR LF keeps the first CR visible', () => assert.equal(neutralize('a\r\r\nb'), 'a␍\nb'));
});

describe('neutralize: C1 controls', () => {
  for (let code = 0x80; code <= 0x9f; code++) {
    it(`${hex(code)} -> U+FFFD`, () =>
      assert.equal(neutralize(`a${String.fromCharCode(code)}b`), 'a\uFFFDb'));
  }
  it('the 8-bit CSI cannot start a sequence', () =>
    assert.equal(neutralize('\u009b2J\u009d0;x\u009c'), '\uFFFD2J\uFFFD0;x\uFFFD'));
});

describe('neutralize: escape-sequence attacks', () => {
  const cases: Array<[string, string, string]> = [
    ['clear screen and set title', '\u001b[2J\u001b]0;pwned\u0007', '␛[2J␛]0;pwned␇'],
    ['cursor home and erase line', 'hi\u001b[H\u001b[K', 'hi␛[H␛[K'],
    ['colour that never resets', '\u001b[31mred', '␛[31mred'],
    [
      'OSC 8 hyperlink',
      '\u001b]8;;http://evil\u001b\\click\u001b]8;;\u001b\\',
      '␛]8;;http://evil␛\\click␛]8;;␛\\',
    ],
    ['alternate screen off', '\u001b[?1049l', '␛[?1049l'],
    ['backspaces over text', 'safe\b\b\b\bevil', 'safe␈␈␈␈evil'],
    ['OSC 52 clipboard write', '\u001b]52;c;ZXZpbA==\u0007', '␛]52;c;ZXZpbA==␇'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const out = neutralize(input);
      assert.equal(out, expected);
      assert.ok(isInert(out));
    });
  }
});

describe('neutralize: bidi controls and separators', () => {
  const bidi = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e];
  bidi.push(0x2066, 0x2067, 0x2068, 0x2069);
  for (const code of bidi) {
    it(`${hex(code)} is removed`, () =>
      assert.equal(neutralize(`ab${String.fromCharCode(code)}cd`), 'abcd'));
  }
  it('a right-to-left override cannot reverse a file name', () =>
    assert.equal(neutralize('invoice\u202Efdp.exe'), 'invoicefdp.exe'));
  it('an isolate cannot hide the end of a line', () =>
    assert.equal(neutralize('ok \u2067evil\u2069 text'), 'ok evil text'));
  it('U+2028 -> \\n', () => assert.equal(neutralize('a\u2028b'), 'a\nb'));
  it('U+2029 -> \\n', () => assert.equal(neutralize('a\u2029b'), 'a\nb'));
  it('Arabic and Hebrew letters themselves are kept', () =>
    assert.equal(neutralize('שלום مرحبا'), 'שלום مرحبا'));
});

describe('neutralize: surrogates', () => {
  const cases: Array<[string, string, string]> = [
    ['lone high surrogate', 'a\uD83Db', 'a\uFFFDb'],
    ['lone high surrogate at the end', 'a\uD83D', 'a\uFFFD'],
    ['lone low surrogate', 'a\uDC4Db', 'a\uFFFDb'],
    ['reversed pair', '\uDC4D\uD83D', '\uFFFD\uFFFD'],
    ['two high surrogates then a low one', '\uD83D\uD83D\uDC4D', '\uFFFD👍'],
    ['valid pair', '👍', '👍'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(neutralize(input), expected));
  }
});

describe('neutralize: ordinary text', () => {
  const kept = [
    '',
    'hello, world',
    'line one\nline two',
    '漢字かな',
    '👍🏽 👨‍👩‍👧 e\u0301',
    'naïve café ½ ©',
    '~!@#$%^&*()_+{}|:"<>?',
  ];
  for (const text of kept) {
    it(`keeps ${show(text)} as the same string`, () => assert.equal(neutralize(text), text));
  }
});

describe('neutralize: invisible characters are removed', () => {
  const invisible = [
    0x00ad, 0x034f, 0x061c, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180e, 0x200b, 0x200e, 0x200f, 0x2060,
    0x2061, 0x2062, 0x2063, 0x2064, 0x206a, 0x206f, 0x3164, 0xfeff, 0xffa0, 0xfff9, 0xfffb, 0x1bca0,
    0x1d173, 0xe0001, 0xe0020, 0xe0041, 0xe007f, 0xe01f0, 0xe0fff,
  ];
  for (const code of invisible) {
    it(`${hex(code)} is removed`, () =>
      assert.equal(neutralize(`ab${String.fromCodePoint(code)}cd`), 'abcd'));
  }
  const cases: Array<[string, string, string]> = [
    ['a zero-width space cannot split a name', 'pay\u200Bpal.com', 'paypal.com'],
    ['a BOM at the start of a paste', '\uFEFFhello', 'hello'],
    ['a word joiner', 'no\u2060break', 'nobreak'],
    ['LRM and RLM', 'a\u200Eb\u200Fc', 'abc'],
    ['text smuggled in tag characters', 'hi\u{E0069}\u{E0067}\u{E006E}\u{E006F}', 'hi'],
    ['a tag run that is not a flag', '🏴\u{E0041}\u{E0042}\u{E007F}', '🏴'],
    ['flag tags with no cancel tag', '🏴\u{E0067}\u{E0062}', '🏴'],
    ['seven flag tags', `🏴${'\u{E0061}'.repeat(7)}\u{E007F}`, '🏴'],
    ['flag tags after another emoji', '👍\u{E0067}\u{E0062}\u{E007F}', '👍'],
    ['invisible Hangul fillers as a blank name', '\u3164\u3164\u3164', ''],
    ['only invisible characters', '\u200B\u200E\uFEFF\u{E0041}', ''],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const out = neutralize(input);
      assert.equal(out, expected);
      assert.ok(hidesNothing(out));
    });
  }
});

describe('neutralize: joiners where they do visible work', () => {
  const kept: Array<[string, string]> = [
    ['family', '👨\u200D👩\u200D👧\u200D👦'],
    ['rainbow flag (selector, then joiner)', '🏳\uFE0F\u200D🌈'],
    ['skin tone then joiner', '🧑🏽\u200D💻'],
    ['heart on fire', '❤\uFE0F\u200D🔥'],
    ['hair component', '👨\u200D🦰'],
    ['Devanagari half form', '\u0915\u094D\u200D\u0937'],
    ['Sinhala yansaya', '\u0DC1\u0DCA\u200D\u0DBB\u0DD3'],
    ['Persian ZWNJ', '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645'],
  ];
  for (const [name, text] of kept) {
    it(`keeps ${name}`, () => assert.equal(neutralize(text), text));
  }
  const dropped: Array<[string, string, string]> = [
    ['between Latin letters', 'a\u200Db\u200Cc', 'abc'],
    ['between Cyrillic letters', '\u0430\u200D\u0431', '\u0430\u0431'],
    ['between Greek letters', '\u03B1\u200C\u03B2', '\u03B1\u03B2'],
    ['at the start', '\u200D👍', '👍'],
    ['at the end', '👍\u200D', '👍'],
    ['before ASCII', '👍\u200Dx', '👍x'],
    ['two in a row keep one', '👨\u200D\u200D👩', '👨\u200D👩'],
    ['before an invisible letter', '\u0915\u200D\u3164', '\u0915'],
    ['after a control picture', '\u001b\u200D👍', '␛👍'],
  ];
  for (const [name, input, expected] of dropped) {
    it(`removes one ${name}`, () => assert.equal(neutralize(input), expected));
  }
});

describe('neutralize: emoji tag sequences', () => {
  const flags: Array<[string, string]> = [
    ['England', '🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}'],
    ['Scotland', '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}'],
    ['Wales', '🏴\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}\u{E007F}'],
  ];
  for (const [name, flag] of flags) {
    it(`keeps the flag of ${name}`, () => assert.equal(neutralize(`go ${flag}!`), `go ${flag}!`));
  }
  it('a flag cannot carry more tags after its cancel tag', () =>
    assert.equal(neutralize(`${flags[1]?.[1]}\u{E0041}`), flags[1]?.[1]));
});

describe('neutralize: combining marks', () => {
  const kept: Array<[string, string]> = [
    ['é decomposed', 'e\u0301'],
    ['Vietnamese ệ decomposed', 'Vie\u0323\u0302t'],
    ['Thai tone over a vowel', '\u0E17\u0E35\u0E48'],
    ['pointed Hebrew', '\u05E9\u05C1\u05B8\u05DC\u05D5\u05B9\u05DD'],
    ['a Tibetan stack', '\u0F67\u0F71\u0F74\u0F83'],
    ['a Burmese syllable (5 marks, 2 of them non-spacing)', '\u1019\u103B\u103E\u1031\u102C\u103A'],
    ['a keycap', '1\uFE0F\u20E3'],
    ['four marks', `a${'\u0301\u0300\u0302\u0308'}`],
    ['an emoji with its selector', '☺\uFE0F'],
  ];
  for (const [name, text] of kept) {
    it(`keeps ${name}`, () => assert.equal(neutralize(text), text));
  }
  const capped: Array<[string, string, string]> = [
    ['500 stacked acute accents', `z${'\u0301'.repeat(500)}`, `z${'\u0301'.repeat(4)}`],
    [
      'Zalgo on every letter',
      `a${'\u0336'.repeat(9)}b${'\u0489'.repeat(9)}`,
      `a${'\u0336'.repeat(4)}b${'\u0489'.repeat(4)}`,
    ],
    ['marks at the very start', '\u0301'.repeat(6), '\u0301'.repeat(4)],
    [
      'a removed zero-width space does not restart the count',
      `a${'\u0301\u200B'.repeat(6)}`,
      `a${'\u0301'.repeat(4)}`,
    ],
    ['a run of variation selectors keeps the first', 'a\uFE0F\uFE0F\uFE0E', 'a\uFE0F'],
    ['selectors as a hidden payload', `a${'\u{E0100}'.repeat(40)}`, 'a\u{E0100}'],
    ['a selector with nothing to select', '\uFE0Fa', 'a'],
    ['nine spacing marks keep eight', `\u0915${'\u093E'.repeat(9)}`, `\u0915${'\u093E'.repeat(8)}`],
  ];
  for (const [name, input, expected] of capped) {
    it(name, () => {
      const out = neutralize(input);
      assert.equal(out, expected);
      assert.ok(hidesNothing(out));
    });
  }
});

describe('safeJson', () => {
  const values: Array<[string, string]> = [
    ['plain text', 'hello, world'],
    ['zero-width and bidi marks', 'a\u200Bb\u200Ec\u200Fd\u2060e\uFEFFf'],
    ['tags', 'hi\u{E0041}\u{E0042}'],
    ['500 stacked marks', `z${'\u0301'.repeat(500)}`],
    ['controls the protocol refuses', '\u001b]0;x\u0007\u009b2J\u007f'],
    ['separators', 'a\u2028b\u2029c'],
    ['a lone surrogate', 'a\uD83Db'],
    ['emoji and accents', '👨\u200D👩\u200D👧 🏳\uFE0F\u200D🌈 Vie\u0323\u0302t'],
  ];
  for (const [name, text] of values) {
    it(`${name}: parses back to the same text, and the line itself is inert`, () => {
      const line = safeJson({ type: 'msg', text });
      assert.deepEqual(JSON.parse(line), { type: 'msg', text });
      assert.equal(neutralize(line), line, show(line));
      assert.ok(isInert(line) && hidesNothing(line), show(line));
    });
  }
  it('escapes what neutralize would change, and only that', () =>
    assert.equal(
      safeJson({ text: `a\u200Bb\u007f\u{E0041}e${'\u0301'.repeat(5)} 👍` }),
      `{"text":"a\\u200bb\\u007f\\udb40\\udc41e${'\u0301'.repeat(4)}\\u0301 👍"}`,
    ));
  it('is JSON.stringify when nothing is unsafe', () => {
    const value = { id: 7, text: 'naïve café 漢字 👍🏽', action: true };
    assert.equal(safeJson(value), JSON.stringify(value));
  });
});

describe('neutralize: any input comes out inert', () => {
  // A fixed-seed generator, so a failure is reproducible.
  let seed = 0x2400;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  it('10,000 random strings over U+0000-U+2FFF and surrogates', () => {
    for (let round = 0; round < 10_000; round++) {
      let text = '';
      const length = next() % 12;
      for (let index = 0; index < length; index++) {
        const pick = next() % 4;
        const code =
          pick === 0 ? next() % 0xa0 : pick === 1 ? 0xd800 + (next() % 0x800) : next() % 0x3000;
        text += String.fromCharCode(code);
      }
      const out = neutralize(text);
      assert.ok(isInert(out), JSON.stringify(text));
      assert.equal(neutralize(out), out, 'neutralizing twice changes nothing');
    }
  });
  // Marks, joiners, selectors, tags, emoji and letters of joining scripts, mixed.
  const pool = [
    0x61, 0x0a, 0x0301, 0x0489, 0x093e, 0x094d, 0x0915, 0x0645, 0x0430, 0x200b, 0x200c, 0x200d,
    0x200e, 0x2060, 0x3164, 0xfe0f, 0xfeff, 0x1f3f4, 0x1f468, 0x1f3fd, 0xe0041, 0xe0067, 0xe007f,
    0xe0100, 0x1b,
  ];
  it('10,000 random strings of marks, joiners, selectors and tags', () => {
    for (let round = 0; round < 10_000; round++) {
      let text = '';
      const length = next() % 16;
      for (let index = 0; index < length; index++) {
        text += String.fromCodePoint(pool[next() % pool.length] ?? 0x61);
      }
      const out = neutralize(text);
      assert.ok(isInert(out) && hidesNothing(out), show(text));
      assert.equal(neutralize(out), out, `twice: ${show(text)}`);
      const line = safeJson({ text });
      assert.equal((JSON.parse(line) as { text: string }).text, text);
      assert.equal(neutralize(line), line, `safeJson: ${show(text)}`);
    }
  });
});

describe('neutralizeLine', () => {
  const cases: Array<[string, string]> = [
    ['topic', 'topic'],
    ['a\nb', 'a⏎ b'],
    ['a\r\nb', 'a⏎ b'],
    ['a\u2028b', 'a⏎ b'],
    ['\u001b]0;x\u0007\n', '␛]0;x␇⏎ '],
    ['tab\there', 'tab  here'],
  ];
  for (const [input, expected] of cases) {
    it(`${show(input)} -> ${show(expected)}`, () => {
      const out = neutralizeLine(input);
      assert.equal(out, expected);
      assert.ok(!out.includes('\n'));
    });
  }
});
