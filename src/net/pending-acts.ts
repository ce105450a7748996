import { ChatError } from '../errors.ts';
import type { ClientFrame, ServerFrameOf } from './protocol/frames.ts';

/** An `edit` or a `delete`: answered by `ack` with its ref. */
export type AmendRequest = Extract<ClientFrame, { type: 'edit' | 'delete' }>;
/** An operator's act: answered by the `moderated` frame that shows it done. */
export type ModerateRequest = Extract<ClientFrame, { type: 'moderate' }>;

/**
 * The edits, deletions and operator acts in flight, by ref, so that the ack
 * (edit, delete), the matching `moderated` frame (moderate) or an error with
 * the ref settles the right one. Pure: ClientCore asks it, ChatClient keeps
 * the promises and the timers.
 */
export class PendingActs {
  private readonly amends = new Map<string, AmendRequest['type']>();
  private readonly acts = new Map<string, ModerateRequest>();

  /** Remembers an edit or delete about to be written. */
  amend(request: AmendRequest): void {
    this.amends.set(request.ref, request.type);
  }

  /** Remembers an operator's act about to be written. */
  moderate(request: ModerateRequest): void {
    this.acts.set(request.ref, request);
  }

  /** True when `ref` names an edit or delete in flight (which its ack has now settled). */
  acked(ref: string): boolean {
    return this.amends.delete(ref);
  }

  /**
   * The refs of the acts in flight that `frame` shows done (same action,
   * room and user), now settled; oldest first.
   */
  done(frame: ServerFrameOf<'moderated'>): string[] {
    const refs: string[] = [];
    for (const [ref, act] of this.acts) {
      if (act.action === frame.action && act.room === frame.room && act.user === frame.user) {
        refs.push(ref);
      }
    }
    for (const ref of refs) this.acts.delete(ref);
    return refs;
  }

  /** True when `ref` names anything in flight (which an error or a timeout has now settled). */
  failed(ref: string): boolean {
    return this.amends.delete(ref) || this.acts.delete(ref);
  }

  /** Every request in flight (ref and type), forgotten: the connection dropped. */
  drop(): Array<[string, 'edit' | 'delete' | 'moderate']> {
    const lost: Array<[string, 'edit' | 'delete' | 'moderate']> = [
      ...this.amends.entries(),
      ...[...this.acts.keys()].map((ref): [string, 'moderate'] => [ref, 'moderate']),
    ];
    this.amends.clear();
    this.acts.clear();
    return lost;
  }
}

/** The error of an edit, delete or act asked while not connected, or lost with its connection. */
export function actLost(type: 'edit' | 'delete' | 'moderate', connected: boolean): ChatError {
  return new ChatError(
    'CONNECT_FAILED',
    connected
      ? `the connection dropped before the server answered the ${type}: check, then try again`
      : `not connected: ${type} once reconnected`,
  );
}

/** The error of an operator's act that no `moderated` frame confirmed in `ms`. */
export function actTimedOut(ms: number): ChatError {
  return new ChatError('SERVER_ERROR', `the server did not confirm the act in ${ms / 1000} s`, {
    hint: 'check the room: it may have been done anyway',
  });
}
