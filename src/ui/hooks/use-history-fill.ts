import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { ChatClient } from '../../net/chat-client.ts';
import type { ChatClientEvents } from '../../net/client-types.ts';
import type { ChatAction, ChatState } from '../state/chat-types.ts';

/** Messages one PageUp at the top loads. */
export const OLDER_PAGE = 50;
/** Most pages a jump loads to reach its message (of the server's maxHistory each). */
const MAX_JUMP_PAGES = 5;

/** What {@link useHistoryFill} gives the screen. */
export type HistoryFill = {
  /** Loads the page before `before` (absent: the newest), once at a time per conversation. */
  older: (page: { name: string; before?: number }) => void;
  /** Loads history down to message `id` of `name`, for a jump to it. */
  reach: (name: string, id: number) => void;
};

/**
 * History the screen asks for by itself: the newest `backlog` messages of
 * a room the user has just joined, and of a direct conversation with unread
 * messages that a reconnect brings (the first connection's backlog comes
 * with the hello), the page above the top on PageUp, and the messages down
 * to one a jump goes to. Answers reach the state as `history` events, like
 * any; failures become notices.
 */
export function useHistoryFill(
  client: ChatClient,
  state: ChatState,
  dispatch: (action: ChatAction) => void,
  backlog: number,
): HistoryFill {
  const stateRef = useRef(state);
  stateRef.current = state;
  const loading = useRef(new Set<string>());
  const maxPage = useCallback(
    () => Math.max(1, Math.min(stateRef.current.limits?.maxHistory ?? OLDER_PAGE, 200)),
    [],
  );
  const fail = useCallback(
    (error: unknown) =>
      dispatch({
        type: 'notice',
        text: `history: ${error instanceof Error ? error.message : String(error)}`,
      }),
    [dispatch],
  );

  useEffect(() => {
    if (backlog <= 0) return;
    let welcomes = 0;
    let me: string | undefined;
    // Rooms the user was in before: a `joined` for them brings nothing new.
    const rooms = new Set<string>();
    const newest = (name: string) => {
      client.history(name, { limit: Math.min(backlog, maxPage()) }).catch(fail);
    };
    const onWelcome = (frame: ChatClientEvents['welcome'][0]) => {
      welcomes += 1;
      me = frame.user;
      rooms.clear();
      for (const room of frame.rooms) rooms.add(room.room);
    };
    const onJoined = (frame: ChatClientEvents['joined'][0]) => {
      if (frame.user !== me || frame.state === undefined || rooms.has(frame.room)) return;
      rooms.add(frame.room);
      if (frame.state.lastId > 0) newest(frame.room);
    };
    const onLeft = (frame: ChatClientEvents['left'][0]) => {
      if (frame.user === me) rooms.delete(frame.room);
    };
    const onUnread = (frame: ChatClientEvents['unread'][0]) => {
      if (welcomes <= 1) return; // the first hello asked for the backlog
      for (const entry of frame.conversations) {
        if (!entry.room.startsWith('@') || entry.unread === 0) continue;
        const held = stateRef.current.conversations[entry.room];
        if (held === undefined || !held.lines.some((line) => line.kind === 'message')) {
          newest(entry.room);
        }
      }
    };
    client.on('welcome', onWelcome);
    client.on('joined', onJoined);
    client.on('left', onLeft);
    client.on('unread', onUnread);
    return () => {
      client.off('welcome', onWelcome);
      client.off('joined', onJoined);
      client.off('left', onLeft);
      client.off('unread', onUnread);
    };
  }, [client, backlog, fail, maxPage]);

  const older = useCallback(
    (page: { name: string; before?: number }) => {
      if (loading.current.has(page.name)) return;
      loading.current.add(page.name);
      client
        .history(page.name, {
          limit: Math.min(OLDER_PAGE, maxPage()),
          ...(page.before === undefined ? {} : { before: page.before }),
        })
        .catch(fail)
        .finally(() => loading.current.delete(page.name));
    },
    [client, fail, maxPage],
  );

  const reach = useCallback(
    (name: string, id: number) => {
      const reachDown = async () => {
        let before = stateRef.current.conversations[name]?.oldestId;
        for (let page = 0; page < MAX_JUMP_PAGES && (before === undefined || before > id); page++) {
          // Down to the message and a few before it, in as few pages as the server allows.
          const want = before === undefined ? maxPage() : before - id + 10;
          const answer = await client.history(name, {
            limit: Math.max(1, Math.min(want, maxPage())),
            ...(before === undefined ? {} : { before }),
          });
          const oldest = Math.min(...answer.messages.map((message) => message.id));
          if (!answer.more || !Number.isFinite(oldest)) return;
          before = oldest;
        }
      };
      reachDown().catch(fail);
    },
    [client, fail, maxPage],
  );

  return useMemo(() => ({ older, reach }), [older, reach]);
}
