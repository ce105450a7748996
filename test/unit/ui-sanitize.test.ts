import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { neutralize, neutralizeLine } from '../../src/ui/text/sanitize.ts';

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
