import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import { useEffect } from 'react';
import { InputBox } from '../../src/ui/components/InputBox.tsx';
import { useInputKeys } from '../../src/ui/hooks/use-input-keys.ts';
import { usePasteGate } from '../../src/ui/hooks/use-paste-gate.ts';
import { effectsRun, inputReady } from '../helpers/ink.ts';

/**
 * Mouse reports among typed keys, through Ink's real input parser and the
 * paste gate: split reports, the legacy X10 encoding, and Esc followed by
 * text that looks like the start of a report.
 */

const ESC = '\u001b';
const DEL = '\u007f';
const ENTER = '\r';

afterEach(() => cleanup());

type Seen = { value: string; reports: string[]; submitted: string[] };

function Harness({ seen }: { seen: Seen }) {
  const gate = usePasteGate();
  useEffect(
    () =>
      gate.onMouse(
        (r) => void seen.reports.push(`${r.release ? 'release' : r.button}@${r.x},${r.y}`),
      ),
    [gate, seen],
  );
  const input = useInputKeys({
    candidates: { users: [], rooms: [], commands: [] },
    onSubmit: (text: string) => void seen.submitted.push(text),
  } as never);
  seen.value = input.value;
  return <InputBox prompt="> " width={40} value={input.value} cursor={input.cursor} focus />;
}

async function turn(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await effectsRun();
}

async function harness() {
  const seen: Seen = { value: '', reports: [], submitted: [] };
  const app = render(<Harness seen={seen} />);
  await inputReady(app.stdin);
  /** Writes each string as one stdin chunk (one read), the loop turning between them. */
  const send = async (...chunks: string[]) => {
    for (const chunk of chunks) {
      app.stdin.write(chunk);
      await turn();
    }
  };
  return { seen, send };
}

/** The X10 encoding of a press: ESC [ M, then button, column and row, each plus 32. */
const x10 = (button: number, x: number, y: number) =>
  `${ESC}[M${String.fromCharCode(button + 32, x + 32, y + 32)}`;

describe('keys typed in the read that ends a split report', () => {
  const reports: Array<[name: string, report: string, seen: string]> = [
    ['SGR', `${ESC}[<0;3;2M`, 'left@3,2'],
    ['X10', x10(0, 3, 2), 'left@3,2'],
    // Column 95 is byte 127 (DEL), which Ink cuts out of the text as a key.
    ['X10 at column 95', x10(0, 95, 2), 'left@95,2'],
  ];
  for (const [name, report, where] of reports) {
    it(`keep their order after a ${name} report split at every offset (text, Backspace, Enter)`, async () => {
      for (let cut = 1; cut < report.length; cut++) {
        const { seen, send } = await harness();
        await send('ab', report.slice(0, cut));
        // The rest of the report, then "xy", Backspace, "z" and Enter in the same read.
        await send(`${report.slice(cut)}xy${DEL}z${ENTER}`);
        const at = `cut at ${cut}`;
        assert.deepEqual(
          seen.submitted,
          ['abxz'],
          `${at}, draft left: ${JSON.stringify(seen.value)}`,
        );
        assert.deepEqual(seen.reports, [where], at);
        cleanup();
      }
    });
  }

  it('text then Backspace: the Backspace deletes the last character typed', async () => {
    const { seen, send } = await harness();
    await send('ab', `${ESC}[<0;3;`, `2Mxy${DEL}`);
    assert.equal(seen.value, 'abx');
  });

  it('text then Enter: the text is submitted', async () => {
    const { seen, send } = await harness();
    await send(`${ESC}[<0;3;`, `2Mhello${ENTER}`);
    assert.deepEqual(seen.submitted, ['hello'], `draft left: ${JSON.stringify(seen.value)}`);
  });
});

describe('the X10 encoding (a terminal that ignores mode 1006)', () => {
  it('a click and the wheel are read, and type nothing', async () => {
    const { seen, send } = await harness();
    await send(x10(0, 10, 5), x10(3, 10, 5), x10(65, 1, 1));
    assert.equal(seen.value, '');
    assert.deepEqual(seen.reports, ['left@10,5', 'release@10,5', 'wheelDown@1,1']);
  });

  it('a click beyond column 95 (bytes above 127, mangled by UTF-8 decoding) types nothing', async () => {
    const { seen, send } = await harness();
    // Lone bytes above 127 reach the app as U+FFFD; two in a row may form one character.
    await send(`${ESC}[M \uFFFD%`, `${ESC}[M \u0145`, 'ok');
    assert.equal(seen.value, 'ok');
    assert.deepEqual(seen.reports, ['left@165,101']);
  });

  it('an ESC[M whose bytes never come is let go', async () => {
    const { seen, send } = await harness();
    await send(`${ESC}[M`);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await send('a', 'b', 'c');
    assert.equal(seen.value, 'abc');
  });
});

describe('Esc, then text that could continue a report or a paste marker', () => {
  for (const typed of [
    ['[', '<', '1', '2'],
    ['[', 'a'],
    ['[', '2', '0', '0', '~', 'x'],
    ['[', 'M', 'a', 'b', 'c'],
  ]) {
    it(`Esc, then ${JSON.stringify(typed.join(''))} typed key by key`, async () => {
      const { seen, send } = await harness();
      await send(ESC);
      await turn();
      await send(...typed);
      assert.equal(seen.value, typed.join(''));
      assert.deepEqual(seen.reports, []);
    });
  }
});
