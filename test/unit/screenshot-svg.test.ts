import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCast, parseCast } from '../../scripts/screenshots/asciicast.ts';
import { isDrawn } from '../../scripts/screenshots/box-drawing.ts';
import { castFrames, castSvg } from '../../scripts/screenshots/cast-svg.ts';
import { HeadlessTerminal } from '../../scripts/screenshots/headless-terminal.ts';
import {
  CELL_WIDTH,
  escapeXml,
  LINE_HEIGHT,
  screenSvg,
} from '../../scripts/screenshots/screen-svg.ts';
import { DARK_THEME } from '../../scripts/screenshots/terminal-theme.ts';
import { readAnimation, readStill } from '../helpers/svg-picture.ts';

const ESC = '\u001b';
/** A length as the pictures write it (two decimals at most). */
const px = (value: number) => String(Math.round(value * 100) / 100);

/** A 40x6 terminal after `ansi`, and its still picture. */
async function picture(ansi: string) {
  const terminal = new HeadlessTerminal(40, 6);
  await terminal.write(ansi);
  const svg = screenSvg(terminal.screen(DARK_THEME), 'a test', DARK_THEME);
  const text = terminal.text();
  terminal.dispose();
  return { svg, text };
}

/** The element of `svg` that draws `text` (its whole start tag and content). */
function textElement(svg: string, text: string): string {
  const found = new RegExp(`<text [^>]*>${text}</text>`).exec(svg);
  assert.ok(found, `no <text> of ${text} in\n${svg}`);
  return found[0];
}

