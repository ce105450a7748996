/**
 * A bounded soak of a real ChatServer: real TLS, real certificates, a few
 * hundred ChatClients of several users (many devices each) joining, parting,
 * sending, dropping and reconnecting at random (seeded), then checks that no
 * acknowledged message was lost or stored twice, that every client saw each
 * room in the history's order and caught up after resume, that nothing went
 * unhandled, and that memory came back down.
 *
 *   node --expose-gc --import tsx test/soak/soak.ts [--seconds N] [--clients N] [--users N]
 *     [--rooms N] [--seed N] [--max-messages N] [--action-ms N] [--store-delay-ms N]
 *
 * Exits 1 on any violation. test/soak/soak.test.ts runs a short one in `npm test`.
 */
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import type { ChatError } from '../../src/errors.ts';
import { ChatClient } from '../../src/net/chat-client.ts';
import type { ClientCredentials } from '../../src/net/client-types.ts';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { ChatServer } from '../../src/server/chat-server.ts';
import { MemoryHistory } from '../../src/server/history/memory-history.ts';
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from '../../src/server/server-config.ts';
import { loadServerTls } from '../../src/server/tls-options.ts';
import { makeTeam } from '../helpers/chat-server.ts';

export interface SoakOptions {
  /** How long clients act, in s; settling and checks come after. */
  seconds: number;
  /** ChatClients at any time (a restarted one is replaced). */
  clients: number;
  /** Users the clients are shared among: each user has clients/users devices. */
  users: number;
  rooms: number;
  seed: number;
  /** Sends in all, after which clients stop sending (the count cap). */
  maxMessages: number;
  /** Mean time between two actions of one client, in ms. */
  actionMs: number;
  /** Longest extra time a store append takes, in ms, as a disk's fsync (0: MemoryHistory as is). */
  storeDelayMs: number;
  /** Time allowed for every client to settle and catch up once actions stop, in ms. */
  settleMs: number;
  /** Heap growth allowed from start to end, in bytes, besides what the kept history needs. */
  heapSlackBytes: number;
  /** Progress lines; silent when absent. */
  log?: (line: string) => void;
}

export const DEFAULT_SOAK: SoakOptions = {
  seconds: 120,
  clients: 300,
  users: 10,
  rooms: 6,
  seed: 1,
  maxMessages: 50_000,
  actionMs: 4_000,
  storeDelayMs: 10,
  settleMs: 60_000,
  heapSlackBytes: 32 * 1024 * 1024,
};

/** Process memory at one moment, in bytes. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
}

export interface SoakReport {
  options: SoakOptions;
  /** Clients created over the run, restarts included. */
  clientsCreated: number;
  sends: number;
  acked: number;
  /** Sends the server refused, by code (not_member: the room was left meanwhile). */
  refused: Record<string, number>;
  stored: number;
  /** Acknowledged messages missing from the history, plus messages a member never saw. */
  lost: number;
  /** Messages stored more than once. */
  duplicated: number;
  /** Stored messages whose sender was never told (acknowledged) they were kept. */
  unacknowledged: number;
  delivered: number;
  /** Messages that reached a client after it had left their room (held behind a replay). */
  late: number;
  joins: number;
  /** Joins of a room the client was in already. */
  rejoins: number;
  parts: number;
  drops: number;
  restarts: number;
  welcomes: number;
  /** Non-fatal errors no call claimed, by code. */
  serverErrors: Record<string, number>;
  serverLogErrors: number;
  /** From losing a connection to the next welcome, in ms. */
  reconnectMs: { count: number; mean: number; max: number };
  /** How late timers ran, in ms: a busy machine shows here. */
  eventLoopDelayMs: { p99: number; max: number };
  memory: { start: MemorySample; peak: MemorySample; end: MemorySample; gc: boolean };
  durationMs: number;
  violations: string[];
}

/** Violations listed in the report; the rest are only counted. */
const MAX_LISTED = 40;

