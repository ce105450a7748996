import type { ClientFrame } from '../net/protocol/frames.ts';
import { type ConnId, type Effect, errorEffect } from './core-effects.ts';
import type { CoreState } from './core-state.ts';

type ModerateFrame = Extract<ClientFrame, { type: 'moderate' }>;

/** An operator's act (contract placeholder: refused until built). */
export function moderate(
  _state: CoreState,
  conn: ConnId,
  _user: string,
  frame: ModerateFrame,
  _now: number,
): Effect[] {
  return [errorEffect(conn, 'not_operator', 'moderation is not built yet', frame.ref)];
}
