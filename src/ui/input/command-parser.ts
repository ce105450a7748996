import {
  MAX_AWAY_CHARS,
  MAX_REASON_CHARS,
  MAX_SEARCH_CHARS,
  MAX_TEXT_CHARS,
  MAX_TOPIC_CHARS,
  type ModerationAction,
  ROOM_PATTERN,
  USER_PATTERN,
} from '../../net/protocol/frames.ts';
import {
  parseSetting,
  SETTING_NAMES,
  type SettingChange,
  type SettingName,
  settingName,
} from '../settings/tui-settings.ts';
import { looksLikeDuration, parseDuration } from '../text/duration.ts';

/**
 * What one submitted input line asks for. `say` and `me` go to the current
 * conversation; `msg.to` is a bare user name (no `@`), as in the `dm` frame;
 * `join.room` and `part.room` are `#room`. `topic.text` undefined means show
 * the topic, '' means clear it. `set` without `name` or `change` lists the
 * settings, with `name` shows one. `search.room` is `#room` or `@user` (the
 * conversation to search), absent for all of them. `moderate` is an
 * operator's act as the `moderate` frame has it (`room` absent: server-wide;
 * `duration` in seconds). `edit.text` undefined means put the user's last
 * message into the input to edit it. `open.n` counts the current conversation's
 * links from the newest, 1 the newest. `error.hint` is one line for the status
 * area: nothing is sent.
 */
export type ParsedInput =
  | { kind: 'empty' }
  | { kind: 'say'; text: string }
  | { kind: 'me'; text: string }
  | { kind: 'join'; room: string }
  | { kind: 'part'; room: string }
  | { kind: 'msg'; to: string; text: string | undefined }
  | { kind: 'who' }
  | { kind: 'names'; room: string }
  | { kind: 'list' }
  | { kind: 'whois'; user: string }
  | { kind: 'verify'; user: string; confirm: boolean }
  | { kind: 'accept'; user: string }
  | { kind: 'ignore'; user: string | undefined }
  | { kind: 'unignore'; user: string }
  | { kind: 'close'; name: string }
  | { kind: 'topic'; text: string | undefined }
  | { kind: 'away'; text: string }
  | { kind: 'back' }
  | { kind: 'history' }
  | { kind: 'search'; text: string; room?: string }
  | { kind: 'open'; n: number }
  | { kind: 'set'; name?: SettingName; change?: SettingChange }
  | {
      kind: 'moderate';
      action: ModerationAction;
      room?: string;
      user?: string;
      reason?: string;
      duration?: number;
    }
  | { kind: 'edit'; text: string | undefined }
  | { kind: 'delete' }
  | { kind: 'clear' }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'error'; hint: string };

/** Where the input was typed: `current` is the open conversation, `#room` or `@user`. */
export type InputContext = { current: string };

/** One command as /help lists it and Tab completes it (names without the `/`). */
export type CommandInfo = {
  /** The canonical name, lower case, without `/`. */
  name: string;
  /** One line, e.g. `/join #room`. */
  usage: string;
  /** What it does, one short line. */
  help: string;
  /** Other names that run the same command, without `/`. */
  aliases: readonly string[];
  /** An operator's command: /help lists these together, by usage only, under the others. */
  operator?: true;
};

