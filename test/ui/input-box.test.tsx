import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import { InputBox } from '../../src/ui/components/InputBox.tsx';
import { useInputKeys } from '../../src/ui/hooks/use-input-keys.ts';
import { COMMANDS } from '../../src/ui/input/command-parser.ts';
import type { CompletionCandidates } from '../../src/ui/input/completion.ts';
import { displayWidth } from '../../src/ui/text/wrap.ts';

const KEY = {
  enter: '\r',
  altEnter: '\u001b\r',
  esc: '\u001b',
  tab: '\t',
  backspace: '\u007f',
  up: '\u001b[A',
  down: '\u001b[B',
  left: '\u001b[D',
  right: '\u001b[C',
  ctrlLeft: '\u001b[1;5D',
  ctrlRight: '\u001b[1;5C',
  altB: '\u001bb',
  altF: '\u001bf',
  pageUp: '\u001b[5~',
  pageDown: '\u001b[6~',
  home: '\u001b[H',
  end: '\u001b[F',
  ctrlA: '\u0001',
  ctrlC: '\u0003',
  ctrlE: '\u0005',
  ctrlK: '\u000b',
  ctrlL: '\u000c',
  ctrlN: '\u000e',
  ctrlU: '\u0015',
  ctrlW: '\u0017',
  alt1: '\u001b1',
} as const;

const PROMPT = '[#general] ';

const CANDIDATES: CompletionCandidates = {
  users: ['alice', 'bob', 'albert'],
  rooms: ['#general', '#dev'],
  commands: COMMANDS.map((command) => command.name),
};

/** What the harness saw at its last render, and every line it submitted. */
type Seen = { value: string; cursor: number; submitted: string[] };

function Harness({ seen, width }: { seen: Seen; width: number }) {
  const input = useInputKeys({
    candidates: CANDIDATES,
    onSubmit: (line) => {
      seen.submitted.push(line);
    },
  });
  seen.value = input.value;
  seen.cursor = input.cursor;
  return <InputBox prompt={PROMPT} width={width} value={input.value} cursor={input.cursor} focus />;
}

/**
 * Lets Ink parse the write, React re-render and the input handlers
 * re-subscribe (in passive effects, which React's scheduler may put off by
 * another turn when the machine is busy: hence a few turns).
 */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function setup(width = 60) {
  const seen: Seen = { value: '', cursor: 0, submitted: [] };
  const app = render(<Harness seen={seen} width={width} />);
  return {
    seen,
    /** Writes each chunk separately (one key or one paste each), settling after each. */
    async press(...chunks: string[]): Promise<void> {
      await settle();
      for (const chunk of chunks) {
        app.stdin.write(chunk);
        await settle();
      }
    },
    frame(): string {
      return stripAnsi(app.lastFrame() ?? '');
    },
  };
}

/** The value with `|` at the cursor. */
function marked(seen: Seen): string {
  return `${seen.value.slice(0, seen.cursor)}|${seen.value.slice(seen.cursor)}`;
}

afterEach(() => cleanup());

