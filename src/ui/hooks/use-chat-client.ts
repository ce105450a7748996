import { useEffect, useReducer, useRef } from 'react';
import { describeError } from '../../errors.ts';
import type { ChatClient } from '../../net/chat-client.ts';
import type { ChatClientEvents } from '../../net/client-types.ts';
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  initialChatState,
} from '../state/chat-state.ts';

/** How long incoming frames gather before one render, in ms (about 60 per second at most). */
export const BATCH_MS = 16;

/**
 * Subscribes to a ChatClient and turns its events into reducer actions,
 * applied in batches: a flood of messages costs one render per frame, not
 * one per message, and an idle client schedules nothing at all.
 */
export function useChatClient(
  client: ChatClient,
  options: { server: string; bell: boolean; intro?: readonly string[]; now?: () => number },
): [ChatState, (action: ChatAction) => void] {
  const [state, dispatch] = useReducer(chatReducer, options, (o) =>
    initialChatState({ server: o.server, bell: o.bell, ...(o.intro ? { intro: o.intro } : {}) }),
  );
  const queue = useRef<ChatAction[]>([]);
  const timer = useRef<NodeJS.Timeout | undefined>(undefined);
  const now = options.now ?? Date.now;

  useEffect(() => {
    const enqueue = (action: ChatAction) => {
      queue.current.push(action);
      timer.current ??= setTimeout(() => {
        timer.current = undefined;
        const actions = queue.current.splice(0);
        dispatch(actions.length === 1 ? (actions[0] as ChatAction) : { type: 'batch', actions });
      }, BATCH_MS);
    };
    const handlers = {
      welcome: (frame: ChatClientEvents['welcome'][0]) =>
        enqueue({ type: 'welcome', frame, now: now() }),
      unread: (frame: ChatClientEvents['unread'][0]) =>
        enqueue({ type: 'unread', frame, now: now() }),
      read: (frame: ChatClientEvents['read'][0]) => enqueue({ type: 'read', frame }),
      message: (frame: ChatClientEvents['message'][0]) => enqueue({ type: 'message', frame }),
      dm: (frame: ChatClientEvents['dm'][0]) => enqueue({ type: 'dm', frame }),
      joined: (frame: ChatClientEvents['joined'][0]) => enqueue({ type: 'joined', frame }),
      left: (frame: ChatClientEvents['left'][0]) => enqueue({ type: 'left', frame }),
      presence: (frame: ChatClientEvents['presence'][0]) =>
        enqueue({ type: 'presence', frame, now: now() }),
      topic: (frame: ChatClientEvents['topic'][0]) => enqueue({ type: 'topic', frame }),
      history: (frame: ChatClientEvents['history'][0]) => enqueue({ type: 'history', frame }),
      update: (frame: ChatClientEvents['update'][0]) => enqueue({ type: 'update', frame }),
      moderated: (frame: ChatClientEvents['moderated'][0]) => enqueue({ type: 'moderated', frame }),
      serverError: (frame: ChatClientEvents['serverError'][0]) =>
        enqueue({ type: 'serverError', frame }),
      rtt: (ms: number) => enqueue({ type: 'rtt', ms }),
    };
    const onState = (...[state, detail]: ChatClientEvents['state']) =>
      enqueue({
        type: 'clientState',
        state,
        now: now(),
        ...(detail.retryInMs === undefined ? {} : { retryInMs: detail.retryInMs }),
        ...(detail.error ? { error: describeError(detail.error) } : {}),
        ...(state === 'offline' && detail.error?.code === 'REMOVED' ? { removed: true } : {}),
        ...(client.facts.tlsVersion ? { tlsVersion: client.facts.tlsVersion } : {}),
        // Which node is worth saying only when there are several to choose from.
        ...(detail.server !== undefined && (client.servers?.length ?? 1) > 1
          ? { node: detail.server }
          : {}),
      });
    for (const [name, handler] of Object.entries(handlers))
      client.on(name as 'rtt', handler as never);
    client.on('state', onState);
    return () => {
      for (const [name, handler] of Object.entries(handlers))
        client.off(name as 'rtt', handler as never);
      client.off('state', onState);
      clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [client, now]);

  return [state, dispatch];
}
