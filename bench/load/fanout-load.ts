/**
 * The fan-out load generator: a process of its own, so that its CPU is not
 * the server's. Started by bench/fanout.bench.ts over an IPC channel
 * (`node --import tsx bench/load/fanout-load.ts`); for each case it is sent,
 * it connects R receivers and S senders over raw TLS (node:tls, no
 * ChatClient, no zod), runs the phases and answers with what they measured.
 *
 * Every message text is `<sender>:<seq>:<send time in µs> ` padded with x to
 * 100 bytes, so a receipt gives latency, loss and duplicates without any
 * state at the sender. Received lines are cut with indexOf and slicing only.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import tls, { type TLSSocket } from 'node:tls';
import { cpuMs, machineBusyMs, peakRssMiB, resetPeakRss, waitIdle } from '../lib/proc-stats.ts';
import { percentile } from '../lib/stats.ts';
import { type Adapter, adapterFor } from './adapters.ts';
import type {
  CaseSpec,
  ClosedPhase,
  ConnectionSpec,
  Identity,
  LoadReply,
  LoadRequest,
  NodeAddress,
  OpenPhase,
  PhaseResult,
  PhaseSpec,
} from './spec.ts';
import { TEXT_BYTES } from './spec.ts';

const PADDING = 'x'.repeat(TEXT_BYTES);
/** A peer's unfinished line may not grow past this (bytes): the servers' frames are far shorter. */
const MAX_PARTIAL = 1 << 20;

interface Peer {
  socket: TLSSocket;
  sender: boolean;
  /** Receiver or sender number; receiver 0 is the probe. */
  index: number;
  ready: boolean;
  partial: string;
  /** Frames waiting for the end of the current callback, written as one. */
  out: string;
}

/** One phase's counters; the hot path writes here. */
class Tracker {
  readonly perSender: number;
  readonly base: number[];
  readonly seen: Uint8Array[];
  /** Receivers that have each message (slot), for `until: 'all'`. */
  readonly reach: Int32Array;
  /** Deliveries per receiver. */
  readonly perReceiver: Int32Array;
  readonly latencies: Float64Array;
  /** 1 where latencies[i] crossed nodes (sender and receiver on different nodes). */
  readonly crossed: Uint8Array;
  count = 0;
  delivered = 0;
  duplicated = 0;
  errors = 0;
  /** The first error line, cut at 300 characters. */
  firstError: string | undefined;
  disconnects = 0;
  nudges = 0;
  readonly sent: Int32Array;
  readonly inflight: Int32Array;
  readonly sendTimes: Float64Array;
  readonly acked: Uint8Array;
  readonly ackLatencies: Float64Array;
  ackCount = 0;
  /** Messages sent in this phase, all senders together. */
  totalSent = 0;
  sendingDone = false;
  lastProgress = performance.now();
  lastDeliveryAt = 0;
  paceLags: number[] = [];
  private finish: (end: PhaseResult['end']) => void = () => {};
  readonly ended: Promise<PhaseResult['end']>;