describe('InputBox with useInputKeys', () => {
  it('submits typed text on Enter, clears the input and shows the prompt', async () => {
    const t = setup();
    await t.press('hello there');
    assert.equal(t.frame().trimEnd(), `${PROMPT}hello there`);
    await t.press(KEY.enter);
    assert.deepEqual(t.seen.submitted, ['hello there']);
    assert.equal(t.seen.value, '');
    assert.equal(t.frame().trimEnd(), PROMPT.trimEnd());
  });

  it('does not submit a blank draft', async () => {
    const t = setup();
    await t.press(KEY.enter, '  ', KEY.enter);
    assert.deepEqual(t.seen.submitted, []);
    assert.equal(t.seen.value, '  ');
  });

  it('Ctrl+A moves to the start (inserting no "a"); typing goes there', async () => {
    const t = setup();
    await t.press('world', KEY.ctrlA);
    assert.equal(marked(t.seen), '|world');
    await t.press('hello ');
    assert.equal(marked(t.seen), 'hello |world');
    assert.match(t.frame(), /hello world/);
  });

  it('ignores chords and navigation keys the app binds: nothing is inserted', async () => {
    const t = setup();
    await t.press('abc');
    await t.press(
      KEY.ctrlC,
      KEY.ctrlL,
      KEY.ctrlN,
      KEY.alt1,
      KEY.pageUp,
      KEY.pageDown,
      KEY.home,
      KEY.end,
    );
    assert.equal(marked(t.seen), 'abc|');
    assert.equal(t.frame().trimEnd(), `${PROMPT}abc`);
  });

  it('Esc keeps the draft', async () => {
    const t = setup();
    await t.press('draft', KEY.esc, KEY.esc);
    assert.equal(marked(t.seen), 'draft|');
  });

  it('Ctrl+E moves to the end', async () => {
    const t = setup();
    await t.press('abc', KEY.ctrlA, KEY.ctrlE, 'd');
    assert.equal(marked(t.seen), 'abcd|');
  });

  it('Ctrl+W deletes the word before the cursor', async () => {
    const t = setup();
    await t.press('hello big world', KEY.ctrlW);
    assert.equal(marked(t.seen), 'hello big |');
    await t.press(KEY.ctrlW);
    assert.equal(marked(t.seen), 'hello |');
  });

  it('Ctrl+U deletes to the start and Ctrl+K to the end', async () => {
    const t = setup();
    await t.press('hello world', KEY.ctrlLeft, KEY.ctrlU);
    assert.equal(marked(t.seen), '|world');
    await t.press('hello world', KEY.ctrlLeft, KEY.ctrlK);
    assert.equal(marked(t.seen), 'hello |');
  });

  it('moves by word with Ctrl+Left/Right and Alt+B/F, by character with the arrows', async () => {
    const t = setup();
    await t.press('one two three', KEY.ctrlLeft);
    assert.equal(marked(t.seen), 'one two |three');
    await t.press(KEY.altB);
    assert.equal(marked(t.seen), 'one |two three');
    await t.press(KEY.ctrlRight);
    assert.equal(marked(t.seen), 'one two| three');
    await t.press(KEY.altF, KEY.left);
    assert.equal(marked(t.seen), 'one two thre|e');
    await t.press(KEY.right, KEY.right);
    assert.equal(marked(t.seen), 'one two three|');
  });

  it('Backspace and Left step over a whole emoji', async () => {
    const t = setup();
    await t.press('a👍🏽b', KEY.left, KEY.left);
    assert.equal(marked(t.seen), 'a|👍🏽b');
    await t.press(KEY.right, KEY.backspace);
    assert.equal(marked(t.seen), 'a|b');
  });

  it('Up recalls earlier lines, Down walks back to the draft', async () => {
    const t = setup();
    await t.press('first', KEY.enter, 'second', KEY.enter, 'draft');
    await t.press(KEY.up);
    assert.equal(marked(t.seen), 'second|');
    assert.match(t.frame(), /second/);
    await t.press(KEY.up);
    assert.equal(t.seen.value, 'first');
    await t.press(KEY.down);
    assert.equal(t.seen.value, 'second');
    await t.press(KEY.down);
    assert.equal(marked(t.seen), 'draft|');
    assert.match(t.frame(), /draft/);
  });

  it('Tab completes a user at the start of the line with ": ", and cycles', async () => {
    const t = setup();
    await t.press('al', KEY.tab);
    assert.equal(marked(t.seen), 'alice: |');
    // Ink trims trailing spaces from a frame.
    assert.equal(t.frame().trimEnd(), `${PROMPT}alice:`);
    await t.press(KEY.tab);
    assert.equal(marked(t.seen), 'albert: |');
    await t.press('hi');
    assert.equal(marked(t.seen), 'albert: hi|');
  });

  it('Tab completes commands and rooms', async () => {
    const t = setup();
    await t.press('/jo', KEY.tab, '#d', KEY.tab);
    assert.equal(marked(t.seen), '/join #dev |');
  });

  it('Alt+Enter inserts a newline shown as ↵, and Enter sends both lines', async () => {
    const t = setup();
    await t.press('line one', KEY.altEnter, 'line two');
    assert.equal(t.seen.value, 'line one\nline two');
    assert.equal(t.frame().trimEnd(), `${PROMPT}line one↵line two`);
    await t.press(KEY.enter);
    assert.deepEqual(t.seen.submitted, ['line one\nline two']);
  });

  it('keeps a paste as typed, with CRLF and CR line breaks as newlines', async () => {
    const t = setup();
    await t.press('a\r\nb\rc\td');
    assert.equal(marked(t.seen), 'a\nb\nc d|');
    assert.equal(t.frame().trimEnd(), `${PROMPT}a↵b↵c d`);
  });

  it('scrolls a long value so the cursor stays visible within the width', async () => {
    const width = 24;
    const t = setup(width);
    const text = 'abcdefghijklmnopqrstuvwxyz0123456789';
    await t.press(text);
    let frame = t.frame();
    assert.equal(frame.split('\n').length, 1, frame);
    assert.ok(displayWidth(frame) <= width, frame);
    assert.match(frame, /^\[#general\] …\S*789 ?$/);

    await t.press(KEY.ctrlA);
    frame = t.frame();
    assert.ok(displayWidth(frame) <= width, frame);
    assert.match(frame, /^\[#general\] abc\S*…$/);

    // Walk right across the whole text: the character after the cursor is always shown.
    for (let at = 1; at < text.length; at++) {
      await t.press(KEY.right);
      frame = t.frame();
      assert.ok(displayWidth(frame) <= width, frame);
      assert.ok(frame.includes(text.slice(at - 1, at + 1)), `${at}: ${frame}`);
    }
  });

  it('edits inside a scrolled view land in the right place of the whole value', async () => {
    const t = setup(20);
    await t.press('abcdefghijklmnopqrstuvwxyz', KEY.ctrlA);
    for (let i = 0; i < 15; i++) await t.press(KEY.right);
    await t.press('_', KEY.backspace, KEY.backspace);
    assert.equal(marked(t.seen), 'abcdefghijklmn|pqrstuvwxyz');
  });
});

/** What a terminal with bracketed paste on sends for a paste of `text`. */
function pasted(text: string): string {
  return `\u001b[200~${text}\u001b[201~`;
}

const TWELVE_LINES = Array.from({ length: 12 }, (_, index) => `line${index + 1}`).join('\n');

describe('InputBox bracketed paste', () => {
  it('inserts a multi-line paste as one piece, without the markers', async () => {
    const t = setup();
    await t.press(pasted('line1\nline2'));
    assert.equal(marked(t.seen), 'line1\nline2|');
    assert.equal(t.frame().trimEnd(), `${PROMPT}line1↵line2`);
    assert.doesNotMatch(t.frame(), /20[01]~/);
    assert.deepEqual(t.seen.submitted, []);
  });

  it('inserts at the cursor, with CRLF and CR as newlines and escapes removed', async () => {
    const t = setup();
    await t.press('before after', KEY.ctrlLeft);
    // (Ink's own key parser throws on some escape sequences, e.g. ESC[31m: not used here.)
    await t.press(pasted('a\r\nb\rc\u001b[1md\u001b[m\u001b]0;title\u0007\u0007 '));
    assert.equal(marked(t.seen), 'before a\nb\ncd |after');
  });

  it('reads a paste split across three writes', async () => {
    const t = setup();
    await t.press('\u001b[200~line1\nli', 'ne2\nli', 'ne3\u001b[201~');
    assert.equal(marked(t.seen), 'line1\nline2\nline3|');
    assert.equal(t.frame().trimEnd(), `${PROMPT}line1↵line2↵line3`);
  });

  it('reads a paste split at every offset, markers included', async () => {
    const whole = pasted('ab\ncd');
    for (let at = 1; at < whole.length; at++) {
      const t = setup();
      await t.press('x', whole.slice(0, at), whole.slice(at));
      assert.equal(marked(t.seen), 'xab\ncd|', `split at ${at}`);
      cleanup();
    }
  });

  it('treats a pasted Enter, Tab or arrow key as text, not as a key', async () => {
    const t = setup();
    await t.press('first', KEY.enter, 'al');
    await t.press('\u001b[200~', '\r', '\t', KEY.up, 'x', '\u001b[201~');
    assert.deepEqual(t.seen.submitted, ['first']);
    assert.equal(marked(t.seen), 'al\n x|');
  });

  it('drops a stray end marker and keeps typing plain', async () => {
    const t = setup();
    await t.press('ab', '\u001b[201~', 'c');
    assert.equal(marked(t.seen), 'abc|');
  });

  it('asks before a paste of more than 5 lines; Enter inserts, then Enter sends one message', async () => {
    const t = setup();
    await t.press('draft ');
    await t.press(pasted(TWELVE_LINES));
    assert.equal(marked(t.seen), 'draft |');
    assert.equal(t.frame().trimEnd(), `${PROMPT}paste 12 lines? Enter: insert, Esc: cancel`);
    // Other keys wait while it asks.
    await t.press('z', KEY.ctrlU, KEY.tab);
    assert.equal(marked(t.seen), 'draft |');
    await t.press(KEY.enter);
    assert.equal(marked(t.seen), `draft ${TWELVE_LINES}|`);
    assert.equal(t.seen.submitted.length, 0);
    assert.match(t.frame(), /line11↵line12/);
    await t.press(KEY.enter);
    assert.deepEqual(t.seen.submitted, [`draft ${TWELVE_LINES}`]);
    assert.equal(t.seen.submitted[0]?.split('\n').length, 12);
    assert.equal(t.seen.value, '');
  });

  it('Esc cancels a long paste and keeps the previous draft', async () => {
    const t = setup();
    await t.press('keep me', KEY.left);
    await t.press(pasted(TWELVE_LINES));
    assert.match(t.frame(), /paste 12 lines\?/);
    await t.press(KEY.esc);
    assert.equal(marked(t.seen), 'keep m|e');
    assert.equal(t.frame().trimEnd(), `${PROMPT}keep me`);
    await t.press(KEY.enter);
    assert.deepEqual(t.seen.submitted, ['keep me']);
  });

  it('inserts a paste of 5 lines without asking', async () => {
    const t = setup();
    await t.press(pasted('1\n2\n3\n4\n5\n'));
    assert.equal(marked(t.seen), '1\n2\n3\n4\n5\n|');
  });
});