/** Every command, once each, in the order /help lists them. */
export const COMMANDS: ReadonlyArray<CommandInfo> = [
  // Short texts: /help lays them out in two columns from 100 columns; where it does not fit, it scrolls.
  { name: 'join', usage: '/join #room', help: 'join a room', aliases: ['j'] },
  { name: 'part', usage: '/part [#room]', help: 'leave a room', aliases: [] },
  { name: 'msg', usage: '/msg user [text]', help: 'open a DM, send text', aliases: ['query'] },
  { name: 'me', usage: '/me action', help: 'send an action', aliases: [] },
  { name: 'who', usage: '/who', help: 'who is in this room', aliases: [] },
  { name: 'names', usage: '/names [#room]', help: 'who is in a room', aliases: [] },
  { name: 'list', usage: '/list', help: 'rooms of the server', aliases: [] },
  {
    name: 'whois',
    usage: '/whois user',
    help: 'devices, away, idle time, certificate',
    aliases: [],
  },
  {
    name: 'verify',
    usage: '/verify [user] [yes]',
    help: 'safety number; yes: verified',
    aliases: [],
  },
  { name: 'accept', usage: '/accept [user]', help: 'trust a changed key', aliases: [] },
  { name: 'ignore', usage: '/ignore [user]', help: 'hide a user, or list', aliases: [] },
  { name: 'unignore', usage: '/unignore user', help: 'show a user again', aliases: [] },
  { name: 'close', usage: '/close', help: 'close DM or part', aliases: ['wc'] },
  { name: 'topic', usage: '/topic [text|-delete]', help: 'show, set, clear', aliases: [] },
  { name: 'away', usage: '/away [text]', help: 'mark away', aliases: [] },
  { name: 'back', usage: '/back', help: 'clear away mark', aliases: [] },
  { name: 'history', usage: '/history', help: 'older messages', aliases: [] },
  { name: 'search', usage: '/search words [#room]', help: 'find messages', aliases: [] },
  {
    name: 'open',
    usage: '/open [N]',
    help: 'open link N, 1 the newest of all loaded',
    aliases: [],
  },
  { name: 'edit', usage: '/edit [text]', help: 'edit your last', aliases: [] },
  { name: 'delete', usage: '/delete', help: 'delete your last', aliases: [] },
  // Operators' commands, listed apart by /help (usage only: room is short).
  { name: 'op', usage: '/op user', help: 'make a room operator', aliases: [], operator: true },
  { name: 'deop', usage: '/deop user', help: 'take operator away', aliases: [], operator: true },
  {
    name: 'kick',
    usage: '/kick user [reason]',
    help: 'put out of the room',
    aliases: [],
    operator: true,
  },
  {
    name: 'ban',
    usage: '/ban [-server] user [time] [reason]',
    help: 'ban from the room or the server (time: 30s 10m 2h 1d 1w)',
    aliases: [],
    operator: true,
  },
  {
    name: 'unban',
    usage: '/unban [-server] user',
    help: 'lift a ban',
    aliases: [],
    operator: true,
  },
  {
    name: 'mute',
    usage: '/mute user [time] [reason]',
    help: 'may read, not send',
    aliases: [],
    operator: true,
  },
  { name: 'unmute', usage: '/unmute user', help: 'may send again', aliases: [], operator: true },
  {
    name: 'mode',
    usage: '/mode [#room] +t|-t',
    help: 'only operators set the topic',
    aliases: [],
    operator: true,
  },
  { name: 'set', usage: '/set [name [value]]', help: 'settings', aliases: [] },
  { name: 'clear', usage: '/clear', help: 'clear the pane', aliases: [] },
  { name: 'help', usage: '/help', help: 'this help', aliases: [] },
  { name: 'quit', usage: '/quit', help: 'leave chat', aliases: ['exit', 'q'] },
];

const NAME_RULE = '1-32 of a-z 0-9 _ -';
// Every whitespace-only line, newlines included, is nothing to send.
const BLANK = /^\s*$/;
// A paste often ends in a newline (CRLF from some terminals): it is not part of the message.
const TRAILING_NEWLINES = /[\r\n]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a hint must not echo terminal controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const HINT_NAME_CHARS = 24;

const byName = new Map<string, CommandInfo>();
for (const command of COMMANDS) {
  byName.set(command.name, command);
  for (const alias of command.aliases) byName.set(alias, command);
}

/**
 * Parses one submitted input line. Text not starting with `/` is a message,
 * kept as typed (inner newlines included, trailing newlines dropped); `//`
 * sends a literal leading `/`. Command names are case-insensitive; room and
 * user names are lower-cased and checked. An unknown command or bad arguments
 * give `{ kind: 'error' }` with a one-line hint, never a message.
 */
export function parseInput(line: string, ctx: InputContext): ParsedInput {
  if (BLANK.test(line)) return { kind: 'empty' };
  if (!line.startsWith('/')) return { kind: 'say', text: line.replace(TRAILING_NEWLINES, '') };
  if (line.startsWith('//'))
    return { kind: 'say', text: line.slice(1).replace(TRAILING_NEWLINES, '') };

  const name = /^\/(\S*)/.exec(line)?.[1] ?? '';
  // Arguments: whitespace after the name is a separator, trailing whitespace is noise.
  const args = line.slice(1 + name.length).trim();
  if (name === '') {
    return { kind: 'error', hint: 'type a command after /, or start with // to send a /' };
  }
  const command = byName.get(name.toLowerCase());
  if (command === undefined) {
    return { kind: 'error', hint: `unknown command /${printable(name)}: /help lists them` };
  }
  return parseCommand(command, args, ctx);
}

