import type { ChatError } from '../errors.ts';
import type {
  DirectMessage,
  RoomMessage,
  ServerFrameOf,
  StoredMessage,
} from './protocol/frames.ts';

/*
 * What a ChatClient is made with and tells its users: its options, states,
 * events and answers. Apart from the class so that screens and scripts can
 * name them without the client's code.
 */

/** Where the client is; the TUI's status bar shows it. */
export type ClientState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';

/** What a client is asked for when the server wants a password: whose, and for which server. */
export interface PasswordRequest {
  /** The user the server knows this certificate as. */
  user: string;
  host: string;
  port: number;
}

/** The PEM material a client connects with: the team CA, and its own certificate and key. */
export interface ClientCredentials {
  ca: string;
  cert: string;
  key: string;
}

export interface ChatClientOptions {
  /** The server to dial, when `servers` is absent. */
  host: string;
  port: number;
  /**
   * Every node of the cluster to dial (at most MAX_SERVERS, see
   * net/server-list.ts); when given, `host` and `port` are not dialled. Each
   * round of attempts tries them in a fresh random order, a short step apart
   * (`stepMs`), and stops at the first that welcomes the client; the backoff
   * waits between rounds. Resume positions are the client's, so a resume
   * works on any node that shares the cluster's store and epoch.
   */
  servers?: readonly { host: string; port: number }[];
  /** Delay before trying the next address of a round after one failed, in ms (default 100). */
  stepMs?: number;
  credentials: ClientCredentials;
  /** Names the program in hello, e.g. `chat-tail/0.1.0`. */
  clientName: string;
  /** Rooms to join on the first connection; later ones resume what was joined. */
  rooms?: string[];
  /**
   * Newest messages per conversation the first connection asks for
   * (`hello.backlog`, 0-200): they arrive as `history` events with ref
   * `backlog`. A reconnect resumes instead. Absent or 0: none.
   */
  backlog?: number;
  /**
   * A program's connection, not a person's (`hello.script`): the server
   * does not announce its coming and going, nor list it among the people.
   */
  script?: boolean;
  /** Keep reconnecting after a drop (default true). */
  reconnect?: boolean;
  backoff?: { baseMs: number; maxMs: number };
  /** How often to measure the round trip with a ping, in ms (0: never). */
  pingIntervalMs?: number;
  /** How long `moderate` waits for the server to confirm an act, in ms (default 10 000). */
  moderateTimeoutMs?: number;
  /** How long one attempt may take to reach `welcome`, in ms. */
  connectTimeoutMs?: number;
  /** Longest line accepted from the server, in bytes. */
  maxLineBytes?: number;
  /**
   * Gives the user's password when the server asks for one (`chat serve
   * --require-password`). Asked once: a reconnect sends the same password
   * again, until the server calls it wrong. It may take as long as a person
   * typing needs (the connect timeout waits meanwhile); a ChatError it throws
   * ends the connection for good with that error. Without it, a server that
   * asks gets no answer and the connection fails with PASSWORD_REQUIRED.
   */
  password?: (request: PasswordRequest) => Promise<string> | string;
  random?: () => number;
  now?: () => number;
}

/** Facts about the current connection, for the status bar. */
export interface ConnectionFacts {
  user: string | undefined;
  /** `host:port` of the node connected to (or being tried), as dialled. */
  server: string | undefined;
  tlsVersion: string | undefined;
  cipher: string | undefined;
  /** SHA-256 fingerprint of the server's certificate. */
  serverFingerprint: string | undefined;
  /** Round trip of the last ping, in ms. */
  rttMs: number | undefined;
}

/** The server's acknowledgement of a sent message. */
export interface Ack {
  id: number;
  ts: number;
}

export interface ChatClientEvents {
  /**
   * `server`: `host:port` of the node connected to, or being tried (while
   * connecting), or to be tried next (while waiting to reconnect).
   */
  state: [ClientState, { retryInMs?: number; error?: ChatError; server?: string }];
  welcome: [ServerFrameOf<'welcome'>];
  /** Right after welcome: read positions and what is unread per conversation. */
  unread: [ServerFrameOf<'unread'>];
  /** The user's read position in a conversation moved (on any of their devices). */
  read: [ServerFrameOf<'read'>];
  message: [RoomMessage];
  dm: [DirectMessage];
  joined: [ServerFrameOf<'joined'>];
  left: [ServerFrameOf<'left'>];
  presence: [ServerFrameOf<'presence'>];
  topic: [ServerFrameOf<'topic'>];
  history: [ServerFrameOf<'history'>];
  /** A kept message changed (edited or deleted): put it in place of the one with its id. */
  update: [ServerFrameOf<'update'>];
  /** An operator's act (kick, ban, mute, op, topic lock…). */
  moderated: [ServerFrameOf<'moderated'>];
  /** A non-fatal error from the server that no pending call claimed. */
  serverError: [ServerFrameOf<'error'>];
  rtt: [number];
}

/** What `ChatClient.search` looks in: one #room or @peer (default: all of the user's), and how many at most. */
export interface SearchOptions {
  /** A #room you are in, or @user for your direct messages with them. */
  room?: string;
  /** Most matches, 1 to 100 (default 100; the server may cap it lower). */
  limit?: number;
}

/** A search's answer: the matches, newest first; `more` when the limit or the server's time budget left some unsearched. */
export interface SearchResult {
  messages: StoredMessage[];
  more: boolean;
}

/** What became of a join, part, topic, away or back: written now, or waiting for a connection. */
export type CommandOutcome = 'sent' | 'queued';

/**
 * Most join, part, topic, away and back commands kept while they cannot be
 * written (disconnected, or behind others still waiting); one more throws.
 */
export const MAX_QUEUED_COMMANDS = 32;
