import type { ModerationAction } from '../net/protocol/frames.ts';

/** A moderation act as it was done, to do again on the other nodes of a cluster. */
export interface ModerationAct {
  action: ModerationAction;
  room?: string | undefined;
  user?: string | undefined;
  by: string;
  reason?: string | undefined;
  until?: number | undefined;
  ts: number;
}
