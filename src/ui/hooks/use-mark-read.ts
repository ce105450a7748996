import { useEffect, useRef, useState } from 'react';
import type { ChatClient } from '../../net/chat-client.ts';
import type { ChatAction, ChatState } from '../state/chat-types.ts';
import { READ_GAP_MS, readDelay } from '../state/read-pacing.ts';
import { readTarget } from '../state/read-selectors.ts';

/**
 * Tells the server what the user has seen (see `readTarget`: the current
 * conversation, on screen, at the bottom, the terminal `focused`), at most
 * once a second per conversation. The position moves here at once too, so
 * counts drop without waiting for the server's `read` frame.
 */
export function useMarkRead(
  client: ChatClient,
  state: ChatState,
  dispatch: (action: ChatAction) => void,
  focused: boolean,
  now: () => number = Date.now,
): void {
  const target = readTarget(state, focused);
  const name = target?.name;
  const id = target?.id;
  const sent = useRef(new Map<string, { at: number; id: number }>());
  // Bumped by the timer of a read held back, to look again.
  const [tick, setTick] = useState(0);
  // Another epoch: the server's ids started over, and so do the ones sent.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the epoch changes.
  useEffect(() => sent.current.clear(), [state.epoch]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick asks for another look.
  useEffect(() => {
    if (name === undefined || id === undefined) return;
    const at = now();
    const wait = readDelay(sent.current.get(name), id, at, READ_GAP_MS);
    if (wait === undefined) return;
    if (wait > 0) {
      const timer = setTimeout(() => setTick((n) => n + 1), wait);
      return () => clearTimeout(timer);
    }
    sent.current.set(name, { at, id });
    client.markRead(name, id);
    dispatch({ type: 'read', frame: { type: 'read', room: name, id } });
  }, [client, dispatch, name, id, tick, now]);
}
