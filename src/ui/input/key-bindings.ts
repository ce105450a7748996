/**
 * Keys as data: what a key combination looks like, whether a key press is
 * one, and how to write it for a help screen. The keymaps themselves (the
 * chat's in `keymap.ts`, the dashboard's beside it) are tables of these;
 * handlers and help read the same table. The idea is gemini-cli's
 * `keyBindings.ts`. Pure: no terminal, no ink.
 */

/** A named key, as ink's `Key` flags report it (Delete told apart from Backspace). */
export type KeyName =
  | 'return'
  | 'escape'
  | 'tab'
  | 'backspace'
  | 'delete'
  | 'up'
  | 'down'
  | 'left'
  | 'right'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end';

/**
 * One key combination. A modifier left out is not looked at (Esc matches
 * with or without the Alt flag ink sets on it); `true` means it must be
 * held, `false` that it must not.
 */
export type KeyBinding = {
  /** A named key; absent when `text` says which key. */
  readonly key?: KeyName;
  /**
   * The text the key gives, as ink reports it ('a' for Ctrl+A, 'S' for
   * Shift+S); `'1..9'` is any one character from the first to the last.
   */
  readonly text?: string;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
  readonly shift?: boolean;
};

/** The fields of ink's `Key` read here (ink's `Key` satisfies it). */
export type InputKey = {
  readonly upArrow: boolean;
  readonly downArrow: boolean;
  readonly leftArrow: boolean;
  readonly rightArrow: boolean;
  readonly return: boolean;
  readonly escape: boolean;
  readonly ctrl: boolean;
  readonly meta: boolean;
  readonly shift: boolean;
  readonly tab: boolean;
  readonly backspace: boolean;
  readonly delete: boolean;
  readonly pageUp?: boolean;
  readonly pageDown?: boolean;
  readonly home?: boolean;
  readonly end?: boolean;
  /**
   * The Delete key (ESC [3~). Ink names it and Backspace (DEL) both
   * `delete`; the caller tells them apart by the raw sequence (see
   * {@link isForwardDelete}).
   */
  readonly forwardDelete?: boolean;
};

/** Whether a raw input event is the Delete key, which deletes after the cursor. */
export function isForwardDelete(raw: string): boolean {
  return raw === '\u001b[3~';
}

/** The named key a press is, if any. */
export function keyName(key: InputKey): KeyName | undefined {
  if (key.forwardDelete) return 'delete';
  // Terminals send DEL for Backspace, which ink calls `delete`.
  if (key.backspace || key.delete) return 'backspace';
  if (key.return) return 'return';
  if (key.escape) return 'escape';
  if (key.tab) return 'tab';
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageUp';
  if (key.pageDown) return 'pageDown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  return undefined;
}

function textMatches(pattern: string, input: string): boolean {
  const range = /^(.)\.\.(.)$/u.exec(pattern);
  if (range === null) return input === pattern;
  const [, from = '', to = ''] = range;
  return [...input].length === 1 && input >= from && input <= to;
}

/** Whether one key press (ink's `input` and `key`) is the combination `binding`. */
export function matchesBinding(binding: KeyBinding, input: string, key: InputKey): boolean {
  if (binding.ctrl !== undefined && binding.ctrl !== key.ctrl) return false;
  if (binding.meta !== undefined && binding.meta !== key.meta) return false;
  if (binding.shift !== undefined && binding.shift !== key.shift) return false;
  if (binding.key !== undefined && binding.key !== keyName(key)) return false;
  if (binding.text !== undefined && !textMatches(binding.text, input)) return false;
  return binding.key !== undefined || binding.text !== undefined;
}

const NAMES: Record<KeyName, string> = {
  return: 'Enter',
  escape: 'Esc',
  tab: 'Tab',
  backspace: 'Backspace',
  delete: 'Delete',
  up: 'Up',
  down: 'Down',
  left: 'Left',
  right: 'Right',
  pageUp: 'PageUp',
  pageDown: 'PageDown',
  home: 'Home',
  end: 'End',
};

