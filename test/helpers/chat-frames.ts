/** Server frames for the TUI's state tests. */
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';

/** The limits a welcome advertises in these tests. */
export const LIMITS = {
  maxFrameBytes: 65_536,
  maxTextChars: 4_000,
  ratePerSecond: 10,
  rateBurst: 20,
  maxHistory: 200,
};

/** A welcome for alice: no motd, the given rooms and users, `extra` over them. */
export function welcomeFrame(
  extra: Partial<ServerFrameOf<'welcome'>> = {},
): ServerFrameOf<'welcome'> {
  return {
    type: 'welcome',
    v: 1,
    user: 'alice',
    server: 'test',
    motd: '',
    rooms: [],
    users: [],
    limits: LIMITS,
    ...extra,
  };
}
