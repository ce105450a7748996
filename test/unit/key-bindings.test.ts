import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CONNECTIONS_HINT,
  DASHBOARD_KEYMAP,
  FOOTER_HINT,
  QUIT_QUESTION_HINT,
  QUIT_QUESTION_KEYMAP,
  TEXT_FIELD_KEYMAP,
} from '../../src/dashboard/dashboard-keys.ts';
import {
  bindingLabel,
  commandFor,
  helpLines,
  type InputKey,
  isForwardDelete,
  joinLabels,
  type KeyBinding,
  type Keymap,
  keyName,
  keysOf,
  matchesBinding,
} from '../../src/ui/input/key-bindings.ts';
import { HELP_KEYS, INPUT_KEYMAP, SCREEN_KEYMAP } from '../../src/ui/input/keymap.ts';
import { NO_KEY } from '../helpers/keys.ts';

/** A key press: ink's `input` and the flags that differ from none. */
type Press = readonly [input: string, key?: Partial<InputKey>];

const is = (binding: KeyBinding, [input, key = {}]: Press) =>
  matchesBinding(binding, input, { ...NO_KEY, ...key });

describe('matchesBinding', () => {
  const table: Array<[string, KeyBinding, Press, boolean]> = [
    ['Ctrl+A', { text: 'a', ctrl: true }, ['a', { ctrl: true }], true],
    ['Ctrl+A is not a', { text: 'a', ctrl: true }, ['a'], false],
    [
      'Ctrl+A ignores Alt when not named',
      { text: 'a', ctrl: true },
      ['a', { ctrl: true, meta: true }],
      true,
    ],
    [
      'Alt+B refuses Ctrl',
      { text: 'b', meta: true, ctrl: false },
      ['b', { meta: true, ctrl: true }],
      false,
    ],
    ['a letter is case-sensitive', { text: 's' }, ['S', { shift: true }], false],
    ['S', { text: 'S' }, ['S', { shift: true }], true],
    [
      'a range takes one character in it',
      { text: '1..9', meta: true },
      ['7', { meta: true }],
      true,
    ],
    ['a range refuses 0', { text: '1..9', meta: true }, ['0', { meta: true }], false],
    ['a range refuses two characters', { text: '1..9', meta: true }, ['12', { meta: true }], false],
    ['Enter', { key: 'return', ctrl: false, meta: false }, ['\r', { return: true }], true],
    [
      'Alt+Enter is not bare Enter',
      { key: 'return', meta: false },
      ['\r', { return: true, meta: true }],
      false,
    ],
    ['Esc with the Alt flag ink sets', { key: 'escape' }, ['', { escape: true, meta: true }], true],
    [
      'Backspace is DEL, which ink calls delete',
      { key: 'backspace' },
      ['', { delete: true }],
      true,
    ],
    ['Backspace is BS', { key: 'backspace' }, ['', { backspace: true }], true],
    [
      'Delete is not Backspace',
      { key: 'backspace' },
      ['', { delete: true, forwardDelete: true }],
      false,
    ],
    ['Delete', { key: 'delete' }, ['', { delete: true, forwardDelete: true }], true],
    ['Shift+Tab', { key: 'tab', shift: true }, ['', { tab: true, shift: true }], true],
    [
      'Tab refuses Shift when told',
      { key: 'tab', shift: false },
      ['', { tab: true, shift: true }],
      false,
    ],
    ['PageUp', { key: 'pageUp' }, ['', { pageUp: true }], true],
    ['an empty binding matches nothing', {}, ['x'], false],
  ];
  for (const [name, binding, press, expected] of table) {
    it(name, () => assert.equal(is(binding, press), expected));
  }
});

describe('keyName and isForwardDelete', () => {
  it('names the keys ink flags, Delete apart from Backspace', () => {
    assert.equal(keyName({ ...NO_KEY, delete: true }), 'backspace');
    assert.equal(keyName({ ...NO_KEY, delete: true, forwardDelete: true }), 'delete');
    assert.equal(keyName({ ...NO_KEY, end: true }), 'end');
    assert.equal(keyName({ ...NO_KEY, ctrl: true }), undefined);
    assert.ok(isForwardDelete('\u001b[3~'));
    assert.ok(!isForwardDelete('\u007f'));
  });
});

describe('commandFor', () => {
  const keymap: Keymap<'first' | 'second' | 'third'> = [
    { commands: [['first', [{ text: 'x', ctrl: true }]]] },
    {
      commands: [
        ['second', [{ text: 'x' }]],
        ['third', [{ key: 'up' }]],
      ],
    },
  ];
  it('gives the first command in table order that matches', () => {
    assert.equal(commandFor(keymap, 'x', { ...NO_KEY, ctrl: true }), 'first');
    assert.equal(commandFor(keymap, 'x', NO_KEY), 'second');
    assert.equal(commandFor(keymap, '', { ...NO_KEY, upArrow: true }), 'third');
    assert.equal(commandFor(keymap, 'y', NO_KEY), undefined);
  });
  it("finds a command's keys", () => {
    assert.deepEqual(keysOf(keymap, 'third'), [{ key: 'up' }]);
  });
});

