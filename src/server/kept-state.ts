import { z } from 'zod';
import { ROOM_PATTERN, USER_PATTERN } from '../net/protocol/frames.ts';

/** A room's topic: its text, who set it, when (ms since the epoch). */
export interface Topic {
  text: string;
  by: string;
  ts: number;
}

/** What the server keeps of one user across restarts. Every user kept has been welcomed once. */
export interface KeptUser {
  /** The rooms they joined and did not part, sorted. */
  rooms: string[];
  /** Read positions: conversation key (`#room`, `dm:a:b`) to the newest id they have seen. */
  reads: Array<[string, number]>;
  /** When their last connection closed (ms since the epoch), once one has. */
  goneAt?: number;
}

/** A ban or a mute: who made it (absent: the server's operator), why, until when (absent: until undone). */
export interface Sanction {
  by?: string;
  reason?: string;
  until?: number;
  /** When it was made (ms since the epoch). */
  ts: number;
}

/** How a room is run: its operators, its modes, its bans and mutes. */
export interface KeptRoom {
  /** Room operators (server operators aside), sorted; the creator first became one. */
  ops: string[];
  topicLock?: boolean;
  bans: Array<[string, Sanction]>;
  mutes: Array<[string, Sanction]>;
}

/**
 * The server's state that outlives a restart, apart from the messages:
 * topics, users, how rooms are run and server-wide bans. Plain data,
 * written by the store as one sealed JSON document (docs/HISTORY-FORMAT.md,
 * state.bin). `rooms` and `bans` are absent in a state.bin from before
 * operators.
 */
export interface KeptState {
  topics: Array<[string, Topic]>;
  users: Array<[string, KeptUser]>;
  rooms?: Array<[string, KeptRoom]>;
  bans?: Array<[string, Sanction]>;
  /**
   * On a node of a cluster: the newest of the cluster's events this state
   * holds (a Redis Stream id); the node hears those after it at start.
   */
  events?: string;
  /** On a node of a cluster: who runs each room of the cluster this node does not hold. */
  runElsewhere?: Array<[string, string[]]>;
}

/** Nothing kept: a new server, or a data directory from before state.bin. */
export function emptyKeptState(): KeptState {
  return { topics: [], users: [] };
}

const id = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const ts = z.number().int().min(0);
const user = z.string().regex(USER_PATTERN);
const room = z.string().regex(ROOM_PATTERN);
// A conversation key as the core keys it (see conversations.ts).
const conversationKey = z
  .string()
  .regex(/^(#[a-z0-9_-]{1,32}|dm:[a-z0-9_-]{1,32}:[a-z0-9_-]{1,32})$/);

const sanction = z.object({
  by: user.optional(),
  reason: z.string().optional(),
  until: ts.optional(),
  ts,
});

const keptStateSchema = z.object({
  topics: z.array(z.tuple([room, z.object({ text: z.string(), by: user, ts })])),
  users: z.array(
    z.tuple([
      user,
      z.object({
        rooms: z.array(room),
        reads: z.array(z.tuple([conversationKey, id])),
        goneAt: ts.optional(),
      }),
    ]),
  ),
  // Absent in a state.bin written before operators.
  rooms: z
    .array(
      z.tuple([
        room,
        z.object({
          ops: z.array(user),
          topicLock: z.boolean().optional(),
          bans: z.array(z.tuple([user, sanction])),
          mutes: z.array(z.tuple([user, sanction])),
        }),
      ]),
    )
    .optional(),
  bans: z.array(z.tuple([user, sanction])).optional(),
  events: z
    .string()
    .regex(/^\d+-\d+$/)
    .optional(),
  runElsewhere: z.array(z.tuple([room, z.array(user)])).optional(),
});

/** The kept state in `value` (parsed JSON), or undefined when it is not one. */
export function parseKeptState(value: unknown): KeptState | undefined {
  const parsed = keptStateSchema.safeParse(value);
  return parsed.success ? (parsed.data as KeptState) : undefined;
}
