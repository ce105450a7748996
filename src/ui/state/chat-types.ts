/**
 * The shape of the TUI's state and of the actions that change it. Types
 * only, shared by the reducer (`chat-state.ts`), its helpers and selectors.
 */
import type { ClientState } from '../../net/client-types.ts';
import type {
  DirectMessage,
  Limits,
  PresenceStatus,
  RoomMessage,
  ServerFrameOf,
} from '../../net/protocol/frames.ts';
import type { PresenceMode, SpokeAt } from './presence-filter.ts';

/** Lines kept per conversation by default (count of entries, day separators included). */
export const DEFAULT_MAX_LINES = 5_000;
/** Notices kept for the status area (count). */
export const MAX_NOTICES = 20;
/** Recent speakers remembered per room for completion (count). */
export const MAX_RECENT_SPEAKERS = 50;

/** A chat message as shown in the pane; `text` is already neutralized. */
export type MessageLine = {
  readonly kind: 'message';
  /** The server's id, increasing within the conversation. */
  readonly id: number;
  /** When the server stored it, epoch ms. */
  readonly ts: number;
  readonly from: string;
  readonly text: string;
  /** A `/me` action. */
  readonly action: boolean;
  /** It names the user (for highlighting); never true for one's own messages. */
  readonly mention: boolean;
  readonly own: boolean;
  /** When it was last edited, epoch ms; absent: never. */
  readonly edited?: number;
  /** It was deleted (its `text` is then empty); `by`: the operator, absent when its author did. */
  readonly deleted?: { readonly by?: string };
  /**
   * A direct message sealed end to end that did not open: why, in a few
   * words (its `text` is then empty and never shown).
   */
  readonly unverified?: string;
  /** A sealed message relayed again: the id it was first shown under. */
  readonly copyOf?: number;
  /** It came sealed end to end (opened or not): the server cannot change it, only delete it. */
  readonly sealed?: true;
  /** A direct message that came in clear where DMs are sealed: the server could have written it. */
  readonly unsealed?: true;
  /** When the sender sealed it, by their clock, when that is far from when the server kept it (a replay). */
  readonly sentAt?: number;
};

/** A dim line: joins, parts, topic changes, presence of members. `text` is neutralized. */
export type SystemLine = { readonly kind: 'system'; readonly ts: number; readonly text: string };

/**
 * A day separator, placed between two lines whose calendar days differ (never
 * first in a conversation). `day` is `YYYY-MM-DD`, `label` the text to show.
 */
export type DayLine = { readonly kind: 'day'; readonly day: string; readonly label: string };

/**
 * One of the user's messages the server did not take, where the failure
 * happened: it scrolls, is bounded and cleared like any line. Not a message
 * (no id, never unread, never fetched again as history).
 */
export type FailedLine = {
  readonly kind: 'failed';
  /** When the failure was known, epoch ms. */
  readonly ts: number;
  /** The user's name as it was then. */
  readonly from: string;
  /** Neutralized. */
  readonly text: string;
  /** A `/me` action. */
  readonly action: boolean;
  /** Why it was not sent, one line, neutralized. */
  readonly reason: string;
};

/**
 * The quiet separator under a conversation's first history (the backlog on
 * start-up, the newest messages of a room just joined): older lines above
 * it, live ones below. At most one per conversation.
 */
export type BacklogLine = { readonly kind: 'backlog' };

/** A line with a time of its own (all but separators). */
export type TimedLine = MessageLine | SystemLine | FailedLine;

/** One entry of a conversation's pane. */
export type Line = TimedLine | DayLine | BacklogLine;

