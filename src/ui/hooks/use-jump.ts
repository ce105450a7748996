import { useCallback, useEffect, useRef, useState } from 'react';
import type { StoredMessage } from '../../net/protocol/frames.ts';
import { conversationOfMessage } from '../search/search-state.ts';
import type { ChatAction, ChatState, Conversation } from '../state/chat-types.ts';

/** How long the message jumped to stays reversed once on screen, in ms. */
export const FLASH_MS = 3_000;

/** What a jump reads and acts on. */
export type JumpTargets = {
  state: ChatState;
  dispatch: (action: ChatAction) => void;
  /** Loads history down to message `id` of a conversation (`useHistoryFill`'s `reach`). */
  reach: (name: string, id: number) => void;
  notice: (text: string) => void;
};

/** Whether the message `id` is among the conversation's lines. */
export function holds(conversation: Conversation | undefined, id: number): boolean {
  return conversation?.lines.some((line) => line.kind === 'message' && line.id === id) === true;
}

/**
 * Going to a message found by /search: its conversation becomes current
 * (a DM is opened if it is not), the reducer's `jumpToMessage` scrolls to
 * it once held, `reach` loads the history down to it without a hole, and
 * the message is drawn reversed for {@link FLASH_MS} from when it shows.
 * A room the user has left since is only named. Returns `jump` and the id
 * to draw reversed (or undefined).
 */
export function useJump(targets: JumpTargets): {
  jump: (message: StoredMessage) => void;
  flashId: number | undefined;
} {
  const latest = useRef(targets);
  latest.current = targets;
  const [flash, setFlash] = useState<{ name: string; id: number; shown: boolean }>();

  const jump = useCallback((message: StoredMessage) => {
    const { state, dispatch, reach, notice } = latest.current;
    const name = conversationOfMessage(message, state.connection.user);
    if (state.conversations[name] === undefined) {
      if (name.startsWith('#')) {
        notice(`you are no longer in ${name}: /join ${name} to read it`);
        return;
      }
      dispatch({ type: 'openDm', peer: name.slice(1) });
    }
    dispatch({ type: 'jumpToMessage', name, id: message.id });
    reach(name, message.id);
    setFlash({ name, id: message.id, shown: false });
  }, []);

  // The moment starts when the message is there to see, not when it was asked for.
  const conversation = flash && targets.state.conversations[flash.name];
  const arrived = flash !== undefined && !flash.shown && holds(conversation, flash.id);
  useEffect(() => {
    if (!arrived || flash === undefined) return;
    // Again now that it is held: a DM opened just now had no history to wait for.
    latest.current.dispatch({ type: 'jumpToMessage', name: flash.name, id: flash.id });
    setFlash((now) => now && { ...now, shown: true });
  }, [arrived, flash]);
  useEffect(() => {
    if (!flash?.shown) return;
    const timer = setTimeout(() => setFlash(undefined), FLASH_MS);
    return () => clearTimeout(timer);
  }, [flash]);

  return { jump, flashId: flash?.shown ? flash.id : undefined };
}
