/**
 * The operators' commands of IRC and chat's acts (`moderate`, `moderated`),
 * one in terms of the other: KICK is a kick; channel modes +b/-b ban and
 * unban, +q/-q (quiet, as most servers name it) mute and unmute, +o/-o op
 * and deop, +t/-t lock and unlock the topic. Pure.
 */
import {
  type ModerationAction,
  ROOM_PATTERN,
  type ServerFrameOf,
  USER_PATTERN,
} from '../../net/protocol/frames.ts';
import type { Asking } from './irc-in-flight.ts';
import { isoTime } from './irc-text.ts';
import { type Addressee, ircLine, notice, numeric, userSource } from './irc-write.ts';

/** Mode changes one MODE line may ask for (ISUPPORT MODES). */
export const MODES_PER_LINE = 4;

/** A mode letter with a target user, and the act its `+` and `-` stand for. */
const USER_MODES: Record<string, [ModerationAction, ModerationAction]> = {
  b: ['ban', 'unban'],
  q: ['mute', 'unmute'],
  o: ['op', 'deop'],
};

/** What `MODE #room …` asks: acts, or a query (no changes given). */
export interface ModeRequest {
  acts: Array<{ action: ModerationAction; user?: string }>;
  /** Letters chat has no act for, said back as unknown. */
  unknown: string[];
}

/** Reads `MODE #room +bq-o alice bob carol` (the params after the room). */
export function readModeChange(params: readonly string[]): ModeRequest {
  const [changes = '', ...targets] = params;
  const acts: ModeRequest['acts'] = [];
  const unknown: string[] = [];
  let adding = true;
  let next = 0;
  for (const letter of changes) {
    if (letter === '+' || letter === '-') {
      adding = letter === '+';
      continue;
    }
    if (letter === 't') {
      acts.push({ action: adding ? 'topic-lock' : 'topic-unlock' });
      continue;
    }
    const pair = USER_MODES[letter];
    const user = targets[next];
    if (pair === undefined || user === undefined) {
      unknown.push(letter);
      continue;
    }
    next++;
    // A ban mask names its user: nick, or nick!user@host.
    acts.push({
      action: adding ? pair[0] : pair[1],
      user: user.split('!')[0]?.toLowerCase() ?? user,
    });
  }
  return { acts, unknown };
}

/**
 * KICK, or the changes of a MODE line: a `moderate` request for each act
 * on a user there can be (401 for the others), or 403 for a room there
 * cannot be. `reason` goes with every act when given.
 */
export function moderationRequests(
  room: string,
  acts: ModeRequest['acts'],
  reason: string | undefined,
  to: Addressee,
): Asking {
  const name = room.toLowerCase();
  if (!ROOM_PATTERN.test(name)) {
    return { lines: [numeric(to, '403', room, 'No such channel')], requests: [] };
  }
  const out: Asking = { lines: [], requests: [] };
  for (const act of acts) {
    if (act.user !== undefined && !USER_PATTERN.test(act.user)) {
      out.lines.push(numeric(to, '401', act.user, 'No such nick'));
      continue;
    }
    out.requests.push({
      kind: 'moderate',
      target: name,
      frame: (ref) => ({
        type: 'moderate',
        action: act.action,
        room: name,
        ...(act.user === undefined ? {} : { user: act.user }),
        ...(reason === undefined || reason === '' ? {} : { reason }),
        ref,
      }),
    });
  }
  return out;
}

/**
 * `MODE target [query|changes] [params…]`: the user's own modes, a room's
 * modes or ban list as queries, or changes asked of chat as acts.
 */
export function modeCommand(
  target: string,
  query: string,
  params: readonly string[],
  to: Addressee,
): Asking {
  if (!target.startsWith('#')) return { lines: [numeric(to, '221', '+i')], requests: [] };
  if (/^[+-]/.test(query)) {
    const request = readModeChange(params);
    // MODES=4: what a line asks beyond four changes is not done.
    const out = moderationRequests(target, request.acts.slice(0, MODES_PER_LINE), undefined, to);
    for (const letter of new Set(request.unknown)) {
      out.lines.push(numeric(to, '472', letter, 'is not a mode chat has'));
    }
    return out;
  }
  if (query === 'b') {
    return { lines: [numeric(to, '368', target, 'End of channel ban list')], requests: [] };
  }
  return { lines: [numeric(to, '324', target, '+nt')], requests: [] };
}

/** How chat's act shows in IRC: a KICK, or a MODE change with its parameter. */
export function modeLineFor(
  action: ModerationAction,
  user: string | undefined,
): { command: 'KICK' } | { command: 'MODE'; change: string; target?: string } | undefined {
  switch (action) {
    case 'kick':
      return { command: 'KICK' };
    case 'topic-lock':
      return { command: 'MODE', change: '+t' };
    case 'topic-unlock':
      return { command: 'MODE', change: '-t' };
  }
  for (const [letter, [on, off]] of Object.entries(USER_MODES)) {
    if (action === on || action === off) {
      const target = user === undefined ? undefined : letter === 'o' ? user : `${user}!*@*`;
      return {
        command: 'MODE',
        change: `${action === on ? '+' : '-'}${letter}`,
        ...(target ? { target } : {}),
      };
    }
  }
  return undefined;
}

/**
 * An operator's act as the client sees it: a KICK or MODE line in its
 * room from whoever did it, or a notice for an act on the whole server.
 */
export function moderatedLines(to: Addressee, frame: ServerFrameOf<'moderated'>): string[] {
  const source = frame.by === undefined ? to.serverName : userSource(frame.by);
  const tags = { time: isoTime(frame.ts) };
  if (frame.room === undefined) {
    const who = frame.user ?? '';
    return [
      notice(
        to,
        `${who}: ${frame.action} on the whole server${frame.reason ? ` (${frame.reason})` : ''}`,
      ),
    ];
  }
  const shown = modeLineFor(frame.action, frame.user);
  if (shown === undefined) return [];
  if (shown.command === 'KICK') {
    return [
      ircLine(to, 'KICK', [frame.room, frame.user ?? '', frame.reason ?? 'kicked'], {
        source,
        tags,
      }),
    ];
  }
  return [
    ircLine(
      to,
      'MODE',
      [frame.room, shown.change, ...(shown.target === undefined ? [] : [shown.target])],
      { source, tags },
    ),
  ];
}