  constructor(
    readonly phase: PhaseSpec,
    readonly receivers: number,
    readonly senders: number,
    nextSeq: number[],
    readonly ackTracked: boolean,
    /** Nodes the clients are spread over: receiver r is on node r mod nodes, sender k on k mod nodes. */
    readonly nodes: number,
  ) {
    this.perSender =
      phase.kind === 'closed'
        ? phase.messagesPerSender
        : Math.ceil((phase.ratePerSender * phase.durationMs) / 1000);
    this.base = [...nextSeq];
    const slots = senders * this.perSender;
    this.seen = Array.from({ length: receivers }, () => new Uint8Array(slots));
    this.reach = new Int32Array(slots);
    this.perReceiver = new Int32Array(receivers);
    this.latencies = new Float64Array(receivers * slots);
    this.crossed = new Uint8Array(this.nodes > 1 ? receivers * slots : 0);
    this.sent = new Int32Array(senders);
    this.inflight = new Int32Array(senders);
    this.sendTimes = new Float64Array(slots);
    this.acked = new Uint8Array(slots);
    this.ackLatencies = new Float64Array(slots);
    this.ended = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  end(how: PhaseResult['end']): void {
    this.finish(how);
  }

  checkDone(): void {
    if (!this.sendingDone) return;
    if (this.delivered < this.totalSent * this.receivers) return;
    if (this.ackTracked && this.ackCount < this.totalSent) return;
    this.finish('complete');
  }
}

let adapter: Adapter;
/** The case's label: chat refs must not repeat across cases, the server remembers them. */
let label = '';
let tracker: Tracker | undefined;
let senders: Peer[] = [];
/** Next sequence number of each sender, across the phases of a case. */
let nextSeq: number[] = [];
const dirty: Peer[] = [];

function queue(peer: Peer, frame: string): void {
  if (peer.out === '') dirty.push(peer);
  peer.out += frame;
}

/** Writes what the current callback queued: one write per peer, cut at adapter.maxWrite. */
function flush(): void {
  for (const peer of dirty) {
    if (!peer.socket.destroyed) {
      let out = peer.out;
      while (out.length > adapter.maxWrite) {
        // At a line end; a single line longer than the limit goes whole.
        const cut = out.lastIndexOf('\n', adapter.maxWrite - 1) + 1 || out.length;
        peer.socket.write(out.slice(0, cut));
        out = out.slice(cut);
      }
      peer.socket.write(out);
    }
    peer.out = '';
  }
  dirty.length = 0;
}

function sendOne(tr: Tracker, k: number, now: number): void {
  const local = tr.sent[k] as number;
  const seq = (tr.base[k] as number) + local;
  const head = `${k}:${seq}:${Math.round(now * 1000)} `;
  const peer = senders[k] as Peer;
  queue(peer, adapter.frame(head + PADDING.slice(head.length), `${label}-${seq}`));
  tr.sendTimes[k * tr.perSender + local] = now;
  tr.sent[k] = local + 1;
  tr.totalSent += 1;
  tr.inflight[k] = (tr.inflight[k] as number) + 1;
  nextSeq[k] = seq + 1;
}

/** Closed loop: tops sender k's window up. */
function refill(tr: Tracker, k: number, now: number): void {
  const phase = tr.phase as ClosedPhase;
  while ((tr.inflight[k] as number) < phase.window && (tr.sent[k] as number) < tr.perSender) {
    sendOne(tr, k, now);
  }
  if (!tr.sendingDone && tr.totalSent === tr.perSender * tr.senders) tr.sendingDone = true;
}

function release(tr: Tracker, k: number, now: number): void {
  tr.inflight[k] = (tr.inflight[k] as number) - 1;
  refill(tr, k, now);
}

/** Where digitsAt stopped: just after the character that ended the number. */
let cursor = 0;

/**
 * The decimal number at `i`, which must end with the char code `stop`; -1
 * when there is none. No allocation: this runs once per field per delivery.
 */
function digitsAt(buf: string, i: number, stop: number): number {
  const from = i;
  let value = 0;
  for (let c = buf.charCodeAt(i); c >= 48 && c <= 57; c = buf.charCodeAt(++i)) {
    value = value * 10 + (c - 48);
  }
  if (i === from || buf.charCodeAt(i) !== stop) return -1;
  cursor = i + 1;
  return value;
}

function receive(r: number, buf: string, at: number, now: number): void {
  const tr = tracker;
  if (!tr) return;
  const k = digitsAt(buf, at, 58 /* : */);
  if (k < 0 || k >= tr.senders) return;
  const seq = digitsAt(buf, cursor, 58);
  if (seq < 0) return;
  const sentUs = digitsAt(buf, cursor, 32 /* space */);
  if (sentUs < 0) return;
  const local = seq - (tr.base[k] as number);
  if (local < 0 || local >= (tr.sent[k] as number)) return; // from an earlier phase
  const slot = k * tr.perSender + local;
  const seen = tr.seen[r] as Uint8Array;
  if (seen[slot]) {
    tr.duplicated += 1;
    return;
  }
  seen[slot] = 1;
  if (tr.nodes > 1 && k % tr.nodes !== r % tr.nodes) tr.crossed[tr.count] = 1;
  tr.latencies[tr.count++] = now - sentUs / 1000;
  tr.delivered += 1;
  tr.perReceiver[r] = (tr.perReceiver[r] as number) + 1;
  tr.lastDeliveryAt = now;
  tr.lastProgress = now;
  if (tr.phase.kind === 'closed') {
    if (tr.phase.until === 'probe') {
      if (r === 0) release(tr, k, now);
    } else if (tr.phase.until === 'all') {
      tr.reach[slot] = (tr.reach[slot] as number) + 1;
      if (tr.reach[slot] === tr.receivers) release(tr, k, now);
    }
  }
  tr.checkDone();
}

function acknowledge(k: number, seq: number, now: number): void {
  const tr = tracker;
  if (!tr) return;
  const local = seq - (tr.base[k] as number);
  if (local < 0 || local >= (tr.sent[k] as number)) return;
  const slot = k * tr.perSender + local;
  if (tr.acked[slot]) return;
  tr.acked[slot] = 1;
  tr.ackLatencies[tr.ackCount++] = now - (tr.sendTimes[slot] as number);
  tr.lastProgress = now;
  if (tr.phase.kind === 'closed' && tr.phase.until === 'ack') release(tr, k, now);
  tr.checkDone();
}

function onLine(peer: Peer, buf: string, start: number, end: number, now: number): void {
  if (!peer.sender) {
    const at = adapter.textAt(buf, start, end);
    if (at >= 0) {
      receive(peer.index, buf, at, now);
      return;
    }
  } else {
    const seq = adapter.ackAt(buf, start, end);
    if (seq >= 0) {
      acknowledge(peer.index, seq, now);
      return;
    }
  }
  if (adapter.isError(buf, start, end) && tracker) {
    tracker.errors += 1;
    tracker.firstError ??= buf.slice(start, Math.min(end, start + 300));
  }
  const pong = adapter.reply(buf, start, end);
  if (pong) queue(peer, pong);
}

function onData(peer: Peer, chunk: string): void {
  const buf = peer.partial === '' ? chunk : peer.partial + chunk;
  const now = performance.now();
  let start = 0;
  for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n', start)) {
    onLine(peer, buf, start, nl, now);
    start = nl + 1;
  }
  peer.partial = start === buf.length ? '' : buf.slice(start);
  if (peer.partial.length > MAX_PARTIAL) {
    peer.socket.destroy(new Error(`a line longer than ${MAX_PARTIAL} bytes`));
  }
  if (dirty.length > 0) flush();
}

