import { type ModerationAction, moderationAction } from '../net/protocol/frames.ts';
import type { ModerationAct } from './moderation-act.ts';

/**
 * What one node of a cluster did that every other node does too, for its
 * own connections and its own kept state: a moderation act, a topic set, a
 * user's read position moved. Sealed on the store's feed; checked on the
 * node that did it, not again where it is done too.
 */
export type ClusterEvent =
  | { kind: 'act'; act: ModerationAct }
  | { kind: 'topic'; room: string; text: string; by: string; ts: number }
  /** `name` as the user names the conversation (#room or @peer), for their `read` frame. */
  | { kind: 'read'; user: string; conversation: string; name: string; id: number }
  /** A user said away (with `text`) or back (no text) on one of their devices. */
  | { kind: 'away'; user: string; text?: string }
  /** A user joined a room (`joined`) or parted it on one of their devices. */
  | { kind: 'member'; user: string; room: string; joined: boolean };

/** True when `value` (from the feed, sealed by a node) has the shape of a ClusterEvent. */
export function isClusterEvent(value: unknown): value is ClusterEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Record<string, unknown>;
  const strings = (...keys: string[]) => keys.every((key) => typeof event[key] === 'string');
  switch (event.kind) {
    case 'act':
      return isAct(event.act);
    case 'topic':
      return strings('room', 'text', 'by') && typeof event.ts === 'number';
    case 'read':
      return strings('user', 'conversation', 'name') && Number.isInteger(event.id);
    case 'member':
      return strings('user', 'room') && typeof event.joined === 'boolean';
    case 'away':
      return strings('user') && (event.text === undefined || typeof event.text === 'string');
    default:
      return false;
  }
}

function isAct(value: unknown): value is ModerationAct {
  if (typeof value !== 'object' || value === null) return false;
  const act = value as Record<string, unknown>;
  const optional = (key: string, type: string) =>
    act[key] === undefined || typeof act[key] === type;
  return (
    moderationAction.options.includes(act.action as ModerationAction) &&
    typeof act.by === 'string' &&
    typeof act.ts === 'number' &&
    optional('room', 'string') &&
    optional('user', 'string') &&
    optional('reason', 'string') &&
    optional('until', 'number')
  );
}
