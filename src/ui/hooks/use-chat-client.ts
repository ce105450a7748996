import { useEffect, useReducer, useRef } from 'react';
import { describeError } from '../../errors.ts';
import type { ChatClient } from '../../net/chat-client.ts';
import type { ChatClientEvents } from '../../net/client-types.ts';
import type { ServerFrame } from '../../net/protocol/frames.ts';
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  initialChatState,
} from '../state/chat-state.ts';

/** How long incoming frames gather before one render, in ms (about 60 per second at most). */
export const BATCH_MS = 16;

/** What opens the sealed messages in a frame, as the keyring can. */
export interface Reveal {
  needs(frame: ServerFrame): boolean;
  open<F extends ServerFrame>(frame: F): Promise<F>;
}

/**
 * Subscribes to a ChatClient and turns its events into reducer actions,
 * applied in batches: a flood of messages costs one render per frame, not
 * one per message, and an idle client schedules nothing at all.
 */
export function useChatClient(
  client: ChatClient,
  options: {
    server: string;
    bell: boolean;
    intro?: readonly string[];
    now?: () => number;
    /** Opens sealed direct messages before they are shown (net/e2ee/open-frames.ts). */
    reveal?: Reveal | undefined;
  },
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
    // Frames with sealed messages are opened first, which may take a
    // question to the key directory: what comes after them waits its turn,
    // so the screen sees every frame in the order the server sent it.
    const reveal = options.reveal;
    let opening = 0;
    let turn: Promise<unknown> = Promise.resolve();
    const after = <F extends ServerFrame>(frame: F, act: (frame: F) => ChatAction) => {
      const needs = reveal?.needs(frame) === true;
      if (!needs && opening === 0) return enqueue(act(frame));
      opening += 1;
      // One at a time: a copy of an envelope is told by the one opened before it.
      turn = turn
        .then(() => (needs && reveal ? reveal.open(frame) : frame))
        .then(
          (opened) => enqueue(act(opened)),
          // open never rejects; should it, the frame goes as it came.
          () => enqueue(act(frame)),
        )
        .finally(() => {
          opening -= 1;
        });
    };
    const handlers = {
      welcome: (frame: ChatClientEvents['welcome'][0]) =>
        after(frame, (f) => ({ type: 'welcome', frame: f, now: now() })),
      unread: (frame: ChatClientEvents['unread'][0]) =>
        after(frame, (f) => ({ type: 'unread', frame: f, now: now() })),
      read: (frame: ChatClientEvents['read'][0]) =>
        after(frame, (f) => ({ type: 'read', frame: f })),
      message: (frame: ChatClientEvents['message'][0]) =>
        after(frame, (f) => ({ type: 'message', frame: f })),
      dm: (frame: ChatClientEvents['dm'][0]) => after(frame, (f) => ({ type: 'dm', frame: f })),
      joined: (frame: ChatClientEvents['joined'][0]) =>
        after(frame, (f) => ({ type: 'joined', frame: f })),
      left: (frame: ChatClientEvents['left'][0]) =>
        after(frame, (f) => ({ type: 'left', frame: f })),
      presence: (frame: ChatClientEvents['presence'][0]) =>
        after(frame, (f) => ({ type: 'presence', frame: f, now: now() })),
      topic: (frame: ChatClientEvents['topic'][0]) =>
        after(frame, (f) => ({ type: 'topic', frame: f })),
      history: (frame: ChatClientEvents['history'][0]) =>
        after(frame, (f) => ({ type: 'history', frame: f })),
      update: (frame: ChatClientEvents['update'][0]) =>
        after(frame, (f) => ({ type: 'update', frame: f })),
      moderated: (frame: ChatClientEvents['moderated'][0]) =>
        after(frame, (f) => ({ type: 'moderated', frame: f })),
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
  }, [client, now, options.reveal]);

  return [state, dispatch];
}