describe('screen-svg: a terminal screen as an SVG picture', () => {
  it('reads back as the terminal’s own text, wide characters and markup included', async () => {
    const { svg, text } = await picture(
      [
        'plain words   and a gap',
        `${ESC}[41mALERT${ESC}[0m ${ESC}[1;32mok${ESC}[0m`,
        'a <b> & "c" \'d\'',
        '漢字 after wide',
        `${ESC}[2mdim${ESC}[0m ${ESC}[4munder${ESC}[0m ${ESC}[3mitalic${ESC}[0m`,
      ].join('\r\n'),
    );
    assert.deepEqual(readStill(svg).rows.slice(0, 5), text.split('\n').slice(0, 5));
    assert.match(svg, /&lt;b&gt; &amp; &quot;c&quot;/);
  });

  it('gives an emoji two cells, as terminals with Unicode 11 widths draw it', async () => {
    const { svg, text } = await picture('ok 👍 done|');
    assert.equal(text.split('\n')[0], 'ok 👍 done|');
    assert.match(
      textElement(svg, '👍'),
      new RegExp(`x="${px(3 * CELL_WIDTH)}" y="\\d+" textLength="${px(2 * CELL_WIDTH)}"`),
    );
    assert.match(textElement(svg, 'done\\|'), new RegExp(`x="${px(6 * CELL_WIDTH)}"`));
  });

  it('writes characters XML cannot hold as U+FFFD, so the picture still opens', () => {
    assert.equal(escapeXml('a\uFFFEb\uFFFFc\u0001d\uD800e'), 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe');
    assert.equal(escapeXml('tab\tok 👍 漢'), 'tab\tok 👍 漢');
  });

  it('draws colours as the theme has them: backgrounds as rectangles, bold low colours bright', async () => {
    const { svg } = await picture(
      `${ESC}[41mALERT${ESC}[0m ${ESC}[1;32mok${ESC}[0m ${ESC}[38;2;1;2;3mrgb`,
    );
    assert.match(
      svg,
      new RegExp(
        `<rect x="0" width="${px(5 * CELL_WIDTH)}" height="${LINE_HEIGHT}" fill="#cc6666"/>`,
      ),
    );
    assert.match(textElement(svg, 'ok'), /fill="#b9ca4a" class="b"/);
    assert.match(textElement(svg, 'rgb'), /fill="#010203"/);
    assert.match(textElement(svg, 'ALERT'), new RegExp(`fill="${DARK_THEME.foreground}"`));
  });

  it('inverse swaps the colours; one background under runs of other styles has no seams', async () => {
    const { svg } = await picture(`${ESC}[7mINV${ESC}[1mBOLD${ESC}[0m`);
    const rects = svg.match(/<rect x="0" [^>]*>/g) ?? [];
    assert.deepEqual(rects, [
      `<rect x="0" width="${px(7 * CELL_WIDTH)}" height="${LINE_HEIGHT}" fill="${DARK_THEME.foreground}"/>`,
    ]);
    assert.match(textElement(svg, 'INV'), new RegExp(`fill="${DARK_THEME.background}"`));
  });

  it('draws box lines and blocks as shapes that fill the cell, not as glyphs', async () => {
    const { svg } = await picture('╭─╮\r\n│▄│');
    assert.ok(['╭', '─', '╮', '│', '▄'].every(isDrawn));
    assert.ok(!isDrawn('a') && !isDrawn('▸'));
    assert.equal(readStill(svg).rows.join(''), '', 'no line character is left as text');
    const column = (x: number) => px(x * CELL_WIDTH + CELL_WIDTH / 2);
    assert.match(
      svg,
      new RegExp(
        `<path d="M${column(0)} 0V${LINE_HEIGHT / 2}M${column(0)} ${LINE_HEIGHT / 2}V${LINE_HEIGHT}"`,
      ),
    );
    assert.match(
      svg,
      new RegExp(
        `<rect x="${CELL_WIDTH}" y="${LINE_HEIGHT / 2}" width="${CELL_WIDTH}" height="${LINE_HEIGHT / 2}"`,
      ),
    );
  });

  it('shows the cursor where the program left it, and not once it is hidden', async () => {
    const shown = await picture(`abc${ESC}[2;5H`);
    assert.match(
      shown.svg,
      new RegExp(
        `<rect x="${px(4 * CELL_WIDTH)}" y="${LINE_HEIGHT}" width="${CELL_WIDTH}"[^>]*fill="${DARK_THEME.cursor}"`,
      ),
    );
    const hidden = await picture(`abc${ESC}[?25l`);
    assert.doesNotMatch(hidden.svg, new RegExp(`fill="${DARK_THEME.cursor}" opacity`));
  });
});

describe('cast-svg: a recording as an animated SVG', () => {
  it('makes one frame of each burst of writes, and none of a screen that did not change', async () => {
    const events = [
      { time: 0, data: 'a' },
      { time: 0.01, data: 'b' },
      { time: 0.02, data: 'c' },
      { time: 1, data: 'd' },
      { time: 2, data: `${ESC}[1D` },
      { time: 2.5, data: `${ESC}[1C` },
      { time: 3, data: 'e' },
    ];
    const frames = await castFrames(20, 3, events, DARK_THEME);
    assert.deepEqual(
      frames.map((frame) => frame.time),
      [0.02, 1, 2, 2.5, 3],
    );
    const {
      frames: shown,
      keyframes,
      seconds,
    } = readAnimation(castSvg(frames, 'demo', DARK_THEME, 2));
    // The cursor moving back and forth is two frames; the text is read per frame.
    assert.deepEqual(
      shown.map((rows) => rows[0]),
      ['abc', 'abcd', 'abcd', 'abcd', 'abcde'],
    );
    assert.equal(seconds, 3 - 0.02 + 2);
    assert.deepEqual(
      keyframes.map((k) => [Number(k.percent.toFixed(1)), k.frame]),
      [
        [0, 0],
        [19.7, 1],
        [39.8, 2],
        [49.8, 3],
        [59.8, 4],
        [100, 4],
      ],
    );
    const still = castSvg([...frames, ...frames.slice(-1)], 'demo', DARK_THEME, 2);
    assert.equal(readAnimation(still).frames.length, 5, 'a repeated screen is not a frame');
  });

  it('draws each distinct row once, however many frames show it', async () => {
    const events = Array.from({ length: 10 }, (_, i) => ({
      time: i,
      data: i === 0 ? 'same row\r\n' : String(i),
    }));
    const svg = castSvg(await castFrames(20, 3, events, DARK_THEME), 'demo', DARK_THEME);
    assert.equal(svg.match(/>same row</g)?.length, 1);
    assert.equal(readAnimation(svg).frames.filter((rows) => rows[0] === 'same row').length, 10);
  });
});

describe('asciicast v2', () => {
  it('writes what it reads: a header line, then [time, "o", text] lines', () => {
    const events = [
      { time: 0, data: `${ESC}[?1049h` },
      { time: 1.25, data: 'héllo "quoted"\r\n' },
    ];
    const text = formatCast({ version: 2, width: 80, height: 24 }, events);
    assert.equal(text.split('\n')[1], JSON.stringify([0, 'o', `${ESC}[?1049h`]));
    assert.deepEqual(parseCast(text), { header: { version: 2, width: 80, height: 24 }, events });
    assert.throws(() => parseCast('{"version":1}\n'), /version 1, not 2/);
  });
});