/** Lines before the connection is ready: the login exchange. */
function onSetupData(
  peer: Peer,
  chunk: string,
  ready: () => void,
  fail: (error: Error) => void,
): void {
  const buf = peer.partial + chunk;
  let start = 0;
  for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n', start)) {
    const from = start;
    start = nl + 1;
    if (peer.ready) {
      onLine(peer, buf, from, nl, performance.now());
      continue;
    }
    const step = adapter.setupLine(buf, from, nl);
    if (!step) continue;
    if (step.write) peer.socket.write(step.write);
    if (step.ready) {
      peer.ready = true;
      ready();
    } else if (step.fail) {
      fail(new Error(step.fail));
      return;
    }
  }
  peer.partial = buf.slice(start);
  if (peer.partial.length > MAX_PARTIAL) fail(new Error('no line end while logging in'));
  if (dirty.length > 0) flush();
}

// One TLS context per identity: made per connection, it costs as much as the handshake.
const contexts = new Map<string, tls.SecureContext>();
// The last TLS session per server and identity. Resuming it halves the cost
// of connecting hundreds of clients, on both sides; a server that does not
// resume does a full handshake. Connecting is not what the bench measures.
const sessions = new Map<string, Buffer>();
function contextFor(caFile: string, id: Identity | undefined): tls.SecureContext {
  const key = `${caFile}\n${id?.cert}\n${id?.key}`;
  let context = contexts.get(key);
  if (!context) {
    context = tls.createSecureContext({
      ca: readFileSync(caFile),
      ...(id ? { cert: readFileSync(id.cert), key: readFileSync(id.key) } : {}),
    });
    contexts.set(key, context);
  }
  return context;
}

