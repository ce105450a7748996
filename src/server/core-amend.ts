import type { ClientFrame } from '../net/protocol/frames.ts';
import { type ConnId, type Effect, errorEffect } from './core-effects.ts';
import type { CoreState, UserRecord } from './core-state.ts';

type AmendFrame = Extract<ClientFrame, { type: 'edit' | 'delete' }>;

/** An edit or a deletion of a kept message (contract placeholder: refused until built). */
export function amendRequest(
  _state: CoreState,
  conn: ConnId,
  _user: string,
  _record: UserRecord,
  frame: AmendFrame,
): Effect[] {
  return [errorEffect(conn, 'invalid_frame', `${frame.type} is not built yet`, frame.ref)];
}
