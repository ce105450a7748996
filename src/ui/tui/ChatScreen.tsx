import { Box } from 'ink';
import { type ReactNode, useMemo } from 'react';
import { AwaySummary } from '../components/AwaySummary.tsx';
import { ConnectionProblem } from '../components/ConnectionProblem.tsx';
import { HelpOverlay } from '../components/HelpOverlay.tsx';
import { MessagePane } from '../components/MessagePane.tsx';
import { NoticeLine } from '../components/NoticeLine.tsx';
import { RoomList } from '../components/RoomList.tsx';
import { StatusBar } from '../components/StatusBar.tsx';
import { UserList } from '../components/UserList.tsx';
import type { DmTrust } from '../hooks/use-peer-trust.ts';
import {
  conversationList,
  currentConversation,
  currentMembers,
  pendingFor,
} from '../state/chat-selectors.ts';
import { scrollOf } from '../state/chat-state.ts';
import type { ChatState, Pending, ScrollState } from '../state/chat-types.ts';
import { newSinceLine } from '../state/read-selectors.ts';
import type { ClockFormat } from '../text/time.ts';

/** Props of {@link ChatScreen}. */
export type ChatScreenProps = {
  state: ChatState;
  /** Terminal size in columns. */
  columns: number;
  /** Terminal size in rows; the screen takes one less (see below). */
  rows: number;
  /** The input row, prompt included, drawn by the caller. */
  input: ReactNode;
  /** For the reconnect countdown, epoch ms. */
  now: number;
  /** How message times are written (the `timestamps` setting). */
  clock?: ClockFormat | undefined;
  /** A message shown reversed for a moment (where a search jumped), by id. */
  flashId?: number | undefined;
  /** Where the open DM window's peer stands: said in the status bar, and a banner when changed. */
  dmTrust?: DmTrust | undefined;
  /** Drawn over the message pane instead of it (the search), `paneWidth` x `middle` of the layout with help. */
  overlay?: ((width: number, height: number) => ReactNode) | undefined;
};

/** Side columns' width, separator included (columns). */
export const SIDE_WIDTH = 16;
/** The room list shows from this many columns. */
export const ROOM_LIST_MIN_COLUMNS = 50;
/** The user list shows from this many columns. */
export const USER_LIST_MIN_COLUMNS = 70;

const NO_PENDING: readonly Pending[] = [];
const FOLLOWING: ScrollState = { offset: 0, newWhileScrolled: 0 };

/** Where each part of the screen goes (see {@link screenLayout}). */
export type ScreenLayout = ReturnType<typeof screenLayout>;

/** Where each part goes for a terminal of `columns` x `rows`. */
export function screenLayout(columns: number, rows: number, help: boolean) {
  const width = Math.max(1, Math.floor(columns));
  // Ink 6 clears the whole terminal on every frame once the output is as tall as it.
  const height = Math.max(1, Math.floor(rows) - 1);
  // The input always shows; then the status bar, then the notice line.
  const status = height >= 2;
  const notice = height >= 4;
  const middle = Math.max(0, height - 1 - (status ? 1 : 0) - (notice ? 1 : 0));
  const roomWidth = width >= ROOM_LIST_MIN_COLUMNS ? SIDE_WIDTH : 0;
  // The help needs the room: it takes the user list's place too.
  const userWidth = width >= USER_LIST_MIN_COLUMNS && !help ? SIDE_WIDTH : 0;
  return {
    width,
    height,
    status,
    notice,
    middle,
    roomWidth,
    userWidth,
    paneWidth: width - roomWidth - userWidth,
  };
}

/**
 * The chat screen: status bar; rooms | messages (or the help) | users;
 * the newest notice; the caller's input row. Sized to `rows - 1` by
 * `columns`, each part cut to its box, so nothing wraps or scrolls the
 * terminal. Side columns give way on narrow terminals.
 */