/** The server's nodes: `port` first, then `moreNodes`. */
function nodesOf(spec: ConnectionSpec): NodeAddress[] {
  return [{ port: spec.port, pid: spec.serverPid }, ...(spec.moreNodes ?? [])];
}

function connect(spec: ConnectionSpec, sender: boolean, index: number): Promise<Peer> {
  const ids = sender ? spec.senderIds : spec.receiverIds;
  const id = ids.length > 0 ? ids[index % ids.length] : undefined;
  // Round-robin over the nodes, receivers and senders each from node 0.
  const nodes = nodesOf(spec);
  const port = (nodes[index % nodes.length] as NodeAddress).port;
  const sessionKey = `${port}\n${id?.cert}`;
  const session = sessions.get(sessionKey);
  const socket = tls.connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    secureContext: contextFor(spec.caFile, id),
    ...(session ? { session } : {}),
  });
  socket.on('session', (ticket: Buffer) => sessions.set(sessionKey, ticket));
  const peer: Peer = { socket, sender, index, ready: false, partial: '', out: '' };
  const nick = `${spec.label}${sender ? 's' : 'r'}${index}`;
  return new Promise<Peer>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('timed out logging in')), spec.connectTimeoutMs);
    const setup = (chunk: string) => onSetupData(peer, chunk, ready, fail);
    const closed = () => fail(new Error('closed by the server while logging in'));
    function ready() {
      clearTimeout(timer);
      socket.off('data', setup);
      socket.off('close', closed);
      socket.off('error', fail);
      socket.on('error', () => {});
      socket.on('close', () => {
        if (tracker) tracker.disconnects += 1;
      });
      if (sender && spec.protocol === 'bare') {
        // What the bare server echoes to a sender is other senders' lines: not measured.
        socket.on('data', () => {});
      } else {
        // The rest of the current chunk is read by onSetupData, the next ones here.
        socket.on('data', (chunk: string) => onData(peer, chunk));
      }
      resolve(peer);
    }
    function fail(error: Error) {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`${nick}: ${error.message}`));
    }
    socket.setEncoding('latin1');
    socket.once('error', fail);
    socket.once('close', closed);
    socket.on('data', setup);
    socket.once('secureConnect', () => {
      socket.setNoDelay(true);
      const greeting = adapter.greeting(nick);
      if (greeting) socket.write(greeting);
      if (adapter.readyOnConnect) {
        peer.ready = true;
        ready();
      }
    });
  });
}

/** Opens the connections `concurrency` at a time: receivers (the probe first), then senders. */
async function connectAll(spec: ConnectionSpec): Promise<{ receivers: Peer[]; senders: Peer[] }> {
  const jobs: Array<[boolean, number]> = [
    ...Array.from({ length: spec.receivers }, (_, i): [boolean, number] => [false, i]),
    ...Array.from({ length: spec.senders }, (_, k): [boolean, number] => [true, k]),
  ];
  const peers: Peer[] = [];
  let next = 0;
  let failed: Error | undefined;
  const worker = async () => {
    while (next < jobs.length && !failed) {
      const [sender, index] = jobs[next++] as [boolean, number];
      try {
        peers.push(await connect(spec, sender, index));
      } catch (error) {
        failed ??= error as Error;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.connectConcurrency }, worker));
  if (failed) {
    await closeAll(peers);
    throw failed;
  }
  return {
    receivers: peers.filter((p) => !p.sender).sort((a, b) => a.index - b.index),
    senders: peers.filter((p) => p.sender).sort((a, b) => a.index - b.index),
  };
}

async function closeAll(peers: Peer[]): Promise<void> {
  const closed = peers.map((p) =>
    p.socket.closed ? Promise.resolve() : new Promise((resolve) => p.socket.once('close', resolve)),
  );
  for (const peer of peers) peer.socket.destroy();
  await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 5_000))]);
}

/** Nothing delivered for this long (ms) while messages are due: nudge (see Adapter.nudge). */
const NUDGE_AFTER_MS = 100;

