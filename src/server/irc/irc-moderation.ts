/**
 * The operators' commands of IRC and chat's acts (`moderate`, `moderated`),
 * one in terms of the other: KICK is a kick; channel modes +b/-b ban and
 * unban, +q/-q (quiet, as most servers name it) mute and unmute, +o/-o op
 * and deop, +t/-t lock and unlock the topic. Pure.
 */
import type { ModerationAction } from '../../net/protocol/frames.ts';

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
