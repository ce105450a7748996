import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import { MessagePane } from '../../src/ui/components/MessagePane.tsx';
import type { Line, MessageLine } from '../../src/ui/state/chat-types.ts';
import { displayWidth } from '../../src/ui/text/wrap.ts';
import { connectedApp } from '../helpers/connected-app.tsx';
import { IdleClient, roomOf } from '../helpers/idle-client.ts';
import { effectsRun, until } from '../helpers/ink.ts';

/** Links in the message pane (OSC 8 around exactly the URL), and /open through the whole App. */

const T0 = Date.UTC(2026, 10, 25, 9, 30);
const OPEN = (url: string) => `\u001b]8;;${url}\u0007`;
const CLOSE = '\u001b]8;;\u0007';
// Only the SGR colours: the OSC 8 sequences are what is looked at.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape is the point.
const SGR = /\u001b\[[0-9;]*m/g;

function message(id: number, text: string): MessageLine {
  return {
    kind: 'message',
    id,
    ts: T0 + id,
    from: 'bob',
    text,
    action: false,
    mention: false,
    own: false,
  };
}

function pane(lines: readonly Line[], width: number, height = 6): string {
  const { lastFrame } = render(
    <MessagePane
      conversation={roomOf(lines)}
      pending={[]}
      scroll={{ offset: 0, newWhileScrolled: 0 }}
      width={width}
      height={height}
      timeZone="UTC"
    />,
  );
  const frame = lastFrame() ?? '';
  for (const line of stripAnsi(frame).split('\n')) {
    assert.ok(displayWidth(line) <= width, `wider than ${width}: ${JSON.stringify(line)}`);
  }
  return frame.replace(SGR, '');
}

afterEach(() => cleanup());

describe('links in the message pane', () => {
  it('draws an OSC 8 hyperlink around exactly the URL', () => {
    const url = 'https://en.wikipedia.org/wiki/Foo_(bar)?a=1&b=2';
    const frame = pane([message(1, `see (${url}), ok`)], 100);
    assert.ok(frame.includes(`see (${OPEN(url)}${url}${CLOSE}), ok`), JSON.stringify(frame));
    // Ink closes the link again where the row's styles end: a second close is harmless.
    assert.equal(frame.split('\u001b]8;;h').length - 1, 1, 'one link');
    assert.match(stripAnsi(frame), /09:30 <bob> see \(https:\/\/en\.wikipedia[^\n]*\), ok/);
  });

  it('draws a look-alike URL, and other schemes, as plain text', () => {
    const frame = pane(
      [
        message(1, 'log in at https://exämple.com/login'),
        message(2, 'or https://bank.example@evil.example/login'),
        message(3, 'javascript:alert(1) file:///etc/passwd'),
      ],
      100,
    );
    assert.ok(!frame.includes('\u001b]8'), JSON.stringify(frame));
    assert.match(frame, /https:\/\/exämple\.com\/login/);
  });

  it('links every row of a wrapped URL to the whole URL', () => {
    const url = 'https://example.com/a/rather/long/path/that/wraps';
    const frame = pane([message(1, url)], 30);
    const rows = frame.split('\n').filter((row) => row.includes('\u001b]8;;h'));
    assert.equal(rows.length, 3, JSON.stringify(frame));
    for (const row of rows) assert.ok(row.includes(OPEN(url)), row);
    const shown = stripAnsi(frame)
      .split('\n')
      .map((row) => row.replace(/^(\d\d:\d\d <bob>)? +/, '').trimEnd())
      .join('');
    assert.equal(shown, url);
  });

  it('unlinks a wrapped URL whose first rows are above the pane', () => {
    const url = 'https://example.com/a/rather/long/path/that/wraps';
    const frame = pane([message(1, url)], 30, 2);
    assert.ok(!frame.includes('\u001b]8'), JSON.stringify(frame));
  });
});

async function type(app: ReturnType<typeof render>, text: string) {
  app.stdin.write(text);
  for (let turn = 0; turn < 3; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await effectsRun();
  }
}

// A fake opener first in PATH: it writes its arguments, one a line, to a file.
describe('/open in the App', { skip: process.platform === 'win32' && 'no xdg-open' }, () => {
  let dir = '';
  let path: string | undefined;
  const argv = () => join(dir, 'argv');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chat-open-'));
    const script = `#!/bin/sh\nprintf '%s\\n' "$@" > "${argv()}.tmp" && mv "${argv()}.tmp" "${argv()}"\n`;
    for (const name of ['xdg-open', 'open']) {
      await writeFile(join(dir, name), script);
      await chmod(join(dir, name), 0o755);
    }
    path = process.env.PATH;
    process.env.PATH = `${dir}${delimiter}${path ?? ''}`;
  });

  after(async () => {
    process.env.PATH = path;
    await rm(dir, { recursive: true, force: true });
  });

  async function app() {
    const client = new IdleClient();
    const shown = await connectedApp(client, {
      rooms: [{ room: '#general', topic: '', members: ['alice', 'bob'], lastId: 0 }],
    });
    const frame = () => stripAnsi(shown.lastFrame() ?? '');
    await until(() => frame().includes('[#general]'), 'the welcome');
    const texts = [
      'first https://a.example/one and https://a.example/two',
      'no link here, nor https://exämple.com',
      'then https://b.example/x?q=1&r=$(id);s=`id`',
      // Peers' escapes are shown as symbols: no link can come from a message.
      '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007',
    ];
    for (const [index, text] of texts.entries()) {
      client.emit('message', {
        type: 'msg',
        id: index + 1,
        ts: T0 + index,
        room: '#general',
        from: 'bob',
        text,
      });
    }
    await until(() => frame().includes('␛]8;;https://evil.example␇click'), 'the messages');
    return { shown, frame };
  }

  async function opened(): Promise<string[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const text = await readFile(argv(), 'utf8');
        await rm(argv());
        return text.split('\n').slice(0, -1);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        if (Date.now() > deadline) throw new Error('the opener never ran');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  it('opens the Nth newest link with the opener, the URL one argument', async () => {
    const { shown, frame } = await app();
    const raw = shown.lastFrame() ?? '';
    assert.ok(!raw.includes('\u001b]8;;https://evil'), 'no hyperlink from a peer');
    assert.ok(raw.includes('\u001b]8;;https://a.example/one\u0007'), 'the links are drawn');
    // Drawn right of the room list, the links leave the row's layout as it was.
    assert.match(
      frame(),
      /│ 09:30 <bob> first https:\/\/a\.example\/one and https:\/\/a\.example\/two +│/,
    );
    await type(shown, '/open');
    await type(shown, '\r');
    // `$(…)`, `;` and `&` reach the opener as they are: no shell sees them.
    assert.deepEqual(await opened(), ['https://b.example/x?q=1&r=$(id);s=']);
    await until(
      () => frame().includes('opened 1: https://b.example/x?q=1&r=$(id);s='),
      'the notice',
    );
    await type(shown, '/open 3');
    await type(shown, '\r');
    assert.deepEqual(await opened(), ['https://a.example/one']);
    await until(() => frame().includes('opened 3: https://a.example/one'), 'the notice');
  });

  it('says so when there are fewer links, and opens nothing', async () => {
    const { shown, frame } = await app();
    await type(shown, '/open 9');
    await type(shown, '\r');
    await until(
      () => frame().includes('no link 9: #general has 3 links, 1 the newest'),
      'the notice',
    );
  });

  it('says what to do when there is no opener', async () => {
    const { shown, frame } = await app();
    const saved = process.env.PATH;
    process.env.PATH = dir.replace(/chat-open-.*/, 'no-such-dir');
    try {
      await type(shown, '/open 2');
      await type(shown, '\r');
      await until(
        () => /cannot open link 2: (xdg-)?open was not found/.test(frame()),
        'the notice',
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});