/** The arrows as a hint line draws them, to save columns. */
const ARROWS: Partial<Record<KeyName, string>> = { up: '↑', down: '↓', left: '←', right: '→' };

/**
 * How a help screen writes a combination: `Ctrl+A`, `Alt+Enter`,
 * `Alt+1..9`, `s`; with `arrows`, the arrow keys as `↑↓←→`.
 */
export function bindingLabel(binding: KeyBinding, arrows = false): string {
  const modifiers = `${binding.ctrl ? 'Ctrl+' : ''}${binding.meta ? 'Alt+' : ''}${binding.shift ? 'Shift+' : ''}`;
  const named =
    binding.key === undefined
      ? undefined
      : ((arrows ? ARROWS[binding.key] : undefined) ?? NAMES[binding.key]);
  // Chords are written with a capital letter, as terminals' manuals do; a plain key as typed.
  const text = binding.text ?? '';
  return modifiers + (named ?? (modifiers === '' ? text : text.toUpperCase()));
}

/**
 * Several combinations on one help line, joined by `separator`: a modifier
 * they share is written once before named keys (`Ctrl+Left/Right`), but
 * kept before letters (`Ctrl+N/Ctrl+P`), where `N/P` would read as plain keys.
 */
export function joinLabels(bindings: readonly KeyBinding[], separator = '/'): string {
  const labels = bindings.map((binding) => bindingLabel(binding));
  const first = bindings[0];
  const shared = first === undefined ? '' : bindingLabel({ ...first, key: undefined, text: '' });
  const compress =
    shared !== '' &&
    bindings.every((binding) => binding.key !== undefined) &&
    labels.every((label) => label.startsWith(shared));
  if (!compress) return labels.join(separator);
  return labels
    .map((label, index) => (index === 0 ? label : label.slice(shared.length)))
    .join(separator);
}

/**
 * A keymap: rows of commands, each command with the combinations that run
 * it. Keys are tried in the order of the table: the first command with a
 * matching combination wins. A row with `help` is one line of a help
 * screen, its commands' first combinations on the left (`Ctrl+A/Ctrl+E`).
 */
export type Keymap<Command extends string> = ReadonlyArray<{
  /** What the help says the row's keys do; rows without it are not listed. */
  readonly help?: string;
  /** How many of each command's combinations the help lists, first ones first; default 1. */
  readonly listed?: number;
  readonly commands: ReadonlyArray<readonly [command: Command, keys: readonly KeyBinding[]]>;
}>;

/** The first command of `keymap` one of whose combinations the key press is, if any. */
export function commandFor<Command extends string>(
  keymap: Keymap<Command>,
  input: string,
  key: InputKey,
): Command | undefined {
  for (const row of keymap) {
    for (const [command, keys] of row.commands) {
      if (keys.some((binding) => matchesBinding(binding, input, key))) return command;
    }
  }
  return undefined;
}

/** The combinations bound to `command` in `keymap` (empty when it has none). */
export function keysOf<Command extends string>(
  keymap: Keymap<Command>,
  command: Command,
): readonly KeyBinding[] {
  for (const row of keymap) {
    for (const [name, keys] of row.commands) if (name === command) return keys;
  }
  return [];
}

/** The help lines of `keymap`: keys as written (see {@link joinLabels}), what they do. */
export function helpLines<Command extends string>(
  keymap: Keymap<Command>,
  separator = '/',
): Array<readonly [keys: string, does: string]> {
  const lines: Array<readonly [string, string]> = [];
  for (const row of keymap) {
    if (row.help === undefined) continue;
    const firsts = row.commands.flatMap(([, keys]) => keys.slice(0, row.listed ?? 1));
    lines.push([joinLabels(firsts, separator), row.help]);
  }
  return lines;
}
