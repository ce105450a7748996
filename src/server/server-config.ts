/** Everything `chat serve` can be told, with the defaults of DESIGN.md's limits table. */
export interface ServerConfig {
  /** Address to listen on. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  certsDir: string;
  /** Where the history and the users file live. */
  dataDir: string;
  /** Oldest TLS version offered. */
  tlsMin: '1.2' | '1.3';
  /** TLS handshake plus hello, from the first byte, in ms. */
  handshakeTimeoutMs: number;
  /**
   * Sockets accepted and not yet through TLS, in all (count). Each costs up
   * to ~60 KiB while its handshake runs: 1000 keep a flood under ~100 MiB.
   */
  maxHandshakes: number;
  /** Sockets accepted and not yet through TLS from one address or IPv6 /64 (count). */
  maxHandshakesPerAddress: number;
  /** How often failed handshakes are logged, one line per address, in ms. */
  handshakeLogMs: number;
  /** Longest line read, in bytes, newline excluded. */
  maxFrameBytes: number;
  /** Longest message text, in characters. */
  maxTextChars: number;
  /** Frames per second per user, sustained. */
  ratePerSecond: number;
  /** Frames a user may send at once before the rate applies. */
  rateBurst: number;
  /** Bytes queued to one client before it is dropped as too slow. */
  maxQueueBytes: number;
  /**
   * Time a client may leave what waits for it unread (not one byte of it
   * going out) before it is dropped as too slow, in ms.
   */
  stallTimeoutMs: number;
  /**
   * Bytes of resume replays and history pages being read or queued to
   * clients and not yet written, server-wide; readers past it wait their turn.
   */
  readBudgetBytes: number;
  maxConnections: number;
  maxPerAddress: number;
  /** Connections (devices) per user. */
  maxPerUser: number;
  /** Silence after which the server pings, in ms. */
  idlePingMs: number;
  /** Silence after which the server closes the connection, in ms. */
  idleTimeoutMs: number;
  /** Where history is kept: encrypted files in dataDir, or memory (gone at exit). */
  store: 'disk' | 'memory';
  /** Environment variable holding the history passphrase; unset: the key file in certsDir. */
  historyPassphraseEnv: string | undefined;
  /** Days a message is kept on disk; 0 keeps it for ever. */
  keepDays: number;
  /** Messages kept per conversation on disk; 0 keeps all. */
  keepMessages: number;
  /** Messages per conversation held in memory: all of the in-memory store, the newest of the disk one. */
  historyPerRoom: number;
  /** Most messages one history request returns. */
  maxHistory: number;
  /** Invalid frames tolerated in a burst before the connection is closed. */
  maxErrors: number;
  /** Rooms one user may be in at once. */
  maxRoomsPerUser: number;
  /** Rooms the server keeps in all (each holds up to historyPerRoom messages). */
  maxRooms: number;
  /**
   * Rooms one user may create per hour (a burst of that many, then one
   * every 3600 / n s). The default room is never counted.
   */
  maxRoomsCreatedPerHour: number;
  motd: string;
  /** Whether a client must send its user's password (`<dataDir>/users.json`) after hello. */
  requirePassword: boolean;
  /** Time a client has to send its password once asked, in ms. */
  authTimeoutMs: number;
  /** Wait before a wrong password is answered, in ms. */
  authFailDelayMs: number;
  /** Wrong passwords from one address that lock it out. */
  maxAuthFailures: number;
  /** How long an address stays locked out, in ms. */
  authLockMs: number;
}

export const DEFAULT_SERVER_CONFIG: ServerConfig = {
  host: '127.0.0.1',
  port: 8443,
  certsDir: 'certs',
  dataDir: 'data',
  tlsMin: '1.3',
  handshakeTimeoutMs: 10_000,
  maxHandshakes: 1_000,
  maxHandshakesPerAddress: 10,
  handshakeLogMs: 10_000,
  maxFrameBytes: 64 * 1024,
  maxTextChars: 4_000,
  ratePerSecond: 5,
  rateBurst: 20,
  maxQueueBytes: 1024 * 1024,
  stallTimeoutMs: 60_000,
  readBudgetBytes: 32 * 1024 * 1024,
  maxConnections: 10_000,
  maxPerAddress: 50,
  maxPerUser: 8,
  idlePingMs: 60_000,
  idleTimeoutMs: 120_000,
  store: 'disk',
  historyPassphraseEnv: undefined,
  keepDays: 0,
  keepMessages: 0,
  historyPerRoom: 1_000,
  maxHistory: 200,
  maxErrors: 10,
  maxRoomsPerUser: 50,
  maxRooms: 1_000,
  maxRoomsCreatedPerHour: 20,
  motd: 'Welcome to chat. Type /help for commands.',
  requirePassword: false,
  authTimeoutMs: 60_000,
  authFailDelayMs: 1_000,
  maxAuthFailures: 5,
  authLockMs: 5 * 60_000,
};

/** The room everyone lands in when they ask for none. */
export const DEFAULT_ROOM = '#general';

/** Where `chat serve --dashboard` logs when no --log-file is given. */
export const DEFAULT_DASHBOARD_LOG = 'chat-serve.log';

/** Log records the dashboard's log pane keeps (count). */
export const DASHBOARD_LOG_RECORDS = 1_000;
