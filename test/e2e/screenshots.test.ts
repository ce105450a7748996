import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseCast } from '../../scripts/screenshots/asciicast.ts';
import { HeadlessTerminal } from '../../scripts/screenshots/headless-terminal.ts';
import { tempDir } from '../helpers/pki.ts';
import { readAnimation, readStill } from '../helpers/svg-picture.ts';

const exec = promisify(execFile);
const DOCS_IMG = fileURLToPath(new URL('../../docs/img', import.meta.url));
const SCRIPT = fileURLToPath(
  new URL('../../scripts/screenshots/make-screenshots.ts', import.meta.url),
);

/** What each still must show: the scenario's texts, read back off the picture. */
const STILLS: Record<string, { title: RegExp; shows: RegExp[] }> = {
  'tui.svg': {
    title: /chat tui: #general/,
    shows: [
      /connected/,
      /#general +0\.4 ships Friday · see #release/,
      /^1 #general/,
      /^2 #release/,
      /^3 @bob/,
      /3 users/,
      /carol/,
      /<carol> @ada can you review the TLS reload PR\?/,
      /https:\/\/git\.example\.com\/chat\/pull\/212/,
      /<ada> on it after standup/,
      /\* bob brews coffee for the release/,
      /\[#general\]/,
    ],
  },
  'tui-dm.svg': {
    title: /direct message/,
    shows: [
      /@bob +sealed, bob not verified: \/verify/,
      /<bob> pair on the redis failover at 3\?/,
      /<ada> sure, 3pm works/,
    ],
  },
  'tui-help.svg': {
    title: /\/help/,
    shows: [/Commands +Esc closes this help/, /\/join #room/, /\/msg user \[text\]/, /Operators/],
  },
  'dashboard.svg': {
    title: /chat serve --dashboard/,
    shows: [
      /chat serve +127\.0\.0\.1:\d+/,
      /connections 3/,
      /rooms 2/,
      /^ ?ada +127\.0\.0\.1 +TLSv1\.3/m,
      /^ ?bob +127\.0\.0\.1/m,
      /^ ?carol +127\.0\.0\.1/m,
      /#general +3 on/,
      /#release +2 on/,
      /INFO +connection open/,
    ],
  },
};

describe('npm run screenshots (the README pictures, made from a real run)', {
  timeout: 300_000,
}, () => {
  let out: { path: string; cleanup: () => Promise<void> };
  let run: { stdout: string; stderr: string };

  before(async () => {
    out = await tempDir();
    run = await exec(process.execPath, ['--import', 'tsx', SCRIPT, '--out', out.path], {
      timeout: 240_000,
    });
  });
  after(() => out.cleanup());

  it('finishes and writes the recording and every picture', async () => {
    assert.match(run.stdout, /screenshots: .*done/);
    assert.equal(run.stderr, '');
    assert.deepEqual((await readdir(out.path)).sort(), [
      'dashboard.svg',
      'demo.cast',
      'demo.svg',
      'tui-dm.svg',
      'tui-help.svg',
      'tui.svg',
    ]);
  });

  for (const [file, expected] of Object.entries(STILLS)) {
    for (const [made, folder] of [
      ['made now', () => out.path],
      ['committed', () => DOCS_IMG],
    ] as const) {
      it(`${file} (${made}) shows ${expected.title}`, async () => {
        const { title, rows } = readStill(await readFile(join(folder(), file), 'utf8'));
        assert.match(title, expected.title);
        assert.equal(rows.length <= 30, true);
        const screen = rows.join('\n');
        for (const pattern of expected.shows) {
          assert.match(screen, new RegExp(pattern.source, 'm'), `${file}:\n${screen}`);
        }
      });
    }
  }

  it('the README shows the pictures the script makes, from docs/img', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const shown = [...readme.matchAll(/!\[[^\]]*\]\(docs\/img\/([\w-]+\.svg)\)/g)].map((m) => m[1]);
    const made = (await readdir(out.path)).filter((file) => file.endsWith('.svg'));
    assert.deepEqual([...new Set(shown)].sort(), made.sort());
    assert.equal(shown[0], 'demo.svg', 'the recording is the first picture');
    assert.deepEqual((await readdir(DOCS_IMG)).sort(), (await readdir(out.path)).sort());
  });

  for (const [made, folder] of [
    ['made now', () => out.path],
    ['committed', () => DOCS_IMG],
  ] as const) {
    it(`demo.cast (${made}) is asciicast v2 of ada’s terminal, in order, leaving it as it was`, async () => {
      const { header, events } = parseCast(await readFile(join(folder(), 'demo.cast'), 'utf8'));
      assert.deepEqual([header.width, header.height], [100, 30]);
      assert.ok(events.length > 50, `only ${events.length} events`);
      for (let i = 1; i < events.length; i++) {
        assert.ok(
          (events[i]?.time ?? 0) >= (events[i - 1]?.time ?? 0),
          `event ${i} goes back in time`,
        );
      }
      // Played into a terminal, it passes the still of #general, and ends
      // with the terminal as chat found it (a replay leaves no mode on).
      const terminal = new HeadlessTerminal(header.width, header.height);
      let seenGeneral = false;
      for (const event of events) {
        await terminal.write(event.data);
        seenGeneral ||= /#general │ 0\.4 ships Friday[\s\S]*on it after standup/.test(
          terminal.text(),
        );
      }
      const { modes } = terminal.terminal;
      const normal = terminal.terminal.buffer.active.type;
      terminal.dispose();
      assert.ok(seenGeneral, 'the cast never shows the still of #general');
      assert.equal(normal, 'normal', 'still in the alternate screen');
      assert.deepEqual(
        [modes.wraparoundMode, modes.bracketedPasteMode, modes.sendFocusMode],
        [true, false, false],
      );
    });

    it(`demo.svg (${made}) animates the recording: each frame once, in order, looping`, async () => {
      const { title, frames, keyframes, seconds } = readAnimation(
        await readFile(join(folder(), 'demo.svg'), 'utf8'),
      );
      assert.equal(title, 'chat tui');
      assert.ok(frames.length > 20, `only ${frames.length} frames`);
      // One keyframe a frame, in order, then the hold on the last.
      assert.deepEqual(
        keyframes.map((k) => k.frame),
        [...frames.keys(), frames.length - 1],
      );
      for (let i = 1; i < keyframes.length; i++) {
        assert.ok((keyframes[i]?.percent ?? 0) >= (keyframes[i - 1]?.percent ?? 0));
      }
      assert.ok(seconds > 10 && seconds < 120, `${seconds} s`);
      const at = (pattern: RegExp) => frames.findIndex((rows) => pattern.test(rows.join('\n')));
      const order = [
        at(/release notes today/),
        at(/ada set the topic/),
        at(/review the TLS reload PR/),
        at(/you joined #release/),
        at(/sure, 3pm works/),
        at(/Esc closes this help/),
      ];
      assert.ok(
        order.every((index) => index >= 0),
        `missing a scene: ${order}`,
      );
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        'the scenes play in the order of the script',
      );
      assert.match((frames.at(-1) ?? []).join('\n'), /#general +0\.4 ships Friday/);
    });
  }
});
