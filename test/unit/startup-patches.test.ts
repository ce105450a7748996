/**
 * The two dependency patches that shorten `chat tui`'s start (patches/):
 * string-width measures plain text without its segmenter and emoji regexes,
 * and yoga-layout decodes its inlined WebAssembly without Node's fetch.
 * Both must keep the libraries' results exactly.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import stringWidth from 'string-width';

const exec = promisify(execFile);

/** The code points the patched fast path takes (see patches/string-width+8.3.0.patch). */
const FAST_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x7e],
  [0xa0, 0xac],
  [0xae, 0x2ff],
  [0x2010, 0x2027],
  [0x2030, 0x205e],
  [0x2190, 0x21ff],
  [0x2500, 0x25fc],
  [0x25ff, 0x25ff],
];

/** An emoji keeps the text off the fast path: its own 2 columns are taken off again. */
const EMOJI = '\u{1F600}';
const slowWidth = (text: string, ambiguousIsNarrow: boolean) =>
  stringWidth(text + EMOJI, { ambiguousIsNarrow }) - 2;

describe('string-width, patched with a fast path for plain text', () => {
  it('is the patched copy (patch-package ran at install)', () => {
    const source = readFileSync(createRequire(import.meta.url).resolve('string-width'), 'utf8');
    assert.match(source, /chat's patch/);
  });

  it('gives every code point of the fast path the width of the full algorithm', () => {
    const wrong: string[] = [];
    for (const [first, last] of FAST_RANGES) {
      for (let code = first; code <= last; code++) {
        const text = String.fromCodePoint(code);
        for (const ambiguousIsNarrow of [true, false]) {
          const fast = stringWidth(text, { ambiguousIsNarrow });
          const slow = slowWidth(text, ambiguousIsNarrow);
          if (fast !== slow) wrong.push(`U+${code.toString(16)} ${fast} ≠ ${slow}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('measures the lines a TUI draws as the full algorithm does', () => {
    for (const line of [
      '│ #general ● connected — 3 users │',
      '┌──────┐ ▲ ▼ ← → « café » naïve ±5 °C',
      '  ✓ ok', // U+2713 is outside the fast path: the full algorithm measures it
      '',
    ]) {
      assert.equal(stringWidth(line), slowWidth(line, true), line);
      assert.equal(
        stringWidth(line, { ambiguousIsNarrow: false }),
        slowWidth(line, false),
        `${line} (ambiguous wide)`,
      );
    }
  });

  it('still measures emoji, CJK, combining marks and soft hyphens by the full rules', () => {
    assert.equal(stringWidth('a\u00ADb'), 2);
    assert.equal(stringWidth('e\u0301'), 1);
    assert.equal(stringWidth('日本'), 4);
    assert.equal(stringWidth('◽'), 2); // U+25FD: an emoji, left out of the fast path
  });
});

describe('yoga-layout, patched to decode its inlined WebAssembly itself', () => {
  it('loads and lays out without touching the global fetch (which loads undici)', async () => {
    const script = `
      let touched = false;
      const fetch = globalThis.fetch;
      Object.defineProperty(globalThis, 'fetch', {
        configurable: true,
        get() { touched = true; return fetch; },
      });
      const { default: Yoga } = await import('yoga-layout');
      const node = Yoga.Node.create();
      node.setWidth(42);
      node.calculateLayout(undefined, undefined, Yoga.DIRECTION_LTR);
      process.stdout.write(JSON.stringify({ touched, width: node.getComputedWidth() }));
    `;
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url),
    });
    assert.deepEqual(JSON.parse(stdout), { touched: false, width: 42 });
  });
});
