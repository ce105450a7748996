import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { InputBox } from '../../src/ui/components/InputBox.tsx';
import { useInputKeys } from '../../src/ui/hooks/use-input-keys.ts';

function Input() {
  const keys = useInputKeys({
    candidates: { users: [], rooms: [], commands: [] },
    onSubmit: () => {},
  });
  return (
    <InputBox
      prompt="> "
      width={80}
      value={keys.value}
      cursor={keys.cursor}
      onChange={keys.onChange}
      onSubmit={keys.submit}
      focus={true}
    />
  );
}

describe('InputBox under fast typing', () => {
  it('keeps every key when keys arrive faster than renders', async () => {
    const { stdin, lastFrame, unmount } = render(<Input />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const text = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD';
    // One event-loop turn apart: a fast typist or a terminal multiplexer's send-keys.
    for (const ch of text) {
      stdin.write(ch);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const frame = lastFrame() ?? '';
    unmount();
    assert.match(frame, new RegExp(`> ${text}`));
  });
});
