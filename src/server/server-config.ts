/** Everything `chat serve` can be told, with the defaults of DESIGN.md's limits table. */
export interface ServerConfig {
  /** Address to listen on. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  certsDir: string;
  /** Oldest TLS version offered. */
  tlsMin: '1.2' | '1.3';
  /** TLS handshake plus hello, from the first byte, in ms. */
  handshakeTimeoutMs: number;
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
  maxConnections: number;
  maxPerAddress: number;
  /** Connections (devices) per user. */
  maxPerUser: number;
  /** Silence after which the server pings, in ms. */
  idlePingMs: number;
  /** Silence after which the server closes the connection, in ms. */
  idleTimeoutMs: number;
  /** Messages kept per conversation by the in-memory history. */
  historyPerRoom: number;
  /** Most messages one history request returns. */
  maxHistory: number;
  /** Invalid frames tolerated in a burst before the connection is closed. */
  maxErrors: number;
  /** Rooms one user may be in at once. */
  maxRoomsPerUser: number;
  /** Rooms the server keeps in all (each holds up to historyPerRoom messages). */
  maxRooms: number;
  motd: string;
}

export const DEFAULT_SERVER_CONFIG: ServerConfig = {
  host: '127.0.0.1',
  port: 8443,
  certsDir: 'certs',
  tlsMin: '1.3',
  handshakeTimeoutMs: 10_000,
  maxFrameBytes: 64 * 1024,
  maxTextChars: 4_000,
  ratePerSecond: 5,
  rateBurst: 20,
  maxQueueBytes: 1024 * 1024,
  maxConnections: 10_000,
  maxPerAddress: 50,
  maxPerUser: 8,
  idlePingMs: 60_000,
  idleTimeoutMs: 120_000,
  historyPerRoom: 1_000,
  maxHistory: 200,
  maxErrors: 10,
  maxRoomsPerUser: 50,
  maxRooms: 1_000,
  motd: 'Welcome to chat. Type /help for commands.',
};

/** The room everyone lands in when they ask for none. */
export const DEFAULT_ROOM = '#general';

/** Where `chat serve --dashboard` logs when no --log-file is given. */
export const DEFAULT_DASHBOARD_LOG = 'chat-serve.log';

/** Log records the dashboard's log pane keeps (count). */
export const DASHBOARD_LOG_RECORDS = 1_000;
