import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { InputBox } from '../../src/ui/components/InputBox.tsx';
import { useInputKeys } from '../../src/ui/hooks/use-input-keys.ts';
import { inputReady, until } from '../helpers/ink.ts';

function Input({ sent }: { sent: string[] }) {
  const keys = useInputKeys({
    candidates: { users: [], rooms: [], commands: [] },
    onSubmit: (line) => {
      sent.push(line);
    },
  });
  return <InputBox prompt="> " width={60} value={keys.value} cursor={keys.cursor} focus={true} />;
}

async function typed(chunks: string[]): Promise<{ frame: string; sent: string[] }> {
  const sent: string[] = [];
  const { stdin, lastFrame, unmount } = render(<Input sent={sent} />);
  try {
    await inputReady(stdin);
    for (const chunk of chunks) stdin.write(chunk);
    // A final marker key shows every earlier key has been applied.
    stdin.write('#');
    await until(() => (lastFrame() ?? '').includes('#'), 'the marker key');
    return { frame: lastFrame() ?? '', sent };
  } finally {
    unmount();
  }
}

describe('InputBox raw keys', () => {
  it('Delete removes the character after the cursor, Backspace the one before', async () => {
    const left = '\u001b[D';
    const { frame } = await typed(['hello', left, left, '\u001b[3~', left, '\u007f']);
    // "hello", cursor before the second "l"; Delete: "helo"; Left, Backspace: "hlo".
    assert.match(frame, /> h#lo/);
  });

  it('a read that ends in Enter sends the text, not a line break', async () => {
    const { frame, sent } = await typed(['hi there\r', 'next']);
    assert.deepEqual(sent, ['hi there']);
    assert.match(frame, /> next#/);
  });

  it('a read with text after a line break is a paste: kept whole in the draft', async () => {
    const { frame, sent } = await typed(['one\rtwo']);
    assert.deepEqual(sent, []);
    assert.match(frame, /> one↵two#/);
  });

  it('a read that holds text and Backspace or Ctrl+U edits rather than inserts', async () => {
    const { frame } = await typed(['abc\u007fd', 'zz\u0015ok']);
    assert.match(frame, /> ok#/);
    assert.doesNotMatch(frame, /abc|zz/);
  });
});

describe('InputBox under fast typing', () => {
  it('keeps every key when keys arrive faster than renders', async () => {
    const { stdin, lastFrame, unmount } = render(<Input sent={[]} />);
    await inputReady(stdin);
    const text = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD';
    // One event-loop turn apart: a fast typist or a terminal multiplexer's send-keys.
    for (const ch of text) {
      stdin.write(ch);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => (lastFrame() ?? '').includes('ABCD'), 'the last key').catch(() => {});
    const frame = lastFrame() ?? '';
    unmount();
    assert.match(frame, new RegExp(`> ${text}`));
  });
});