/** A `#room` or a direct-message conversation `@peer`. */
export type Conversation = {
  /** `#room` or `@peer`: also its key in `ChatState.conversations`. */
  readonly name: string;
  readonly kind: 'room' | 'dm';
  /** Neutralized to one line; empty for none and for DMs. */
  readonly topic: string;
  /** The room's members (empty for DMs, and for a room the user was put out of). */
  readonly members: readonly string[];
  /** The room's operators (server operators aside); absent: none. */
  readonly ops?: readonly string[];
  /** Only operators may set the topic (`topic-lock`). */
  readonly topicLock?: true;
  /**
   * The user was kicked or banned from the room: it stays in the list, its
   * lines readable, until closed or joined again. The text says who and why.
   */
  readonly left?: string;
  /** Oldest first, at most `ChatState.maxLines` entries. */
  readonly lines: readonly Line[];
  /** Messages from others received while the conversation was not current (count). */
  readonly unread: number;
  /** A message naming the user (or any DM) arrived while it was not current. */
  readonly mention: boolean;
  /** `ts` of the newest message, epoch ms (0: none yet). */
  readonly lastActivity: number;
  /** Newest message id received (0: none); a message with an id at or below it is a duplicate. */
  readonly lastId: number;
  /** The id to ask history before: the oldest message held (after `clear`, `lastId + 1`). */
  readonly oldestId?: number;
  /** Older messages exist on the server that are not in `lines`. */
  readonly hasMore: boolean;
  /** Local ids of the user's messages to it not yet acknowledged, in send order. */
  readonly pendingIds: readonly string[];
  /** `YYYY-MM-DD` of the newest timed line, to place the next day separator. */
  readonly lastDay?: string;
  /**
   * The user's read position as the server keeps it (the newest id seen on
   * any of their devices); absent until the server has said.
   */
  readonly readId?: number;
  /**
   * Messages up to this id are counted in `unread` already (the server's
   * count): a replay of them after a reconnect counts no more.
   */
  readonly countedTo?: number;
};

/** One conversation in the away summary; texts are neutralized. */
export type AwayEntry = {
  /** `#room` or `@peer`. */
  readonly name: string;
  /** Messages from others since the read position (count). */
  readonly unread: number;
  /** Of those, the ones naming the user (count); in a DM, all of them. */
  readonly mentions: number;
  /** The newest mentions, oldest first (at most 5, as the server sends them). */
  readonly lines: readonly MessageLine[];
  /** The room's topic, when it was set while the user was away. */
  readonly topic?: { readonly text: string; readonly by: string; readonly ts: number };
};

/** What happened while the user was away: shown over the pane until dismissed. */
export type AwaySummary = {
  /** When the user's last connection closed, epoch ms. */
  readonly since: number;
  /** Conversations with something unread or a new topic, in the server's order. */
  readonly entries: readonly AwayEntry[];
};

/** Where the connection stands, for the status bar. */
export type ConnectionView = {
  readonly state: ClientState | 'starting';
  /** Delay before the next attempt, ms, while reconnecting. */
  readonly retryInMs?: number;
  /** When the next attempt starts, epoch ms (the action's `now` + `retryInMs`). */
  readonly retryAt?: number;
  /** One line saying what went wrong, with the fix. */
  readonly error?: string;
  /** An operator put the user off the server (`error` says who and why): no reconnect. */
  readonly removed?: true;
  readonly tlsVersion?: string;
  /** Round trip of the last ping, ms. */
  readonly rttMs?: number;
  /** The user's name, from the certificate as the server said in `welcome`. */
  readonly user?: string;
  /**
   * For a client given several nodes: `host:port` of the one connected to,
   * being tried (connecting) or to be tried next (reconnecting). Absent for
   * one server, which the status bar names as given.
   */
  readonly node?: string;
};

/** A user's presence as last announced; `text` (the away message) is neutralized. */
export type UserPresence = { readonly status: PresenceStatus; readonly text?: string };

/** One of the user's own messages, sent but not yet acknowledged (a failed one becomes a FailedLine). */
export type Pending = {
  readonly localId: string;
  /** `#room` or `@peer`. */
  readonly conversation: string;
  /** Neutralized, for display. */
  readonly text: string;
  readonly action: boolean;
};

/**
 * How far a conversation's pane is scrolled up. The view is anchored to a
 * line (so lines arriving below leave it still) and a row within it; it
 * follows the bottom when both are 0.
 */
