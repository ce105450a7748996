import type { ConnectionInfo } from './connection.ts';
import type { ClusterSummary } from './node-roster.ts';

/** A snapshot of the server for a dashboard: read it, never parse logs. */
export interface ServerStats {
  startedAt: number;
  address: string;
  port: number;
  tlsMin: string;
  caFingerprint: string;
  connections: ConnectionInfo[];
  peakConnections: number;
  rooms: Array<{ room: string; members: number; lastId: number }>;
  totalMessages: number;
  /** Messages stored per second, mean of the last 5 s. */
  messagesPerSecond: number;
  /** Messages per second over the last minute, oldest first. */
  messageSeries: number[];
  memoryBytes: number;
  /** With --redis: the nodes alive, their connections and messages per second, summed. */
  cluster?: ClusterSummary;
}