describe('labels', () => {
  const table: Array<[KeyBinding, string]> = [
    [{ text: 'a', ctrl: true }, 'Ctrl+A'],
    [{ key: 'return', meta: true, ctrl: false }, 'Alt+Enter'],
    [{ text: '1..9', meta: true }, 'Alt+1..9'],
    [{ text: 's' }, 's'],
    [{ key: 'tab', shift: true }, 'Shift+Tab'],
    [{ key: 'pageDown' }, 'PageDown'],
  ];
  for (const [binding, label] of table) {
    it(label, () => assert.equal(bindingLabel(binding), label));
  }
  it('draws arrows as glyphs when asked', () => {
    assert.equal(bindingLabel({ key: 'up' }, true), '↑');
    assert.equal(bindingLabel({ key: 'up' }), 'Up');
  });
  it('writes a shared modifier once before named keys, never before letters', () => {
    const ctrl = (key: KeyBinding['key']): KeyBinding => ({ key, ctrl: true });
    assert.equal(joinLabels([ctrl('left'), ctrl('right')]), 'Ctrl+Left/Right');
    assert.equal(
      joinLabels([
        { text: 'n', ctrl: true },
        { text: 'p', ctrl: true },
      ]),
      'Ctrl+N/Ctrl+P',
    );
    assert.equal(joinLabels([{ key: 'up' }, { key: 'down' }], ' / '), 'Up / Down');
  });
});

/** Every key press any binding of `keymap` names, for the conflict check. */
function pressesOf<Command extends string>(keymap: Keymap<Command>): Array<[Command, Press]> {
  const flags: Record<string, Partial<InputKey>> = {
    return: { return: true },
    escape: { escape: true },
    tab: { tab: true },
    backspace: { delete: true },
    delete: { delete: true, forwardDelete: true },
    up: { upArrow: true },
    down: { downArrow: true },
    left: { leftArrow: true },
    right: { rightArrow: true },
    pageUp: { pageUp: true },
    pageDown: { pageDown: true },
    home: { home: true },
    end: { end: true },
  };
  return keymap.flatMap((row) =>
    row.commands.flatMap(([command, keys]) =>
      keys.map((binding): [Command, Press] => [
        command,
        [
          (binding.text ?? '').replace(/^(.)\.\..$/u, '$1'),
          {
            ...(binding.key === undefined ? {} : flags[binding.key]),
            ctrl: binding.ctrl ?? false,
            meta: binding.meta ?? false,
            shift: binding.shift ?? false,
          },
        ],
      ]),
    ),
  );
}

describe('the keymaps', () => {
  for (const [name, keymap] of [
    ['input', INPUT_KEYMAP],
    ['screen', SCREEN_KEYMAP],
    ['dashboard', DASHBOARD_KEYMAP],
    ['quit question', QUIT_QUESTION_KEYMAP],
    ['text field', TEXT_FIELD_KEYMAP],
  ] as const) {
    it(`${name}: every binding reaches its own command (no binding hidden by an earlier one)`, () => {
      for (const [command, [input, key]] of pressesOf<string>(keymap)) {
        assert.equal(commandFor<string>(keymap, input, { ...NO_KEY, ...key }), command, input);
      }
    });
  }

  it('the input line and the screen share no key', () => {
    for (const [command, [input, key]] of pressesOf<string>(SCREEN_KEYMAP)) {
      assert.equal(commandFor(INPUT_KEYMAP, input, { ...NO_KEY, ...key }), undefined, command);
    }
  });

  it('/help lists the chat keys as before the table', () => {
    assert.deepEqual(
      HELP_KEYS.map(([key]) => key),
      [
        'Enter',
        'Alt+Enter',
        'Up/Down',
        'Ctrl+A/Ctrl+E',
        'Ctrl+Left/Right',
        'Ctrl+W',
        'Ctrl+U/Ctrl+K',
        'Tab',
        'PageUp/PageDown',
        'End',
        'Ctrl+N/Ctrl+P',
        'Alt+1..9',
        'Alt+A',
        'Ctrl+L',
        'Esc',
        'Ctrl+C',
      ],
    );
  });

  it('the dashboard help and hints read as before the table', () => {
    assert.deepEqual(
      helpLines(DASHBOARD_KEYMAP, ' / ').map(([key]) => key),
      [
        'Tab / Shift+Tab',
        'Up / Down',
        'PageUp / PageDown',
        's / S',
        'Enter',
        'k',
        '/',
        'Esc',
        '?',
        'q / Ctrl+C',
      ],
    );
    assert.equal(
      FOOTER_HINT,
      'Tab: pane  ↑↓: select/scroll  s: sort  Enter: details  k: kick  /: filter  ?: help  q: quit',
    );
    assert.equal(CONNECTIONS_HINT, 's: sort  S: reverse  Enter: details  k: kick');
    assert.equal(QUIT_QUESTION_HINT, 'y: yes  n/Esc: no');
  });
});