export type ScrollState = {
  /** Entries of `lines` after the anchor line, the one at the bottom of the view (0: the newest). */
  readonly offset: number;
  /**
   * Rows of the anchor line hidden below the bottom of the view, from
   * 0 to its height in rows - 1 (absent: 0).
   */
  readonly hiddenRows?: number;
  /** Messages from others that arrived below the view while scrolled up (count). */
  readonly newWhileScrolled: number;
};

/** A one-line hint for the status area; `id` increases, so the UI can expire them. */
export type Notice = { readonly id: number; readonly text: string };

/** Everything the TUI shows, as plain immutable data. */
export type ChatState = {
  /** `host:port` as given on the command line. */
  readonly server: string;
  /** The server's own name, from `welcome`. */
  readonly serverName?: string;
  /** The server's epoch, from `welcome`: another one means it restarted and lost its history. */
  readonly epoch?: string;
  /** The server's limits, from `welcome`. */
  readonly limits?: Limits;
  readonly connection: ConnectionView;
  readonly conversations: Readonly<Record<string, Conversation>>;
  /** Conversation names: rooms in join order, then DMs in open order. */
  readonly order: readonly string[];
  readonly current?: string;
  readonly users: Readonly<Record<string, UserPresence>>;
  /** The server's operators (operators of every room), from `welcome`; absent: none. */
  readonly operators?: readonly string[];
  /** Per room, who spoke lately, most recent first (without the user). */
  readonly recent: Readonly<Record<string, readonly string[]>>;
  /** The user's unacknowledged messages, in send order. */
  readonly pending: readonly Pending[];
  /** Per conversation; a missing entry means following the bottom. */
  readonly scroll: Readonly<Record<string, ScrollState>>;
  readonly overlay: 'none' | 'help';
  /** The help's first row shown, while it is scrolled down (rows); absent: 0, and whenever it opens. */
  readonly helpTop?: number;
  /** The away summary, while shown (from an `unread` frame with `since`). */
  readonly summary?: AwaySummary;
  /** An `unread` frame came on this run's first connection already. */
  readonly unreadSeen?: true;
  /**
   * The read position of the current conversation when it was opened (or
   * loaded): the "new since you left" line goes above the first message
   * from others after it. Dropped when the user switches away.
   */
  readonly newSince?: number;
  /** A message to scroll to once its conversation holds it (a jump waiting for history). */
  readonly jump?: { readonly name: string; readonly id: number };
  /** Newest last, at most MAX_NOTICES. */
  readonly notices: readonly Notice[];
  /**
   * What to say at the top of the first conversation once connected (what
   * first run did), before the server's message of the day; emptied then.
   */
  readonly intro: readonly string[];
  readonly nextNoticeId: number;
  /** Bumped once per mention (or DM) from someone else while `bellEnabled`: the UI rings on change. */
  readonly bell: number;
  readonly bellEnabled: boolean;
  /** IANA zone for day separators; undefined: the machine's. */
  readonly timeZone?: string;
  /** Lines kept per conversation (count). */
  readonly maxLines: number;
  /** Users whose messages are not shown (`/ignore`), by name; absent: none. */
  readonly ignored?: readonly string[];
  /** Which join, part and quit lines are shown (`/set presence`); absent: all. */
  readonly presenceMode?: PresenceMode;
  /** Who spoke where lately, for the `smart` presence mode. */
  readonly spoke?: SpokeAt;
  /**
   * Rooms this TUI asked to join whose `joined` has not come yet: only
   * those become current when joined (a script's join of the same user does not).
   */
  readonly askedJoins?: readonly string[];
};