function parseCommand(command: CommandInfo, args: string, ctx: InputContext): ParsedInput {
  const usage = `usage: ${command.usage}`;
  const words = args === '' ? [] : args.split(/\s+/);
  switch (command.name) {
    case 'join': {
      if (words.length !== 1) return { kind: 'error', hint: usage };
      const word = words[0] ?? '';
      if (word.startsWith('@')) {
        return {
          kind: 'error',
          hint: `${printable(word)} is a user: /msg ${printable(word.slice(1))}`,
        };
      }
      const room = toRoom(word);
      if (room === undefined) return badRoom(word, usage);
      return { kind: 'join', room };
    }
    case 'part': {
      if (words.length > 1) return { kind: 'error', hint: usage };
      if (words.length === 0) {
        if (ROOM_PATTERN.test(ctx.current)) return { kind: 'part', room: ctx.current };
        return { kind: 'error', hint: `this is not a room: ${usage}` };
      }
      const room = toRoom(words[0] ?? '');
      if (room === undefined) return badRoom(words[0] ?? '', usage);
      return { kind: 'part', room };
    }
    case 'msg': {
      const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(args);
      if (match === null) return { kind: 'error', hint: usage };
      const given = match[1] ?? '';
      const user = (given.startsWith('@') ? given.slice(1) : given).toLowerCase();
      if (!USER_PATTERN.test(user)) {
        return {
          kind: 'error',
          hint: `not a user name: ${printable(given)} (${NAME_RULE}); ${usage}`,
        };
      }
      const text = match[2];
      return { kind: 'msg', to: user, text: text === undefined || text === '' ? undefined : text };
    }
    case 'me':
      if (args === '') return { kind: 'error', hint: usage };
      return { kind: 'me', text: args };
    case 'topic': {
      if (!ROOM_PATTERN.test(ctx.current)) {
        return { kind: 'error', hint: 'topics belong to rooms: /join #room first' };
      }
      if (args === '') return { kind: 'topic', text: undefined };
      if (args.toLowerCase() === '-delete') return { kind: 'topic', text: '' };
      const problem = oneLineProblem('topic', args, MAX_TOPIC_CHARS);
      if (problem !== undefined) return { kind: 'error', hint: problem };
      return { kind: 'topic', text: args };
    }
    case 'away': {
      if (args === '') return { kind: 'away', text: 'away' };
      const problem = oneLineProblem('away message', args, MAX_AWAY_CHARS);
      if (problem !== undefined) return { kind: 'error', hint: problem };
      return { kind: 'away', text: args };
    }
    case 'names': {
      if (words.length > 1) return { kind: 'error', hint: usage };
      if (words.length === 0) {
        if (ROOM_PATTERN.test(ctx.current)) return { kind: 'names', room: ctx.current };
        return { kind: 'error', hint: `this is not a room: ${usage}` };
      }
      const room = toRoom(words[0] ?? '');
      return room === undefined ? badRoom(words[0] ?? '', usage) : { kind: 'names', room };
    }
    case 'whois':
    case 'unignore': {
      if (words.length !== 1) return { kind: 'error', hint: usage };
      const user = toUser(words[0] ?? '');
      if (user === undefined) return badUser(words[0] ?? '', usage);
      return { kind: command.name, user };
    }
    case 'verify':
    case 'accept': {
      // In a DM window the peer goes without saying.
      const peer = ctx.current.startsWith('@') ? ctx.current.slice(1) : undefined;
      const confirm = command.name === 'verify' && words.at(-1)?.toLowerCase() === 'yes';
      const named = confirm ? words.slice(0, -1) : words;
      if (named.length > 1) return { kind: 'error', hint: usage };
      const user = named.length === 1 ? toUser(named[0] ?? '') : peer;
      if (user === undefined) {
        return named.length === 1
          ? badUser(named[0] ?? '', usage)
          : { kind: 'error', hint: `whose? ${usage} (or run it in the DM window)` };
      }
      return command.name === 'verify'
        ? { kind: 'verify', user, confirm }
        : { kind: 'accept', user };
    }
    case 'ignore': {
      if (words.length > 1) return { kind: 'error', hint: usage };
      if (words.length === 0) return { kind: 'ignore', user: undefined };
      const user = toUser(words[0] ?? '');
      return user === undefined ? badUser(words[0] ?? '', usage) : { kind: 'ignore', user };
    }
    case 'close':
      if (args !== '') return { kind: 'error', hint: usage };
      return { kind: 'close', name: ctx.current };
    case 'search':
      return parseSearch(args, usage);
    case 'open': {
      if (args === '') return { kind: 'open', n: 1 };
      if (!/^\d{1,6}$/.test(args) || Number(args) === 0) {
        return { kind: 'error', hint: `${usage}: N counts links from the newest, 1 the newest` };
      }
      return { kind: 'open', n: Number(args) };
    }
    case 'op':
    case 'deop':
    case 'kick':
    case 'ban':
    case 'unban':
    case 'mute':
    case 'unmute':
      return parseModerate(command.name, args, ctx, usage);
    case 'mode':
      return parseMode(words, ctx, usage);
    case 'edit': {
      if (args === '') return { kind: 'edit', text: undefined };
      if (args.length > MAX_TEXT_CHARS) {
        return {
          kind: 'error',
          hint: `the text is too long: at most ${MAX_TEXT_CHARS} characters`,
        };
      }
      return { kind: 'edit', text: args };
    }
    case 'delete':
      if (args !== '') return { kind: 'error', hint: usage };
      return { kind: 'delete' };
    case 'set':
      return parseSet(words, usage);
    case 'who':
    case 'list':
    case 'back':
    case 'history':
    case 'clear':
    case 'help':
    case 'quit':
      // Arguments are refused rather than ignored: "/quit now" may be a typo for a message.
      if (args !== '') return { kind: 'error', hint: usage };
      return { kind: command.name };
    default:
      // COMMANDS and this switch must list the same names; a gap is a bug here, not user input.
      throw new Error(`command /${command.name} has no parser`);
  }
}

