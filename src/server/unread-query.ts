import type { Topic } from './kept-state.ts';

/** One conversation a connection is told about in its `unread` frame, as the core knows it. */
export interface UnreadTarget {
  /** As the client names it: `#room` or `@peer`. */
  name: string;
  /** The core's key (see conversations.ts). */
  conversation: string;
  /** Its newest id when the hello was taken: what is read is counted up to it. */
  lastId: number;
  /** The user's read position (0: none). */
  read: number;
  /** The room's topic, when it was set after the user left. */
  topic?: Topic;
}

/** What the `unread` frame and the backlog of one hello are made from. */
export interface UnreadQuery {
  user: string;
  /** Every room the user is in, then every direct conversation of theirs with messages. */
  targets: UnreadTarget[];
  /** When the user's last connection closed, when this one brings them back. */
  since?: number;
  /** Newest messages to send of each room in `backlogRooms` and of each direct conversation with unread (0: none). */
  backlog: number;
  /** Rooms joined by the hello and not resumed. */
  backlogRooms: string[];
  /** Conversations the hello resumes (core keys): their replay follows instead of a backlog. */
  resumed: string[];
}