/** Everything that changes the state. Actions that need the time carry `now` (epoch ms). */
export type ChatAction =
  /** The `/ignore` list changed: from now on, messages from these users are not shown. */
  | { type: 'ignoreChanged'; users: readonly string[] }
  /** An answer to a command (`/list`, `/whois`, `/names`), as dim lines in the current conversation. */
  | { type: 'systemLines'; lines: readonly string[]; now: number }
  | { type: 'welcome'; frame: ServerFrameOf<'welcome'>; now: number }
  | { type: 'unread'; frame: ServerFrameOf<'unread'>; now: number }
  /** The read position moved: from the server, or from this client (it then tells the server). */
  | { type: 'read'; frame: ServerFrameOf<'read'> }
  | { type: 'message'; frame: RoomMessage }
  | { type: 'dm'; frame: DirectMessage }
  | { type: 'joined'; frame: ServerFrameOf<'joined'> }
  | { type: 'left'; frame: ServerFrameOf<'left'> }
  | { type: 'presence'; frame: ServerFrameOf<'presence'>; now: number }
  | { type: 'topic'; frame: ServerFrameOf<'topic'> }
  | { type: 'history'; frame: ServerFrameOf<'history'> }
  | { type: 'serverError'; frame: ServerFrameOf<'error'> }
  /** A kept message changed (edited or deleted): it replaces the line with its id. */
  | { type: 'update'; frame: ServerFrameOf<'update'> }
  /** An operator acted (kick, ban, mute, op, topic lock…). */
  | { type: 'moderated'; frame: ServerFrameOf<'moderated'> }
  | {
      type: 'clientState';
      state: ClientState;
      /** ms until the next attempt. */
      retryInMs?: number;
      /** One line, e.g. from describeError. */
      error?: string;
      /**
       * The server put the user out for good (a fatal `kicked` or
       * `server_banned`): `error` says who and why; the client does not reconnect.
       */
      removed?: true;
      tlsVersion?: string;
      /**
       * `host:port` of the node of a cluster connected to, or tried (see
       * ConnectionView.node); absent for a client of one server.
       */
      node?: string;
      now: number;
    }
  | { type: 'rtt'; ms: number }
  | { type: 'pendingAdded'; localId: string; conversation: string; text: string; action: boolean }
  | { type: 'pendingAcked'; localId: string; id: number }
  /** The message becomes a FailedLine at the bottom, at `now`. */
  | { type: 'pendingFailed'; localId: string; error: string; now: number }
  | { type: 'switchTo'; name: string }
  | { type: 'nextConversation' }
  | { type: 'previousConversation' }
  /** 1-9: the conversation at that place in the list. */
  | { type: 'jumpToNumber'; number: number }
  | { type: 'nextActivity' }
  | { type: 'openDm'; peer: string }
  | { type: 'closeConversation'; name: string }
  /**
   * `by` rows up (positive) or down (negative) in the current pane, stopping
   * when the oldest row reaches the top of a pane `height` rows tall (the
   * new-messages mark included). `rowsOf` gives a line's height in rows at
   * the pane's width (default 1); without `height`, the view stops with one
   * row above the mark.
   */
  | {
      type: 'scroll';
      by: number;
      rowsOf?: (line: Line) => number;
      height?: number;
    }
  | { type: 'scrollToBottom' }
  | { type: 'clear' }
  | { type: 'notice'; text: string }
  /** Removes the notice `id` and every older one. */
  | { type: 'dismissNotice'; id: number }
  | { type: 'toggleHelp' }
  /**
   * Scrolls the help `by` rows (positive: down; ±Infinity: to an end),
   * kept between 0 and `maxTop`, the last top for the box it shows in
   * (`helpScroll`). Nothing while it is closed.
   */
  | { type: 'scrollHelp'; by: number; maxTop: number }
  | { type: 'dismissSummary' }
  /**
   * Makes `name` current (the summary goes) and scrolls so that message
   * `id` is in view, once the conversation holds it.
   */
  | { type: 'jumpToMessage'; name: string; id: number }
  | { type: 'closeHelp' }
  /** This TUI asked to join `room`: its `joined` makes it current. */
  | { type: 'joinAsked'; room: string }
  /** Which join, part and quit lines are shown from now on. */
  | { type: 'presenceMode'; mode: PresenceMode }
  | { type: 'batch'; actions: readonly ChatAction[] };
