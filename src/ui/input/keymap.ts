/**
 * The chat's keys, the one place they are written down: the input line's
 * editing keys and the screen's keys, each with what /help says of it.
 * `applyInputKey` and the App's key handler look keys up here, and /help
 * lists the rows that have a `help`. Pure data.
 */
import { helpLines, type KeyBinding, type Keymap } from './key-bindings.ts';

/** What a key does to the draft in the input line. */
export type InputCommand =
  | 'submit'
  | 'newline'
  | 'historyUp'
  | 'historyDown'
  | 'lineStart'
  | 'lineEnd'
  | 'wordLeft'
  | 'wordRight'
  | 'deleteWordBefore'
  | 'killToStart'
  | 'killToEnd'
  | 'complete'
  | 'charLeft'
  | 'charRight'
  | 'deleteBackward'
  | 'deleteForward';

/** What a key does to the screen around the input line. */
export type ScreenCommand =
  | 'scrollUp'
  | 'scrollDown'
  | 'scrollToBottom'
  | 'nextRoom'
  | 'previousRoom'
  | 'jumpToRoom'
  | 'nextActivity'
  | 'redraw'
  | 'closeHelp'
  | 'clearOrQuit';

/** What a key does while the away summary shows (the input line has no focus then). */
export type SummaryCommand = 'summaryJump';

/** What a key does while the help shows: it scrolls it, when it does not fit. */
export type HelpCommand =
  | 'helpLineUp'
  | 'helpLineDown'
  | 'helpPageUp'
  | 'helpPageDown'
  | 'helpTop'
  | 'helpBottom';

const ctrl = (text: string): KeyBinding => ({ text, ctrl: true });
/** Alt chords are never Ctrl ones too: Ctrl+Alt+B is Ctrl+B, as readline has it. */
const alt = (text: string): KeyBinding => ({ text, meta: true, ctrl: false });
/** A key pressed without Ctrl or Alt (Shift is not looked at). */
const bare = (key: KeyBinding['key']): KeyBinding => ({ key, ctrl: false, meta: false });

/**
 * The input line's keys. Typing is what is left: a key with text, no Ctrl,
 * no Alt and no name inserts its text. Esc never touches the draft; Ctrl+D
 * on an empty draft is left alone (readline's end of input).
 */
export const INPUT_KEYMAP: Keymap<InputCommand> = [
  { help: 'send the message', commands: [['submit', [bare('return')]]] },
  {
    help: 'insert a new line',
    commands: [['newline', [{ key: 'return', meta: true, ctrl: false }]]],
  },
  // In a multi-line draft Up/Down walk the history only once walking. Up on
  // an empty draft first puts the user's last message there to edit.
  {
    help: 'history / edit last',
    commands: [
      ['historyUp', [bare('up')]],
      ['historyDown', [bare('down')]],
    ],
  },
  {
    help: 'start / end of line',
    commands: [
      ['lineStart', [ctrl('a')]],
      ['lineEnd', [ctrl('e')]],
    ],
  },
  {
    help: 'word left / right',
    commands: [
      ['wordLeft', [{ key: 'left', ctrl: true }, { key: 'left', meta: true }, alt('b')]],
      ['wordRight', [{ key: 'right', ctrl: true }, { key: 'right', meta: true }, alt('f')]],
    ],
  },
  // Alt+Backspace: terminals send ESC DEL, which ink reports as Alt + Backspace.
  {
    help: 'delete word before',
    commands: [['deleteWordBefore', [ctrl('w'), { key: 'backspace', meta: true, ctrl: false }]]],
  },
  {
    help: 'delete to start / end',
    commands: [
      ['killToStart', [ctrl('u')]],
      ['killToEnd', [ctrl('k')]],
    ],
  },
  {
    help: 'complete nick/cmd/room',
    commands: [['complete', [{ key: 'tab', shift: false, ctrl: false, meta: false }]]],
  },
  {
    commands: [
      ['charLeft', [bare('left'), ctrl('b')]],
      ['charRight', [bare('right'), ctrl('f')]],
      ['deleteBackward', [bare('backspace')]],
      // Delete with any modifier, as before it was told apart from Backspace.
      ['deleteForward', [{ key: 'delete' }, ctrl('d')]],
    ],
  },
];

/** The screen's keys, whatever has focus (every handler sees every key). */
export const SCREEN_KEYMAP: Keymap<ScreenCommand> = [
  {
    help: 'scroll messages',
    commands: [
      ['scrollUp', [{ key: 'pageUp' }]],
      ['scrollDown', [{ key: 'pageDown' }]],
    ],
  },
  { help: 'back to the newest', commands: [['scrollToBottom', [{ key: 'end' }]]] },
  {
    help: 'next / previous room',
    commands: [
      ['nextRoom', [ctrl('n')]],
      ['previousRoom', [ctrl('p')]],
    ],
  },
  { help: 'go to room 1..9', commands: [['jumpToRoom', [{ text: '1..9', meta: true }]]] },
  {
    help: 'unread: mentions first',
    commands: [['nextActivity', [{ text: 'a', meta: true }]]],
  },
  { help: 'redraw the screen', commands: [['redraw', [ctrl('l')]]] },
  { help: 'close help / summary', commands: [['closeHelp', [{ key: 'escape' }]]] },
  { help: 'quit on an empty input', commands: [['clearOrQuit', [ctrl('c')]]] },
];

/**
 * The away summary's own keys, read only while it shows (Esc, which closes
 * it, is the screen's). The summary says them itself; /help does not.
 */
export const SUMMARY_KEYMAP: Keymap<SummaryCommand> = [
  { help: 'go to the first mention', commands: [['summaryJump', [bare('return')]]] },
];

/**
 * The help's own keys, read only while it shows (Esc, which closes it, is
 * the screen's). They are the keys that scroll the pane and walk the input
 * history otherwise: those wait meanwhile. The help's last row says them.
 */
export const HELP_SCROLL_KEYMAP: Keymap<HelpCommand> = [
  {
    help: 'scroll the help',
    commands: [
      ['helpLineUp', [bare('up')]],
      ['helpLineDown', [bare('down')]],
      ['helpPageUp', [{ key: 'pageUp' }]],
      ['helpPageDown', [{ key: 'pageDown' }]],
    ],
  },
  {
    help: 'its top / end',
    commands: [
      ['helpTop', [{ key: 'home' }]],
      ['helpBottom', [{ key: 'end' }]],
    ],
  },
];

/** The keys /help lists: what to press, what it does (the input line's first). */
export const HELP_KEYS: ReadonlyArray<readonly [key: string, does: string]> = [
  ...helpLines(INPUT_KEYMAP),
  ...helpLines(SCREEN_KEYMAP),
];