/**
 * Every 100 ms: ends the phase when nothing arrived for `stallMs` or at
 * `deadlineMs`; nudges the senders after NUDGE_AFTER_MS without progress.
 */
function watch(tr: Tracker, start: number, stallMs: number, deadlineMs: number): void {
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - tr.lastProgress > stallMs) tr.end('stalled');
    else if (now - start > deadlineMs) tr.end('deadline');
    else if (adapter.nudge && now - tr.lastProgress > NUDGE_AFTER_MS) {
      for (const sender of senders) queue(sender, adapter.nudge);
      tr.nudges += senders.length;
      flush();
    }
  }, 100);
  void tr.ended.then(() => clearInterval(timer));
}

function closedLoop(tr: Tracker, phase: ClosedPhase, start: number): void {
  for (let k = 0; k < tr.senders; k++) refill(tr, k, start);
  flush();
  watch(tr, start, phase.stallMs, phase.deadlineMs);
}

function openLoop(tr: Tracker, phase: OpenPhase, start: number): void {
  const interval = 1000 / phase.ratePerSender;
  const due = (k: number, n: number) => start + (k * interval) / tr.senders + n * interval;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const now = performance.now();
    let nextDue = Number.POSITIVE_INFINITY;
    for (let k = 0; k < tr.senders; k++) {
      while ((tr.sent[k] as number) < tr.perSender && due(k, tr.sent[k] as number) <= now) {
        tr.paceLags.push(now - due(k, tr.sent[k] as number));
        sendOne(tr, k, now);
      }
      if ((tr.sent[k] as number) < tr.perSender) {
        nextDue = Math.min(nextDue, due(k, tr.sent[k] as number));
      }
    }
    flush();
    if (nextDue === Number.POSITIVE_INFINITY) {
      tr.sendingDone = true;
      tr.checkDone();
      return;
    }
    setTimeout(tick, Math.max(0, nextDue - performance.now()));
  };
  tick();
  const limit = phase.durationMs + phase.drainMs;
  watch(tr, start, limit, limit);
  void tr.ended.then(() => {
    stopped = true;
  });
}

