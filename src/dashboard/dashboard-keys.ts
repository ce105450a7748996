/**
 * The dashboard's keys, the one place they are written down: its key
 * handler looks them up here, and its help (`?`) and hint lines are made
 * from the same rows. Pure data; the shape is the chat's (`ui/input/keymap.ts`).
 */
import { bindingLabel, type KeyBinding, type Keymap, keysOf } from '../ui/input/key-bindings.ts';

/** What a key does on the dashboard's panes and overlays. */
export type DashboardCommand =
  | 'nextPane'
  | 'previousPane'
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'follow'
  | 'sort'
  | 'reverse'
  | 'details'
  | 'kick'
  | 'filter'
  | 'close'
  | 'help'
  | 'quit';

const CTRL_C: KeyBinding = { text: 'c', ctrl: true };

/** The keys of the panes, the help and the details (modifiers on letters are not looked at). */
export const DASHBOARD_KEYMAP: Keymap<DashboardCommand> = [
  {
    help: 'move between connections, log and rooms',
    commands: [
      ['nextPane', [{ key: 'tab', shift: false }]],
      ['previousPane', [{ key: 'tab', shift: true }]],
    ],
  },
  {
    help: 'select a connection, or scroll the log or rooms',
    commands: [
      ['up', [{ key: 'up' }]],
      ['down', [{ key: 'down' }]],
    ],
  },
  {
    help: 'scroll a page; End: back to the newest log line',
    commands: [
      ['pageUp', [{ key: 'pageUp' }]],
      ['pageDown', [{ key: 'pageDown' }]],
    ],
  },
  { commands: [['follow', [{ key: 'end' }]]] },
  {
    help: 'sort connections by the next column / reverse the order',
    commands: [
      ['sort', [{ text: 's' }]],
      ['reverse', [{ text: 'S' }]],
    ],
  },
  {
    help: 'details of the selected connection (certificate, serial, expiry)',
    commands: [['details', [{ key: 'return' }]]],
  },
  {
    help: 'kick the selected connection (asks first; the client is told why)',
    commands: [['kick', [{ text: 'k' }]]],
  },
  {
    help: 'filter the log: words to find, or a level (warn, error)',
    commands: [['filter', [{ text: '/' }]]],
  },
  {
    help: 'close this help, the details, or a question',
    commands: [['close', [{ key: 'escape' }]]],
  },
  { help: 'this help', commands: [['help', [{ text: '?' }]]] },
  {
    help: 'shut the server down gracefully (asks first)',
    listed: 2,
    commands: [['quit', [{ text: 'q' }, CTRL_C]]],
  },
];

/** What a key answers to "Shut the server down?". */
export type QuitAnswer = 'yes' | 'no';

/** The keys that answer "Shut the server down?" (Ctrl+C twice quits). */
export const QUIT_QUESTION_KEYMAP: Keymap<QuitAnswer> = [
  {
    commands: [
      ['yes', [{ text: 'y' }, CTRL_C]],
      ['no', [{ text: 'n' }, { key: 'escape' }]],
    ],
  },
];

/** While a text field (filter, kick reason) has the keys, only these are the dashboard's. */
export const TEXT_FIELD_KEYMAP: Keymap<'close' | 'quit'> = [
  {
    commands: [
      ['close', [{ key: 'escape' }]],
      ['quit', [CTRL_C]],
    ],
  },
];

/**
 * A hint line: for each item its commands' first keys (arrows as `↑↓`,
 * several keys of one command joined by `/`) then its words, two spaces apart.
 */
export function hintLine<Command extends string>(
  keymap: Keymap<Command>,
  items: ReadonlyArray<readonly [commands: readonly Command[], words: string, keys?: number]>,
): string {
  return items
    .map(([commands, words, keys = 1]) => {
      const label = commands
        .map((command) =>
          keysOf(keymap, command)
            .slice(0, keys)
            .map((binding) => bindingLabel(binding, true))
            .join('/'),
        )
        .join('');
      return `${label}: ${words}`;
    })
    .join('  ');
}

/** The footer's hint while nothing is asked. */
export const FOOTER_HINT = hintLine(DASHBOARD_KEYMAP, [
  [['nextPane'], 'pane'],
  [['up', 'down'], 'select/scroll'],
  [['sort'], 'sort'],
  [['details'], 'details'],
  [['kick'], 'kick'],
  [['filter'], 'filter'],
  [['help'], 'help'],
  [['quit'], 'quit'],
]);

/** The connections pane's title hint. */
export const CONNECTIONS_HINT = hintLine(DASHBOARD_KEYMAP, [
  [['sort'], 'sort'],
  [['reverse'], 'reverse'],
  [['details'], 'details'],
  [['kick'], 'kick'],
]);

/** The footer's hint while "Shut the server down?" waits. */
export const QUIT_QUESTION_HINT = hintLine(QUIT_QUESTION_KEYMAP, [
  [['yes'], 'yes'],
  [['no'], 'no', 2],
]);