export function ChatScreen(props: ChatScreenProps): ReactNode {
  const { state, columns, rows, input, now, clock, flashId, overlay, dmTrust } = props;
  const help = state.overlay === 'help';
  const layout = screenLayout(columns, rows, help || overlay !== undefined);
  const { conversations, order, current, users } = state;
  const user = state.connection.user;
  // The selectors build new objects: recompute them only when what they read
  // changes, so a keystroke (a new `input`) redraws without rewrapping.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reads only these fields of state.
  const conversation = useMemo(() => currentConversation(state), [conversations, current]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reads only these fields of state.
  const items = useMemo(() => conversationList(state), [conversations, order, current]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reads only these fields of state.
  const members = useMemo(() => currentMembers(state), [conversations, current, users, user]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reads only these fields of state.
  const pending = useMemo(
    () => (current === undefined ? NO_PENDING : pendingFor(state, current)),
    [conversations, current, state.pending],
  );
  const marked = useMemo(
    () => newSinceLine(conversation, state.newSince),
    [conversation, state.newSince],
  );
  const scroll = current === undefined ? FOLLOWING : scrollOf(state, current);
  // A DM window's header says how its messages are sealed, in the topic's place.
  const shown =
    conversation?.kind === 'dm' && dmTrust !== undefined
      ? { ...conversation, topic: trustLabel(dmTrust) }
      : conversation;
  const banner =
    conversation?.kind === 'dm' && dmTrust?.trust === 'changed'
      ? changedBanner(dmTrust.peer)
      : undefined;
  return (
    <Box flexDirection="column" width={layout.width} height={layout.height} overflow="hidden">
      {layout.status && (
        <StatusBar
          server={state.server}
          connection={state.connection}
          conversation={shown}
          now={now}
          columns={layout.width}
        />
      )}
      {layout.middle > 0 && (
        <Box flexDirection="row" width={layout.width} height={layout.middle} flexShrink={0}>
          {layout.roomWidth > 0 && (
            <RoomList items={items} width={layout.roomWidth} height={layout.middle} />
          )}
          {overlay ? (
            overlay(layout.paneWidth, layout.middle)
          ) : help ? (
            <HelpOverlay width={layout.paneWidth} height={layout.middle} top={state.helpTop ?? 0} />
          ) : state.summary ? (
            <AwaySummary
              summary={state.summary}
              width={layout.paneWidth}
              height={layout.middle}
              timeZone={state.timeZone}
            />
          ) : state.connection.state === 'offline' && state.connection.error ? (
            <ConnectionProblem
              error={state.connection.error}
              {...(state.connection.removed
                ? { title: 'Disconnected by an operator: chat does not reconnect' }
                : {})}
              width={layout.paneWidth}
              height={layout.middle}
            />
          ) : (
            <MessagePane
              conversation={conversation}
              pending={pending}
              scroll={scroll}
              width={layout.paneWidth}
              height={layout.middle}
              timeZone={state.timeZone}
              clock={clock}
              flashId={flashId}
              user={user}
              marked={marked}
            />
          )}
          {layout.userWidth > 0 && (
            <UserList members={members} width={layout.userWidth} height={layout.middle} />
          )}
        </Box>
      )}
      {layout.notice && (
        <NoticeLine notice={state.notices.at(-1)} banner={banner} width={layout.width} />
      )}
      <Box width={layout.width} height={1} flexShrink={0} overflow="hidden">
        {input}
      </Box>
    </Box>
  );
}

/** The DM window's header: how its messages are sealed, and whether the peer was verified. */
export function trustLabel({ peer, trust }: DmTrust): string {
  if (trust === 'verified') return `sealed, ${peer} verified`;
  if (trust === 'changed') return `${peer}: new certificate, DMs wait`;
  return `sealed, ${peer} not verified: /verify`;
}

/** The banner of a DM window whose verified peer shows a certificate not compared. */
export function changedBanner(peer: string): string {
  return `${peer} has a new certificate, your DMs wait: /verify ${peer} to compare, /accept ${peer} to trust it`;
}