async function runPhase(
  spec: ConnectionSpec,
  phase: PhaseSpec,
  receivers: number,
): Promise<PhaseResult> {
  if (phase.senders < senders.length) {
    const gone = senders.splice(phase.senders);
    await closeAll(gone);
  }
  const nodePids = nodesOf(spec).map((node) => node.pid);
  const sides = Object.entries(spec.sidePids ?? {});
  const idleFrom = performance.now();
  await Promise.all(
    [...nodePids, ...sides.map(([, pid]) => pid)].map((pid) => waitIdle(pid, { timeoutMs: 5_000 })),
  );
  const idleWaitMs = performance.now() - idleFrom;
  await Promise.all(nodePids.map(resetPeakRss));
  const tr = new Tracker(
    phase,
    receivers,
    senders.length,
    nextSeq,
    spec.protocol === 'chat',
    nodePids.length,
  );
  const nodeCpuBefore = await Promise.all(nodePids.map(cpuMs));
  const sideCpuBefore = await Promise.all(sides.map(([, pid]) => cpuMs(pid)));
  const machineBefore = await machineBusyMs();
  const loadBefore = process.cpuUsage();
  const start = performance.now();
  tracker = tr;
  if (phase.kind === 'closed') closedLoop(tr, phase, start);
  else openLoop(tr, phase, start);
  const end = await tr.ended;
  const stop = performance.now();
  const load = process.cpuUsage(loadBefore);
  const machineCpuMs = (await machineBusyMs()) - machineBefore;
  const nodeCpuAfter = await Promise.all(nodePids.map(cpuMs));
  const sideCpuAfter = await Promise.all(sides.map(([, pid]) => cpuMs(pid)));
  const nodeCpuMs = nodeCpuAfter.map((after, i) => after - (nodeCpuBefore[i] as number));
  const serverCpuMs = nodeCpuMs.reduce((sum, ms) => sum + ms, 0);
  const sideCpuMs = Object.fromEntries(
    sides.map(([name], i) => [name, (sideCpuAfter[i] as number) - (sideCpuBefore[i] as number)]),
  );
  const peakRss = await Promise.all(nodePids.map(peakRssMiB));
  const nodeDelivered = nodePids.map(() => 0);
  tr.perReceiver.forEach((count, r) => {
    nodeDelivered[r % nodePids.length] = (nodeDelivered[r % nodePids.length] as number) + count;
  });
  tracker = undefined;

  const messages = tr.totalSent;
  const expected = messages * receivers;
  const elapsedMs = Math.max(
    tr.lastDeliveryAt > 0 ? tr.lastDeliveryAt - start : stop - start,
    phase.kind === 'open' ? phase.durationMs : 0,
  );
  const crossLatencies = tr.latencies.filter((_, i) => i < tr.count && tr.crossed[i] === 1).sort();
  const latencies = tr.latencies.subarray(0, tr.count).sort();
  const acks = tr.ackLatencies.subarray(0, tr.ackCount).sort();
  const lags = Float64Array.from(tr.paceLags).sort();
  const loadCpuMs = (load.user + load.system) / 1000;
  return {
    kind: phase.kind,
    receivers,
    senders: tr.senders,
    messages,
    expected,
    delivered: tr.delivered,
    nodeDelivered,
    lost: expected - tr.delivered,
    duplicated: tr.duplicated,
    elapsedMs,
    deliveriesPerSecond: tr.delivered / (elapsedMs / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? 0,
    crossNode: {
      deliveries: crossLatencies.length,
      p50: crossLatencies.length > 0 ? percentile(crossLatencies, 50) : Number.NaN,
      p99: crossLatencies.length > 0 ? percentile(crossLatencies, 99) : Number.NaN,
    },
    ackP50: tr.ackTracked ? percentile(acks, 50) : Number.NaN,
    ackP99: tr.ackTracked ? percentile(acks, 99) : Number.NaN,
    wallMs: stop - start,
    serverCpuMs,
    nodeCpuMs,
    cpuPerDeliveryUs: (serverCpuMs * 1000) / Math.max(1, tr.delivered),
    sideCpuMs,
    machineCpuMs,
    peakRssMiB: peakRss.reduce((sum, mib) => sum + mib, 0),
    loadCpuMs,
    loadCpuPercent: (loadCpuMs / (stop - start)) * 100,
    paceLagP99Ms: percentile(lags, 99),
    paceLagMaxMs: lags.at(-1) ?? 0,
    errors: tr.errors,
    ...(tr.firstError === undefined ? {} : { firstError: tr.firstError }),
    disconnects: tr.disconnects,
    nudges: tr.nudges,
    idleWaitMs,
    end,
  };
}

async function runCase(
  spec: CaseSpec,
): Promise<{ connectMs: number; resumed: number; phases: PhaseResult[] }> {
  const { connection } = spec;
  adapter = adapterFor(connection.protocol, connection.room);
  const started = performance.now();
  label = connection.label;
  const peers = await connectAll(connection);
  const connectMs = performance.now() - started;
  const resumed = [...peers.receivers, ...peers.senders].filter((p) =>
    p.socket.isSessionReused(),
  ).length;
  senders = [...peers.senders];
  nextSeq = senders.map(() => 0);
  try {
    const phases: PhaseResult[] = [];
    for (const phase of spec.phases) {
      phases.push(await runPhase(connection, phase, peers.receivers.length));
    }
    return { connectMs, resumed, phases };
  } finally {
    senders = [];
    await closeAll([...peers.receivers, ...peers.senders]);
  }
}

function reply(message: LoadReply): void {
  process.send?.(message);
}

process.on('message', (request: LoadRequest) => {
  if (request.type === 'exit') {
    process.disconnect?.();
    return;
  }
  runCase(request.spec).then(
    (result) => reply({ type: 'done', id: request.id, ...result }),
    (error: Error) => reply({ type: 'failed', id: request.id, message: error.message }),
  );
});
// The driver gone, nothing is left to do.
process.on('disconnect', () => process.exit(0));
