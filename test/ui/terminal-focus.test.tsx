import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import { InputBox } from '../../src/ui/components/InputBox.tsx';
import { useInputKeys } from '../../src/ui/hooks/use-input-keys.ts';
import { useTerminalFocus } from '../../src/ui/hooks/use-terminal-focus.ts';
import { effectsRun, inputReady, until } from '../helpers/ink.ts';

const FOCUS_IN = '\u001b[I';
const FOCUS_OUT = '\u001b[O';

afterEach(() => cleanup());

async function settle(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await effectsRun();
  }
}

function FocusHarness({ seen }: { seen: { value: string } }) {
  const focused = useTerminalFocus();
  const input = useInputKeys({
    candidates: { users: [], rooms: [], commands: [] },
    onSubmit: () => undefined,
  });
  seen.value = input.value;
  return (
    <>
      <Text>{focused ? 'focused' : 'unfocused'}</Text>
      <InputBox prompt="> " width={40} value={input.value} cursor={input.cursor} focus />
    </>
  );
}

describe('terminal focus reports', () => {
  it('change the focus and never reach the input line', async () => {
    const seen = { value: '' };
    const app = render(<FocusHarness seen={seen} />);
    await inputReady(app.stdin);
    const frame = () => stripAnsi(app.lastFrame() ?? '');
    assert.match(frame(), /^focused/, 'unknown counts as focused');
    app.stdin.write(FOCUS_OUT);
    await until(() => frame().startsWith('unfocused'), 'focus out');
    app.stdin.write('a');
    await settle();
    app.stdin.write(FOCUS_IN);
    await until(() => frame().startsWith('focused'), 'focus in');
    app.stdin.write('b');
    await settle();
    assert.equal(seen.value, 'ab');
  });
});
