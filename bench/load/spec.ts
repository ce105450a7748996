/**
 * What the fan-out bench driver asks of its load process (fanout-load.ts)
 * and what it gets back, over the child process's IPC channel. Plain data.
 */

/** Length of every message text, bytes. */
export const TEXT_BYTES = 100;

/** The wire protocol of the server under test. */
export type Protocol = 'chat' | 'bare' | 'irc';

/** A client certificate and its key, as PEM file paths. */
export interface Identity {
  cert: string;
  key: string;
}

/** One node of a server: its loopback port and its process id. */
export interface NodeAddress {
  port: number;
  pid: number;
}

/** Who connects, to what, as whom. */
export interface ConnectionSpec {
  protocol: Protocol;
  /** Loopback TCP port of the server. */
  port: number;
  /** Process id of the server, for its CPU time and memory in /proc. */
  serverPid: number;
  /**
   * Further nodes of the same server (a cluster sharing one store): clients
   * are spread round-robin over `port` and these (receiver i and sender k on
   * node i mod N and k mod N), and the server's CPU and memory are summed
   * over all of them. None by default.
   */
  moreNodes?: NodeAddress[];
  /**
   * Other processes whose CPU is measured over each phase, by name (e.g. the
   * Redis the nodes share); reported in PhaseResult.sideCpuMs.
   */
  sidePids?: Record<string, number>;
  /** PEM file of the team CA, which signed the server certificate. */
  caFile: string;
  /** One client certificate per sender; empty for irc (no client certificates). */
  senderIds: Identity[];
  /** Client certificates for the receivers, used in turn; empty for irc. */
  receiverIds: Identity[];
  receivers: number;
  senders: number;
  /** The room (chat) or channel (irc) everyone joins; bare has none. */
  room: string;
  /** Short and unique per case ([a-z0-9], at most 3 characters): IRC nicks start with it. */
  label: string;
  /** Connections opened at once while connecting: servers' accept queues are short. */
  connectConcurrency: number;
  /** Limit for connecting everyone, ms. */
  connectTimeoutMs: number;
}

/**
 * Closed loop: each sender keeps `window` messages unacknowledged, and a
 * message counts as acknowledged when the probe receiver (receiver 0) has
 * it (`until: 'probe'`), when every receiver has it (`'all'`: with several
 * nodes, the receivers on the other nodes too), or when chat's `ack` for it
 * arrives (`'ack'`, chat only). Ends when every receiver has every message, when nothing arrives
 * for `stallMs`, or at `deadlineMs`.
 */
export interface ClosedPhase {
  kind: 'closed';
  /** Senders used, the first ones; the others are disconnected first (for good). */
  senders: number;
  messagesPerSender: number;
  window: number;
  until: 'probe' | 'all' | 'ack';
  stallMs: number;
  deadlineMs: number;
}

/**
 * Open loop: each sender sends `ratePerSender` messages per second, paced
 * (senders staggered), for `durationMs`; then up to `drainMs` for the last
 * deliveries.
 */
export interface OpenPhase {
  kind: 'open';
  /** As for a closed phase. */
  senders: number;
  ratePerSender: number;
  durationMs: number;
  drainMs: number;
}

export type PhaseSpec = ClosedPhase | OpenPhase;

/**
 * One connection set and the phases run on it, in order; a phase may use
 * fewer senders than the one before, never more.
 */
export interface CaseSpec {
  connection: ConnectionSpec;
  phases: PhaseSpec[];
}

/** What one phase measured. Times in ms, CPU in ms, memory in MiB. */
export interface PhaseResult {
  kind: PhaseSpec['kind'];
  receivers: number;
  senders: number;
  /** Messages sent, all senders together. */
  messages: number;
  /** Deliveries due: messages sent times receivers. */
  expected: number;
  /** Distinct messages received by the receivers, counted per receiver. */
  delivered: number;
  /** The same for the receivers of each node, in the order of the spec's nodes. */
  nodeDelivered: number[];
  lost: number;
  duplicated: number;
  /** First send to last delivery, ms (at least the duration of an open phase). */
  elapsedMs: number;
  deliveriesPerSecond: number;
  /** Send to receipt, over every delivery, ms. */
  p50: number;
  p99: number;
  max: number;
  /**
   * The deliveries whose receiver is on another node than their sender
   * (several nodes only): how many, and their latency, ms (NaN when none).
   */
  crossNode: { deliveries: number; p50: number; p99: number };
  /** Send to chat's `ack` at the sender, ms; NaN for other protocols. */
  ackP50: number;
  ackP99: number;
  /**
   * Wall time over which CPU was measured: the phase's start to its end,
   * a stall's wait included, ms.
   */
  wallMs: number;
  /** Server CPU (user + system) over the phase, summed over its nodes, ms. */
  serverCpuMs: number;
  /** The same per node, in the order of the spec (`port` first, then `moreNodes`), ms. */
  nodeCpuMs: number[];
  cpuPerDeliveryUs: number;
  /** CPU of each of the spec's `sidePids` over the phase, ms. */
  sideCpuMs: Record<string, number>;
  /** CPU the whole machine used over the phase, all processes and cores, ms. */
  machineCpuMs: number;
  /** Server's peak RSS during the phase (VmHWM, reset at its start), summed over its nodes, MiB. */
  peakRssMiB: number;
  /** CPU of the load process over the phase, ms, and as a share of one core (%). */
  loadCpuMs: number;
  loadCpuPercent: number;
  /** How late paced sends went out (open loop), p99 and max, ms. */
  paceLagP99Ms: number;
  paceLagMaxMs: number;
  /** Error frames (chat) or ERROR lines (irc) the clients got meanwhile. */
  errors: number;
  /** The first of them, cut at 300 characters. */
  firstError?: string;
  /** Client connections the server closed meanwhile. */
  disconnects: number;
  /** Empty lines the senders wrote to get ngircd unstuck (see Adapter.nudge). */
  nudges: number;
  /** Waited for the server to be idle before the phase, ms. */
  idleWaitMs: number;
  /** How the phase ended. */
  end: 'complete' | 'stalled' | 'deadline';
}

/** Driver to load process. */
export type LoadRequest = { type: 'run'; id: number; spec: CaseSpec } | { type: 'exit' };

/** Load process to driver: `connectMs` to connect everyone, `resumed` TLS sessions among them. */
export type LoadReply =
  | { type: 'done'; id: number; connectMs: number; resumed: number; phases: PhaseResult[] }
  | { type: 'failed'; id: number; message: string };