/** One ChatClient and what the soak knows of it. */
interface Tracked {
  index: number;
  user: string;
  client: ChatClient;
  random: () => number;
  /**
   * Per room the client is in: the next id it must see. Set where the client
   * starts a room (ChatClient's lastSeen + 1), kept over a resume, advanced
   * by each message: a higher id means messages were lost.
   */
  expectNext: Map<string, number>;
  welcomed: boolean;
  /** Sends not yet settled (acknowledged or refused). */
  pending: number;
  seq: number;
  retired: boolean;
  timer: NodeJS.Timeout | undefined;
  /** When the client last lost its connection (ms), until the next welcome. */
  offlineSince: number | undefined;
}

/** Runs one soak and reports; it never throws for a violation, only lists it. */
export async function runSoak(partial: Partial<SoakOptions> = {}): Promise<SoakReport> {
  const options: SoakOptions = { ...DEFAULT_SOAK, ...partial };
  const log = options.log ?? (() => {});
  const started = Date.now();
  const violations: string[] = [];
  let violationCount = 0;
  const violate = (what: string) => {
    violationCount++;
    if (violations.length < MAX_LISTED) violations.push(what);
  };

  const unhandled = (kind: string) => (error: unknown) =>
    violate(`${kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  const onRejection = unhandled('unhandled rejection');
  const onException = unhandled('uncaught exception');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);

  const gc = findGc();
  const users = Array.from({ length: options.users }, (_, i) => `user${i}`);
  const rooms = ['#general', ...Array.from({ length: options.rooms - 1 }, (_, i) => `#room${i}`)];
  const seedRandom = mulberry32(options.seed);

  const team = await makeTeam(users);
  const credentials = new Map<string, ClientCredentials>();
  for (const user of users) credentials.set(user, await team.credentials(user));

  const config: ServerConfig = {
    ...DEFAULT_SERVER_CONFIG,
    host: '127.0.0.1',
    port: 0,
    certsDir: team.certsDir,
    store: 'memory',
    // Limits out of the way: the soak is about delivery, not about refusing.
    maxConnections: 10_000,
    maxPerAddress: 10_000,
    maxPerUser: 1_000,
    maxHandshakes: 10_000,
    maxHandshakesPerAddress: 10_000,
    ratePerSecond: 10_000,
    rateBurst: 10_000,
    // Everything kept and replayed, so a long offline time is no history_gap.
    historyPerRoom: 1_000_000,
    maxQueueBytes: 64 * 1024 * 1024,
  };
  let serverLogErrors = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        const record = JSON.parse(line) as { level: number; msg?: string };
        if (record.level >= 50) {
          serverLogErrors++;
          violate(`server logged an error: ${line.slice(0, 300)}`);
        }
      }
      done();
    },
  });
  const store =
    options.storeDelayMs > 0
      ? new SlowHistory(config.historyPerRoom, options.storeDelayMs, mulberry32(options.seed + 7))
      : new MemoryHistory(config.historyPerRoom);
  const server = new ChatServer({
    config,
    tls: await loadServerTls(config.certsDir, config.tlsMin),
    store,
    logger: pino({ level: 'warn' }, sink),
    serverName: 'chat/soak',
  });
  const { port } = await server.listen();

  const memoryStart = measure(gc);
  const peak: MemorySample = { ...memoryStart };
  const sampler = setInterval(() => {
    const { rss, heapUsed } = process.memoryUsage();
    peak.rss = Math.max(peak.rss, rss);
    peak.heapUsed = Math.max(peak.heapUsed, heapUsed);
  }, 250);
  sampler.unref();

  const counts = {
    clientsCreated: 0,
    sends: 0,
    acked: 0,
    delivered: 0,
    late: 0,
    lostLive: 0,
    joins: 0,
    rejoins: 0,
    parts: 0,
    drops: 0,
    restarts: 0,
    welcomes: 0,
  };
  const reconnects = { count: 0, total: 0, max: 0 };
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  const refused: Record<string, number> = {};
  const serverErrors: Record<string, number> = {};
  /** Per room, what clients saw under each id ("from\ttext"): one content per id. */
  let observed = new Map<string, Map<number, string>>();
  /** Per sent text, its ack. */
  let acks = new Map<string, { room: string; id: number; ts: number }>();
  let tracked: Tracked[] = [];
  let stopping = false;
  /** Clients closed by a restart whose successor is not made yet. */
  let restarting = 0;

  const track = (user: string, initialRooms: string[]): Tracked => {
    const index = counts.clientsCreated++;
    const client = new ChatClient({
      host: 'localhost',
      port,
      credentials: credentials.get(user) as ClientCredentials,
      clientName: 'soak/1',
      rooms: initialRooms,
      pingIntervalMs: 0,
      // Some reconnect at once, some stay away long enough to miss a lot.
      backoff: { baseMs: 20 + Math.floor(seedRandom() * 800), maxMs: 2_000 },
      random: mulberry32(options.seed * 1_000 + index),
    });
    const t: Tracked = {
      index,
      user,
      client,
      random: mulberry32(options.seed * 7_919 + index),
      expectNext: new Map(),
      welcomed: false,
      pending: 0,
      seq: 0,
      retired: false,
      timer: undefined,
      offlineSince: undefined,
    };
    client.on('welcome', (welcome) => {
      counts.welcomes++;
      if (t.offlineSince !== undefined) {
        const ms = Date.now() - t.offlineSince;
        reconnects.count++;
        reconnects.total += ms;
        reconnects.max = Math.max(reconnects.max, ms);
        t.offlineSince = undefined;
      }
      // ChatClient keeps its place in the rooms it resumed and starts every
      // other at the room's newest id: so does the bookkeeping.
      const open = t.welcomed ? new Map(t.expectNext) : new Map<string, number>();
      t.expectNext.clear();
      for (const room of welcome.rooms) {
        const goesOn = open.get(room.room);
        t.expectNext.set(room.room, goesOn ?? (client.lastSeen.get(room.room) ?? 0) + 1);
      }
      t.welcomed = true;
    });
    client.on('joined', (frame) => {
      if (frame.user !== user || !frame.state || t.expectNext.has(frame.room)) return;
      t.expectNext.set(frame.room, (client.lastSeen.get(frame.room) ?? 0) + 1);
    });
    client.on('left', (frame) => {
      if (frame.user === user) t.expectNext.delete(frame.room);
    });
    client.on('message', (message) => {
      counts.delivered++;
      const next = t.expectNext.get(message.room);
      if (next === undefined) counts.late++;
      else {
        if (message.id !== next) {
          counts.lostLive += message.id - next;
          violate(
            `client ${index} (${user}) lost ${message.room} #${next}..#${message.id - 1}: got #${message.id}`,
          );
        }
        t.expectNext.set(message.room, message.id + 1);
      }
      const seen = observed.get(message.room) ?? new Map<number, string>();
      observed.set(message.room, seen);
      const content = `${message.from}\t${message.text}`;
      const prior = seen.get(message.id);
      if (prior === undefined) seen.set(message.id, content);
      else if (prior !== content) {
        violate(
          `${message.room} #${message.id} is "${prior}" for one client, "${content}" for another`,
        );
      }
    });
    client.on('serverError', (frame) => {
      serverErrors[frame.code] = (serverErrors[frame.code] ?? 0) + 1;
      if (frame.code !== 'not_member') violate(`client ${index}: server error ${frame.code}`);
    });
    client.on('state', (state, detail) => {
      if (state === 'reconnecting') t.offlineSince ??= Date.now();
      if (state === 'offline' && !stopping)
        violate(`client ${index} gave up: ${detail.error?.message ?? 'no reason'}`);
    });
    return t;
  };

  const send = (t: Tracked, room: string) => {
    if (counts.sends >= options.maxMessages) return;
    counts.sends++;
    const text = `c${t.index}.${t.seq++}`;
    t.pending++;
    t.client
      .send(room, text)
      .then(
        (ack) => {
          counts.acked++;
          acks.set(text, { room, ...ack });
        },
        (error: ChatError) => {
          const code = error.hint && error.code === 'SERVER_ERROR' ? error.hint : error.code;
          refused[code] = (refused[code] ?? 0) + 1;
          if (code !== 'not_member') violate(`client ${t.index}: send ${text} refused: ${code}`);
        },
      )
      .finally(() => {
        t.pending--;
      });
  };

  const act = (t: Tracked) => {
    t.timer = undefined;
    if (stopping || t.retired) return;
    const { client } = t;
    const inRooms = [...client.rooms];
    const outRooms = rooms.filter((r) => !client.rooms.has(r));
    const roll = t.random();
    try {
      if (roll < 0.5 || (roll < 0.59 && outRooms.length === 0)) {
        if (inRooms.length > 0) send(t, pick(t.random, inRooms));
        else if (outRooms.length > 0) {
          client.join(pick(t.random, outRooms));
          counts.joins++;
        }
      } else if (roll < 0.59) {
        client.join(pick(t.random, outRooms));
        counts.joins++;
      } else if (roll < 0.62) {
        // A join of a room it is in, as the TUI's /join does to switch to it.
        if (inRooms.length > 0) {
          client.join(pick(t.random, inRooms));
          counts.rejoins++;
        }
      } else if (roll < 0.7) {
        if (inRooms.length > 0) {
          client.part(pick(t.random, inRooms));
          counts.parts++;
        }
      } else if (roll < 0.78) {
        if (client.state === 'connected') counts.drops++;
        client.reconnectNow();
      } else if (roll < 0.86) {
        // Mid-send: the frame may or may not reach the server before the socket goes.
        if (inRooms.length > 0) send(t, pick(t.random, inRooms));
        const socket = socketOf(client);
        if (socket && !socket.destroyed) counts.drops++;
        socket?.destroy();
      } else if (roll < 0.88 && t.pending === 0 && client.state === 'connected') {
        // A device quits for good and another session starts: only with
        // nothing unacknowledged, or a send refused by close() may still be stored.
        counts.restarts++;
        restarting++;
        t.retired = true;
        void client.close().then(() => {
          restarting--;
          const fresh = track(t.user, pickSome(t.random, rooms));
          tracked.push(fresh);
          fresh.client.connect().then(
            () => schedule(fresh),
            (error: Error) => violate(`client ${fresh.index} could not connect: ${error.message}`),
          );
        });
        return;
      }
    } catch (error) {
      // join/part throw when 32 commands already wait (a long offline spell): not a fault.
      const code = (error as ChatError).code ?? String(error);
      refused[`command ${code}`] = (refused[`command ${code}`] ?? 0) + 1;
    }
    schedule(t);
  };

  const schedule = (t: Tracked) => {
    if (stopping || t.retired) return;
    // Exponential gaps: actions come in bursts now and then, like people.
    const wait = Math.min(options.actionMs * 5, -Math.log(1 - t.random()) * options.actionMs);
    t.timer = setTimeout(() => act(t), wait);
  };

  // Start: each user's devices spread over the clients, each in 1-3 rooms.
  for (let i = 0; i < options.clients; i++) {
    tracked.push(track(users[i % users.length] as string, pickSome(seedRandom, rooms)));
  }
  log(`soak: ${options.clients} clients of ${users.length} users connecting on port ${port}`);
  for (let i = 0; i < tracked.length; i += 25) {
    const batch = tracked.slice(i, i + 25);
    const welcomed = await Promise.allSettled(batch.map((t) => t.client.connect()));
    welcomed.forEach((result, j) => {
      if (result.status === 'rejected')
        violate(`client ${batch[j]?.index} could not connect: ${String(result.reason)}`);
    });
  }
  const actUntil = Date.now() + options.seconds * 1_000;
  for (const t of tracked) schedule(t);
  log(`soak: acting for ${options.seconds} s`);

  // The action phase, with a progress line every 10 s.
  let reported = 0;
  while (Date.now() < actUntil && counts.sends < options.maxMessages) {
    await sleep(Math.min(1_000, actUntil - Date.now()));
    const elapsed = Math.floor((Date.now() - (actUntil - options.seconds * 1_000)) / 10_000) * 10;
    if (elapsed > reported) {
      reported = elapsed;
      log(
        `soak: ${elapsed} s, sends ${counts.sends}, acked ${counts.acked}, welcomes ${counts.welcomes}, rss ${mb(process.memoryUsage().rss)}`,
      );
    }
  }
  stopping = true;
  for (const t of tracked) clearTimeout(t.timer);
  const live = () => tracked.filter((t) => !t.retired);

  // Settle: every client connected with nothing unacknowledged.
  log('soak: settling');
  const settleBy = Date.now() + options.settleMs;
  const settled = await waitFor(
    () =>
      restarting === 0 && live().every((t) => t.client.state === 'connected' && t.pending === 0),
    settleBy,
  );
  if (!settled) {
    const stuck = live().filter((t) => t.client.state !== 'connected' || t.pending > 0);
    violate(
      `${stuck.length} clients did not settle: ${stuck
        .slice(0, 5)
        .map((t) => `${t.index} ${t.client.state} pending ${t.pending}`)
        .join(', ')}`,
    );
  }
  // Two round trips through every connection: after the first, the server
  // has read every command written; after the second, each client has read
  // every frame those commands caused, its rooms are the server's.
  for (let round = 0; round < 2; round++) {
    const trips = await Promise.allSettled(
      live().map((t) => t.client.history(`@${t.user}`, { limit: 1 })),
    );
    const failed = trips.filter((r) => r.status === 'rejected').length;
    if (failed > 0) violate(`${failed} clients failed the round trip ${round + 1}`);
  }

  // Everyone caught up: each client's rooms up to the server's newest id.
  const lastIds = new Map(server.stats().rooms.map((r) => [r.room, r.lastId]));
  const caughtUp = (t: Tracked) =>
    [...t.client.rooms].every(
      (room) => (t.client.lastSeen.get(room) ?? 0) >= (lastIds.get(room) ?? 0),
    );
  await waitFor(() => live().every(caughtUp), settleBy);
  let lostAtEnd = 0;
  for (const t of live()) {
    for (const [room, next] of t.expectNext) {
      const missing = (lastIds.get(room) ?? 0) - (next - 1);
      if (missing !== 0) {
        lostAtEnd += Math.max(0, missing);
        violate(
          `client ${t.index} (${t.user}) is in ${room} up to #${next - 1}, the room is at #${lastIds.get(room) ?? 0}`,
        );
      }
    }
  }

  // The history: ids 1..n, each message once, each ack naming its message.
  let stored = 0;
  let duplicated = 0;
  let unacknowledged = 0;
  let lostAcked = 0;
  const storedTexts = new Map<string, number>();
  for (const room of rooms) {
    const { messages } = await store.since(room, 0, Number.MAX_SAFE_INTEGER);
    stored += messages.length;
    if ((lastIds.get(room) ?? 0) !== messages.length)
      violate(`${room}: core says #${lastIds.get(room)}, store holds ${messages.length}`);
    messages.forEach((message, i) => {
      if (message.id !== i + 1) violate(`${room}: history id ${message.id} at place ${i + 1}`);
      storedTexts.set(message.text, (storedTexts.get(message.text) ?? 0) + 1);
      if (!acks.has(message.text)) {
        unacknowledged++;
        violate(`${room} #${message.id} "${message.text}" was stored but never acknowledged`);
      }
      const seen = observed.get(room)?.get(message.id);
      if (seen !== undefined && seen !== contentOf(message))
        violate(
          `${room} #${message.id}: clients saw "${seen}", the history has "${contentOf(message)}"`,
        );
    });
    for (const [id] of observed.get(room) ?? []) {
      if (id > messages.length) violate(`${room}: clients saw #${id}, not in the history`);
    }
  }
  for (const [text, count] of storedTexts) {
    if (count > 1) {
      duplicated += count - 1;
      violate(`"${text}" stored ${count} times`);
    }
  }
  for (const [text, ack] of acks) {
    const { messages } = await store.since(ack.room, ack.id - 1, 1);
    const message = messages[0];
    if (message?.id !== ack.id || message.text !== text || message.ts !== ack.ts) {
      lostAcked++;
      violate(
        `"${text}" acknowledged as ${ack.room} #${ack.id}, the history has "${message?.text}"`,
      );
    }
  }

  // Close: every connection gone from the server, the rooms empty.
  log('soak: closing clients');
  await Promise.all(tracked.map((t) => t.client.close()));
  const emptied = await waitFor(() => server.stats().connections.length === 0, Date.now() + 10_000);
  if (!emptied)
    violate(
      `${server.stats().connections.length} connections still open after every client closed`,
    );
  for (const room of server.stats().rooms)
    if (room.members > 0) violate(`${room.room} still has ${room.members} members`);

  const report: Omit<SoakReport, 'memory' | 'durationMs' | 'violations'> = {
    options: { ...options, log: undefined },
    clientsCreated: counts.clientsCreated,
    sends: counts.sends,
    acked: counts.acked,
    refused,
    stored,
    lost: counts.lostLive + lostAtEnd + lostAcked,
    duplicated,
    unacknowledged,
    delivered: counts.delivered,
    late: counts.late,
    joins: counts.joins,
    rejoins: counts.rejoins,
    parts: counts.parts,
    drops: counts.drops,
    restarts: counts.restarts,
    welcomes: counts.welcomes,
    serverErrors,
    serverLogErrors,
    reconnectMs: {
      count: reconnects.count,
      mean: reconnects.count === 0 ? 0 : Math.round(reconnects.total / reconnects.count),
      max: reconnects.max,
    },
    eventLoopDelayMs: {
      p99: Math.round(loopDelay.percentile(99) / 1e6),
      max: Math.round(loopDelay.max / 1e6),
    },
  };
  loopDelay.disable();

  // Memory: the clients and this bookkeeping gone, what the server keeps is the history.
  tracked = [];
  observed = new Map();
  acks = new Map();
  storedTexts.clear();
  await sleep(200);
  const memoryEnd = measure(gc);
  clearInterval(sampler);
  const allowed = options.heapSlackBytes + stored * 1_024;
  if (memoryEnd.heapUsed - memoryStart.heapUsed > allowed) {
    violate(
      `heap grew from ${mb(memoryStart.heapUsed)} to ${mb(memoryEnd.heapUsed)} (allowed ${mb(allowed)} for ${stored} messages kept)`,
    );
  }

  await server.close();
  await team.dir.cleanup();
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
  if (violationCount > violations.length)
    violations.push(`... and ${violationCount - violations.length} more`);
  return {
    ...report,
    memory: { start: memoryStart, peak, end: memoryEnd, gc: gc !== undefined },
    durationMs: Date.now() - started,
    violations,
  };
}