// `/search words [#room|@user]`: a last word naming a conversation scopes the
// search, when words remain before it; the words go to the server as typed.
function parseSearch(args: string, usage: string): ParsedInput {
  if (args === '') return { kind: 'error', hint: usage };
  const problem = oneLineProblem('search', args, MAX_SEARCH_CHARS);
  if (problem !== undefined) return { kind: 'error', hint: problem };
  const scope = /^(.*\S)\s+([#@]\S+)$/.exec(args);
  if (scope === null) return { kind: 'search', text: args };
  const [, text = '', named = ''] = scope;
  if (named.startsWith('#')) {
    const room = toRoom(named);
    return room === undefined ? badRoom(named, usage) : { kind: 'search', text, room };
  }
  const user = named.slice(1).toLowerCase();
  if (!USER_PATTERN.test(user)) {
    return { kind: 'error', hint: `not a user name: ${printable(named)} (${NAME_RULE}); ${usage}` };
  }
  return { kind: 'search', text, room: `@${user}` };
}

// `/kick bob [reason]`, `/ban [-server] bob [10m] [reason]`, `/mute bob [1h]
// [reason]`, `/unban [-server] bob`, `/op bob`…: in the current room, or,
// with -server (ban and unban only), on the whole server. A second word
// that looks like a duration (`10m`, a bare number: minutes) is one.
function parseModerate(
  action: 'op' | 'deop' | 'kick' | 'ban' | 'unban' | 'mute' | 'unmute',
  args: string,
  ctx: InputContext,
  usage: string,
): ParsedInput {
  let rest = args;
  let server = false;
  const flag = /^-server(?:\s+|$)/i.exec(rest);
  if (flag !== null) {
    if (action !== 'ban' && action !== 'unban') {
      return { kind: 'error', hint: `only /ban and /unban take -server; ${usage}` };
    }
    server = true;
    rest = rest.slice(flag[0].length);
  }
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(rest);
  if (match === null) return { kind: 'error', hint: usage };
  const user = toUser(match[1] ?? '');
  if (user === undefined) return badUser(match[1] ?? '', usage);
  let more = (match[2] ?? '').trim();
  if (!server && !ROOM_PATTERN.test(ctx.current)) {
    return { kind: 'error', hint: `operators act in rooms: switch to one first; ${usage}` };
  }
  const takesReason = action === 'kick' || action === 'ban' || action === 'mute';
  let duration: number | undefined;
  if (action === 'ban' || action === 'mute') {
    const first = /^(\S+)(?:\s+([\s\S]*))?$/.exec(more);
    if (first !== null && looksLikeDuration(first[1] ?? '')) {
      const parsed = parseDuration(first[1] ?? '');
      if ('error' in parsed) return { kind: 'error', hint: parsed.error };
      duration = parsed.seconds;
      more = (first[2] ?? '').trim();
    }
  }
  if (!takesReason && more !== '') return { kind: 'error', hint: usage };
  if (more !== '') {
    const problem = oneLineProblem('reason', more, MAX_REASON_CHARS);
    if (problem !== undefined) return { kind: 'error', hint: problem };
  }
  return {
    kind: 'moderate',
    action,
    ...(server ? {} : { room: ctx.current }),
    user,
    ...(more === '' ? {} : { reason: more }),
    ...(duration === undefined ? {} : { duration }),
  };
}

// `/mode [#room] +topic-lock|-topic-lock` (`+t`/`-t` as in irssi).
function parseMode(words: readonly string[], ctx: InputContext, usage: string): ParsedInput {
  const [first = '', second] = words;
  if (words.length === 0 || words.length > 2) return { kind: 'error', hint: usage };
  let room = ctx.current;
  let mode = first;
  if (words.length === 2) {
    const named = toRoom(first);
    if (named === undefined) return badRoom(first, usage);
    room = named;
    mode = second ?? '';
  } else if (!ROOM_PATTERN.test(room)) {
    return { kind: 'error', hint: `this is not a room: ${usage}` };
  }
  const lock = /^([+-])(?:t|topic-lock)$/i.exec(mode);
  if (lock === null) {
    return {
      kind: 'error',
      hint: `unknown mode ${printable(mode)}: +t (or +topic-lock) locks the topic, -t unlocks it`,
    };
  }
  return { kind: 'moderate', action: lock[1] === '+' ? 'topic-lock' : 'topic-unlock', room };
}

// `/set` lists, `/set name` shows one, `/set name value` changes one.
function parseSet(words: readonly string[], usage: string): ParsedInput {
  const [name = '', value = ''] = words;
  if (words.length === 0) return { kind: 'set' };
  if (words.length > 2) return { kind: 'error', hint: usage };
  const known = settingName(name);
  if (known === undefined) {
    return { kind: 'error', hint: `no setting ${printable(name)}: ${SETTING_NAMES.join(', ')}` };
  }
  if (words.length === 1) return { kind: 'set', name: known };
  const parsed = parseSetting(known, value);
  return parsed.ok ? { kind: 'set', change: parsed.change } : { kind: 'error', hint: parsed.hint };
}

/** `ops`, `#ops` and `#OPS` all name `#ops`; anything else is not a room. */
function toRoom(word: string): string | undefined {
  const room = (word.startsWith('#') ? word : `#${word}`).toLowerCase();
  return ROOM_PATTERN.test(room) ? room : undefined;
}

/** `bob`, `@bob` and `Bob` all name `bob`; anything else is not a user. */
function toUser(word: string): string | undefined {
  const user = (word.startsWith('@') ? word.slice(1) : word).toLowerCase();
  return USER_PATTERN.test(user) ? user : undefined;
}

function badUser(word: string, usage: string): ParsedInput {
  return { kind: 'error', hint: `not a user name: ${printable(word)} (${NAME_RULE}); ${usage}` };
}

function badRoom(word: string, usage: string): ParsedInput {
  return {
    kind: 'error',
    hint: `not a room name: ${printable(word)} (# and ${NAME_RULE}); ${usage}`,
  };
}

function oneLineProblem(what: string, text: string, max: number): string | undefined {
  if (text.includes('\n') || text.includes('\r')) return `the ${what} must be one line`;
  if (text.length > max) return `the ${what} is too long: at most ${max} characters`;
  return undefined;
}

/** A name as typed, safe to echo in a one-line hint: no controls, bounded length. */
function printable(text: string): string {
  const clean = text.replace(CONTROL, '?');
  const chars = Array.from(clean);
  return chars.length > HINT_NAME_CHARS ? `${chars.slice(0, HINT_NAME_CHARS).join('')}…` : clean;
}