/** The report as the lines the CLI prints. */
export function formatSummary(report: SoakReport): string {
  const { options: o, memory } = report;
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  const mem = (m: MemorySample) => `rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}`;
  return [
    `soak summary (seed ${o.seed}, ${o.seconds} s of actions, store delay ${o.storeDelayMs} ms)`,
    `  clients:     ${o.clients} at a time of ${o.users} users in ${o.rooms} rooms, ${report.clientsCreated} created (${report.restarts} restarts)`,
    `  actions:     ${report.joins} joins, ${report.rejoins} re-joins, ${report.parts} parts, ${report.drops} drops, ${report.welcomes} welcomes`,
    `  messages:    sent ${report.sends}, acked ${report.acked}, stored ${report.stored}, refused: ${counts(report.refused)}`,
    `  delivered:   ${report.delivered} (${report.late} late, after a part)`,
    `  lost ${report.lost}, duplicated ${report.duplicated}, unacknowledged ${report.unacknowledged}`,
    `  server errors: ${counts(report.serverErrors)}; error logs ${report.serverLogErrors}`,
    `  reconnects:  ${report.reconnectMs.count}, drop to welcome mean ${report.reconnectMs.mean} ms, max ${report.reconnectMs.max} ms; event loop delay p99 ${report.eventLoopDelayMs.p99} ms, max ${report.eventLoopDelayMs.max} ms`,
    `  memory:      start ${mem(memory.start)}; peak ${mem(memory.peak)}; end ${mem(memory.end)}${memory.gc ? '' : ' (no gc)'}`,
    `  duration:    ${(report.durationMs / 1_000).toFixed(1)} s`,
    report.violations.length === 0
      ? '  violations:  none'
      : `  violations:\n${report.violations.map((v) => `    - ${v}`).join('\n')}`,
  ].join('\n');
}

/**
 * A MemoryHistory whose appends take up to `delayMs` more to resolve, as a
 * disk's fsync does: kept in the order made, resolved later.
 */
class SlowHistory extends MemoryHistory {
  constructor(
    keep: number,
    private readonly delayMs: number,
    private readonly random: () => number,
  ) {
    super(keep);
  }

  override async append(conversation: string, message: StoredMessage): Promise<void> {
    await super.append(conversation, message);
    await sleep(Math.floor(this.random() * this.delayMs));
  }
}

// The socket is private: dropping it from outside is a network failure,
// where reconnectNow() is the user's own /reconnect.
function socketOf(client: ChatClient): TLSSocket | undefined {
  return (client as unknown as { socket?: TLSSocket }).socket;
}

function contentOf(message: StoredMessage): string {
  return `${message.from}\t${message.text}`;
}

/** gc() when the process has it (--expose-gc), else switched on now. */
function findGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

function measure(gc: (() => void) | undefined): MemorySample {
  gc?.();
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

async function waitFor(condition: () => boolean, deadline: number): Promise<boolean> {
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A small seeded PRNG: numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** 1 to 3 distinct items. */
function pickSome<T>(random: () => number, items: readonly T[]): T[] {
  const count = 1 + Math.floor(random() * Math.min(3, items.length));
  const pool = [...items];
  const chosen: T[] = [];
  for (let i = 0; i < count; i++)
    chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0] as T);
  return chosen;
}

function parseArgs(argv: readonly string[]): Partial<SoakOptions> {
  const names: Record<string, keyof SoakOptions> = {
    '--seconds': 'seconds',
    '--clients': 'clients',
    '--users': 'users',
    '--rooms': 'rooms',
    '--seed': 'seed',
    '--max-messages': 'maxMessages',
    '--action-ms': 'actionMs',
    '--store-delay-ms': 'storeDelayMs',
    '--settle-ms': 'settleMs',
  };
  const options: Record<string, number> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag = '', inline] = (argv[i] as string).split('=', 2);
    const name = names[flag];
    const value = Number(inline ?? argv[++i]);
    if (!name || !Number.isFinite(value) || value < 0) {
      throw new Error(
        `usage: soak.ts [${Object.keys(names).join(' N] [')} N] (got ${argv.join(' ')})`,
      );
    }
    options[name] = value;
  }
  return options as Partial<SoakOptions>;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let options: Partial<SoakOptions>;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const report = await runSoak({
    ...options,
    log: (line) => console.log(line),
  });
  console.log(formatSummary(report));
  process.exitCode = report.violations.length === 0 ? 0 : 1;
}
