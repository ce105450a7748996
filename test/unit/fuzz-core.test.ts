import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type {
  ClientFrame,
  HelloFrame,
  Limits,
  ServerFrame,
  StoredMessage,
} from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import { dmKey } from '../../src/server/conversations.ts';
import type { ConnId, Effect } from '../../src/server/core-effects.ts';
import type { CoreOptions } from '../../src/server/core-state.ts';

/**
 * Property tests of ChatCore as its members see it. Random joins, parts,
 * sends, resends, disconnects and reconnects (with resume) drive a core with
 * fake connection ids and a fake clock; the test carries out the effects the
 * way ChatServer does (appends chained per conversation and finished at
 * random later steps, replays that finish later, a per-connection
 * `lastDelivered` as in Connection) and plays each device the way ChatClient
 * does. The seed is fixed; FUZZ_SEED=<n> explores others.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0xc0_4e);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

const EPOCH = 'fuzz-epoch';
const ROOMS = ['#general', '#a', '#b'] as const;
/** ann has three devices and may connect two at once: the third meets too_many_devices. */
const DEVICE_USERS = ['ann', 'ann', 'ann', 'bob', 'bob', 'cyd', 'cyd'] as const;
const USERS = ['ann', 'bob', 'cyd'] as const;

const LIMITS: Limits = {
  maxFrameBytes: 4096,
  maxTextChars: 100,
  // No rate limit: the clock only stamps messages here.
  ratePerSecond: 1e9,
  rateBurst: 1e9,
  maxHistory: 50,
};

const OPTIONS: CoreOptions = {
  serverName: 'chat/fuzz',
  motd: '',
  defaultRoom: '#general',
  limits: LIMITS,
  maxDevicesPerUser: 2,
  violationBurst: 1,
  violationRefillPerSecond: 1,
  // More than a run sends: a resend is always of a remembered ref.
  refMemory: 10_000,
  maxRoomsPerUser: 50,
  maxRooms: 100,
  // Few: rooms made again after they were forgotten meet the cap, and a refused join must lose nothing.
  maxRoomsCreatedPerHour: 3,
  epoch: EPOCH,
};

/** Totals over all runs, to check the walks reached what they check. */
const reached = {
  messages: 0,
  reacks: 0,
  replayed: 0,
  refused: 0,
  filtered: 0,
  resumes: 0,
  lostAcks: 0,
  late: 0,
  closes: 0,
  dms: 0,
  forgotten: 0,
  roomRefusals: 0,
  /** Frames about a user to others, checked against quiet presence (hello.script). */
  announced: 0,
  scriptHellos: 0,
};

/** A send or, with `to`, a direct message. */
interface Send {
  ref: string;
  /** The conversation: the room, or the dm key. */
  conversation: string;
  room: string;
  to?: string;
  text: string;
}

type Task = () => void;

/** Connection's delivery rules: each message once per connection, live ones held behind a replay. */
class ConnModel {
  readonly lastDelivered = new Map<string, number>();
  readonly replaying = new Map<string, StoredMessage[]>();
  /** Last message id written per room, to check the wire itself. */
  readonly wire = new Map<string, number>();

  constructor(
    readonly id: ConnId,
    readonly device: Device,
    private readonly world: World,
  ) {}

  deliver(conversation: string, message: StoredMessage): void {
    const waiting = this.replaying.get(conversation);
    if (waiting) {
      waiting.push(message);
      return;
    }
    if (message.id <= (this.lastDelivered.get(conversation) ?? 0)) return;
    this.lastDelivered.set(conversation, message.id);
    this.world.write(this.id, message);
  }

  beginReplay(conversation: string): void {
    if (!this.replaying.has(conversation)) this.replaying.set(conversation, []);
  }

  endReplay(conversation: string, replayed: readonly StoredMessage[]): void {
    for (const message of replayed) {
      if (message.id <= (this.lastDelivered.get(conversation) ?? 0)) continue;
      this.lastDelivered.set(conversation, message.id);
      reached.replayed++;
      this.world.write(this.id, message);
    }
    const waiting = this.replaying.get(conversation) ?? [];
    this.replaying.delete(conversation);
    for (const message of waiting) this.deliver(conversation, message);
  }
}

/** One ChatClient: its rooms, last seen ids, outbox of unacknowledged sends, and what it saw. */
class Device {
  conn: ConnId | undefined;
  everWelcomed = false;
  readonly rooms: Set<string>;
  readonly lastSeen = new Map<string, number>();
  readonly outbox: Send[] = [];
  /** Every send made, with its ref and room, so a resend can repeat one. */
  readonly sent: Send[] = [];
  readonly acks = new Map<string, { id: number; ts: number }>();
  /** Messages accepted (emitted as `message`), per room. */
  readonly seen = new Map<string, StoredMessage[]>();
  /**
   * Per room this device is in: the next id it must see. Set when a
   * membership starts (from the id the client starts at), kept over a
   * resume, advanced by every message: a message with a higher id is a loss.
   */
  readonly expectNext = new Map<string, number>();
  private nextRef = 1;

  constructor(
    readonly index: number,
    readonly user: string,
    initialRooms: readonly string[],
    private readonly world: World,
    /** A program's connection (`hello.script`), not the person's. */
    readonly script = false,
  ) {
    this.rooms = new Set(initialRooms);
  }

  get name(): string {
    return `device ${this.index} (${this.user})`;
  }

  /** A new send to `room`, or a direct message to `to`, put in the outbox. */
  newSend(room: string, to?: string): Send {
    const n = this.nextRef++;
    const send: Send = {
      ref: `d${this.index}-${n}`,
      conversation: to === undefined ? room : dmKey(this.user, to),
      room,
      ...(to === undefined ? {} : { to }),
      text: `${this.user} d${this.index} #${n}`,
    };
    this.sent.push(send);
    this.outbox.push(send);
    return send;
  }

  /** ChatClient.hello: join on the first connection, resume every room afterwards. */
  hello(): HelloFrame {
    const base = {
      type: 'hello' as const,
      v: 1,
      client: 'fuzz/1',
      ...(this.script ? { script: true } : {}),
    };
    if (!this.everWelcomed) return this.rooms.size > 0 ? { ...base, join: [...this.rooms] } : base;
    const resume: Record<string, number> = {};
    for (const room of this.rooms) resume[room] = this.lastSeen.get(room) ?? 0;
    return { ...base, resume, epoch: EPOCH };
  }

  /** ChatClient.onFrame, with the checks of what a member must see. */
  receive(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome': {
        const resumed = this.everWelcomed ? new Set(this.rooms) : new Set<string>();
        if (this.everWelcomed) reached.resumes++;
        this.everWelcomed = true;
        const open = new Map(this.expectNext);
        this.rooms.clear();
        this.expectNext.clear();
        for (const room of frame.rooms) {
          this.rooms.add(room.room);
          if (!resumed.has(room.room) || !this.lastSeen.has(room.room))
            this.lastSeen.set(room.room, room.lastId);
          // A resumed room goes on where it was; any other starts where the client starts.
          const goesOn = resumed.has(room.room) ? open.get(room.room) : undefined;
          this.expectNext.set(room.room, goesOn ?? (this.lastSeen.get(room.room) ?? 0) + 1);
        }
        // Every send not yet acknowledged goes out again, with its ref, in order.
        for (const send of this.outbox) this.write(sendFrame(send));
        break;
      }
      case 'msg': {
        if (frame.id <= (this.lastSeen.get(frame.room) ?? 0)) {
          reached.filtered++;
          return;
        }
        this.lastSeen.set(frame.room, frame.id);
        const next = this.expectNext.get(frame.room);
        if (next === undefined) {
          // Delivered while the user was a member, but held behind a replay
          // that ended after the part: late, not lost or twice.
          reached.late++;
        } else {
          assert.equal(
            frame.id,
            next,
            `${this.name} lost ${frame.room} #${next}..#${frame.id - 1} (it is in the room)`,
          );
          this.expectNext.set(frame.room, frame.id + 1);
        }
        const seen = this.seen.get(frame.room) ?? [];
        seen.push(frame);
        this.seen.set(frame.room, seen);
        break;
      }
      case 'ack': {
        const prior = this.acks.get(frame.ref);
        if (prior)
          assert.deepEqual(
            { id: frame.id, ts: frame.ts },
            prior,
            `${this.name}: a resend of ${frame.ref} is acknowledged as the original`,
          );
        else this.acks.set(frame.ref, { id: frame.id, ts: frame.ts });
        this.settle(frame.ref);
        break;
      }
      case 'joined':
        if (frame.user === this.user && frame.state) {
          // The proposed fix: a repeated state (a join of a room the client is
          // in) counts messages still being stored, so it must not move lastSeen.
          const repeated = this.rooms.has(frame.room);
          this.rooms.add(frame.room);
          if (!repeated)
            this.lastSeen.set(
              frame.room,
              Math.max(this.lastSeen.get(frame.room) ?? 0, frame.state.lastId),
            );
          if (!this.expectNext.has(frame.room))
            this.expectNext.set(frame.room, (this.lastSeen.get(frame.room) ?? 0) + 1);
        }
        break;
      case 'left':
        if (frame.user === this.user) {
          this.rooms.delete(frame.room);
          this.expectNext.delete(frame.room);
        }
        break;
      case 'error':
        if (frame.code === 'too_many_rooms') reached.roomRefusals++;
        if (frame.ref !== undefined) {
          assert.ok(
            frame.code === 'not_member' || frame.code === 'unknown_user',
            `${this.name}: ${frame.code} ${frame.message}`,
          );
          if (this.settle(frame.ref)) reached.refused++;
        }
        break;
      default:
        break;
    }
  }

  write(frame: ClientFrame): void {
    if (this.conn !== undefined) this.world.outgoing.push({ conn: this.conn, frame });
  }

  private settle(ref: string): boolean {
    const index = this.outbox.findIndex((s) => s.ref === ref);
    if (index >= 0) this.outbox.splice(index, 1);
    return index >= 0;
  }
}

function sendFrame(send: Send): ClientFrame {
  if (send.to !== undefined) return { type: 'dm', to: send.to, text: send.text, ref: send.ref };
  return { type: 'send', room: send.room, text: send.text, ref: send.ref };
}

/** The server around the core: connections, a store, chains of appends and replays that end later. */
class World {
  readonly core = new ChatCore(OPTIONS);
  now = 1_000_000;
  private nextConn = 1;
  readonly conns = new Map<ConnId, ConnModel>();
  readonly store = new Map<string, StoredMessage[]>();
  /** The last id of each conversation, from the message effects. */
  private readonly assigned = new Map<string, number>();
  /** user + ref -> the message stored for it. */
  private readonly storedRefs = new Map<string, { conversation: string; id: number; ts: number }>();
  private readonly chains = new Map<string, Task[]>();
  private readonly replays: Task[] = [];
  /** Frames devices wrote, read by the server after it has finished what it is doing. */
  readonly outgoing: Array<{ conn: ConnId; frame: ClientFrame }> = [];
  readonly devices: Device[];

  /**
   * @param visibleAtOnce a message is in the store as soon as its append
   * begins (MemoryHistory), else only once its append is done.
   */
  constructor(
    private readonly visibleAtOnce: boolean,
    initialRooms: ReadonlyArray<readonly string[]>,
    scripts: readonly boolean[] = [],
  ) {
    this.devices = DEVICE_USERS.map(
      (user, i) => new Device(i, user, initialRooms[i] ?? [], this, scripts[i] ?? false),
    );
  }

  /** True while `user` has a person's connection open (not only scripts'). */
  private personOnline(user: string): boolean {
    return [...this.conns.values()].some((c) => c.device.user === user && !c.device.script);
  }

  /**
   * Quiet presence: others hear of a user's coming, going, joins and parts
   * only while a person's connection of theirs is open, and of their going
   * (`left` quit, `presence` offline) only once none is.
   */
  private checkAnnounced(to: readonly ConnId[], frame: ServerFrame): void {
    if (frame.type !== 'presence' && frame.type !== 'joined' && frame.type !== 'left') return;
    const others = to.filter((conn) => this.conns.get(conn)?.device.user !== frame.user);
    if (others.length === 0) return;
    reached.announced++;
    const going =
      (frame.type === 'left' && frame.reason === 'quit') ||
      (frame.type === 'presence' && frame.status === 'offline');
    assert.equal(
      this.personOnline(frame.user),
      !going,
      `${frame.type} about ${frame.user} to others while ${going ? 'a person is' : 'only scripts are'} connected`,
    );
  }

  connect(device: Device): void {
    if (device.conn !== undefined) return;
    const conn = new ConnModel(this.nextConn++, device, this);
    this.conns.set(conn.id, conn);
    device.conn = conn.id;
    if (device.script) reached.scriptHellos++;
    this.apply(this.core.hello(conn.id, device.user, device.hello(), this.tick()));
    this.readAll();
  }

  disconnect(device: Device): void {
    if (device.conn === undefined) return;
    this.close(device.conn);
    this.readAll();
  }

  /** A frame the device writes now, on its current connection. */
  say(device: Device, frame: ClientFrame): void {
    device.write(frame);
    this.readAll();
  }

  /** Finishes one pending append (the oldest of a conversation) or replay, chosen by `k`. */
  step(k: number): boolean {
    const heads = [...this.chains.keys()];
    const count = heads.length + this.replays.length;
    if (count === 0) return false;
    const pick = k % count;
    if (pick < heads.length) {
      const conversation = heads[pick] as string;
      const chain = this.chains.get(conversation) as Task[];
      const task = chain.shift() as Task;
      if (chain.length === 0) this.chains.delete(conversation);
      task();
    } else {
      const [task] = this.replays.splice(pick - heads.length, 1);
      task?.();
    }
    this.readAll();
    return true;
  }

  drain(): void {
    while (this.step(0));
  }

  write(conn: ConnId, frame: ServerFrame): void {
    const model = this.conns.get(conn);
    if (!model) return;
    if (frame.type === 'msg') {
      const last = model.wire.get(frame.room) ?? 0;
      assert.ok(
        frame.id > last,
        `connection ${conn} got ${frame.room} #${frame.id} after #${last}: each message once, in order`,
      );
      model.wire.set(frame.room, frame.id);
    }
    model.device.receive(frame);
  }

  tick(ms = 1): number {
    this.now += ms;
    return this.now;
  }

  lastStoredId(conversation: string): number {
    return this.store.get(conversation)?.at(-1)?.id ?? 0;
  }

  private readAll(): void {
    while (this.outgoing.length > 0) {
      const { conn, frame } = this.outgoing.shift() as { conn: ConnId; frame: ClientFrame };
      if (this.conns.has(conn)) this.apply(this.receive(conn, frame, this.tick()));
    }
  }

  private receive(conn: ConnId, frame: ClientFrame, now: number): Effect[] {
    return this.core.receive(conn, frame, now);
  }

  private close(conn: ConnId): void {
    const model = this.conns.get(conn);
    if (!model) return;
    this.conns.delete(conn);
    if (model.device.conn === conn) model.device.conn = undefined;
    this.apply(this.core.disconnect(conn, this.tick()));
  }

  private append(conversation: string, message: StoredMessage): void {
    const list = this.store.get(conversation) ?? [];
    assert.equal(message.id, (list.at(-1)?.id ?? 0) + 1, `${conversation} is stored in id order`);
    list.push(message);
    this.store.set(conversation, list);
  }

  private chain(conversation: string, task: Task): void {
    const chain = this.chains.get(conversation) ?? [];
    chain.push(task);
    this.chains.set(conversation, chain);
  }

  private apply(effects: readonly Effect[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'frames':
          this.checkAnnounced(effect.to, effect.frame);
          for (const conn of effect.to) {
            assert.ok(this.conns.has(conn), `a frame to closed connection ${conn}`);
            this.write(conn, effect.frame);
          }
          break;
        case 'message': {
          const { conversation, message, ack } = effect;
          const id = (this.assigned.get(conversation) ?? 0) + 1;
          assert.equal(message.id, id, `${conversation}: ids go up by one`);
          this.assigned.set(conversation, id);
          const key = `${message.from}\0${ack.ref}`;
          assert.ok(!this.storedRefs.has(key), `${key} stored twice`);
          this.storedRefs.set(key, { conversation, id, ts: message.ts });
          assert.ok(
            this.core.recipients(conversation).includes(ack.conn),
            'the sender is a member',
          );
          reached.messages++;
          if (message.type === 'dm') reached.dms++;
          if (this.visibleAtOnce) this.append(conversation, message);
          this.chain(conversation, () => {
            if (!this.visibleAtOnce) this.append(conversation, message);
            for (const conn of this.core.recipients(conversation))
              this.conns.get(conn)?.deliver(conversation, message);
            if (this.conns.has(ack.conn))
              this.write(ack.conn, { type: 'ack', ref: ack.ref, id, ts: message.ts });
            else reached.lostAcks++;
          });
          break;
        }
        case 'reack': {
          const user = this.core.userOf(effect.conn) ?? '';
          const original = this.storedRefs.get(`${user}\0${effect.ref}`);
          assert.deepEqual(
            { conversation: effect.conversation, id: effect.id, ts: effect.ts },
            original,
            `reack of ${effect.ref} names its original`,
          );
          reached.reacks++;
          this.chain(effect.conversation, () => {
            if (!this.conns.has(effect.conn)) return;
            assert.ok(this.core.sentAs(user, effect.ref, effect.id) !== undefined);
            const { ref, id, ts } = effect;
            this.write(effect.conn, { type: 'ack', ref, id, ts });
          });
          break;
        }
        case 'replay': {
          const conn = this.conns.get(effect.conn);
          if (!conn) break;
          conn.beginReplay(effect.conversation);
          // MemoryHistory answers from what it holds when asked.
          const list = this.store.get(effect.conversation) ?? [];
          const replayed = list.filter((m) => m.id > effect.afterId);
          this.replays.push(() => {
            if (this.conns.get(conn.id) === conn) conn.endReplay(effect.conversation, replayed);
          });
          break;
        }
        case 'close':
          reached.closes++;
          this.close(effect.conn);
          break;
        case 'history':
          break;
      }
    }
  }
}

type Op =
  | { op: 'connect' | 'disconnect'; d: number }
  | { op: 'join' | 'part' | 'send'; d: number; r: number }
  | { op: 'dm'; d: number; u: number }
  | { op: 'resend'; d: number; k: number }
  | { op: 'io'; k: number }
  | { op: 'tick'; ms: number };

const device = fc.nat({ max: DEVICE_USERS.length - 1 });
const room = fc.nat({ max: ROOMS.length - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('connect' as const), d: device }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('disconnect' as const), d: device }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('join' as const), d: device, r: room }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('part' as const), d: device, r: room }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('send' as const), d: device, r: room }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('dm' as const),
      d: device,
      u: fc.nat({ max: USERS.length - 1 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('resend' as const), d: device, k: fc.nat() }),
  },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('io' as const), k: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.nat(5_000) }) },
);

const scenarioShape = {
  visibleAtOnce: fc.boolean(),
  initialRooms: fc.array(fc.subarray([...ROOMS]), {
    minLength: DEVICE_USERS.length,
    maxLength: DEVICE_USERS.length,
  }),
  ops: fc.array(op, { minLength: 10, maxLength: 150, size: 'max' }),
  /** Which devices are programs (`hello.script`), not people. */
  scripts: fc.array(fc.boolean(), {
    minLength: DEVICE_USERS.length,
    maxLength: DEVICE_USERS.length,
  }),
};
const scenario = fc.record(scenarioShape);

/**
 * A room the core holds has members or history (the walk sets no topic):
 * an empty one with nothing kept is forgotten. Counts the rooms seen going.
 */
function checkRooms(world: World, before: ReadonlySet<string>): Set<string> {
  const now = new Set<string>();
  for (const room of world.core.roomSummaries()) {
    assert.ok(room.members > 0 || room.lastId > 0, `${room.room} is empty and kept`);
    now.add(room.room);
  }
  for (const room of before) if (!now.has(room)) reached.forgotten++;
  return now;
}

function play(world: World, ops: readonly Op[]): void {
  let rooms = new Set<string>();
  for (const o of ops) {
    rooms = checkRooms(world, rooms);
    if (o.op === 'io') {
      world.step(o.k);
      continue;
    }
    if (o.op === 'tick') {
      world.tick(o.ms);
      continue;
    }
    const d = world.devices[o.d] as Device;
    switch (o.op) {
      case 'connect':
        world.connect(d);
        break;
      case 'disconnect':
        world.disconnect(d);
        break;
      case 'join':
      case 'part':
        world.say(d, { type: o.op, room: ROOMS[o.r] as string });
        break;
      case 'send':
        // Made offline too: it waits in the outbox for the next welcome.
        world.say(d, sendFrame(d.newSend(ROOMS[o.r] as string)));
        break;
      case 'dm':
        world.say(d, sendFrame(d.newSend('', USERS[o.u] as string)));
        break;
      case 'resend': {
        // The same frame again (a resend after a lost ack): ChatClient's refs make it safe.
        const send = d.sent[o.k % Math.max(1, d.sent.length)];
        if (!send) break;
        // Awaiting an answer again: it goes out again after a reconnect too.
        if (!d.outbox.includes(send)) d.outbox.push(send);
        world.say(d, sendFrame(send));
        break;
      }
    }
  }
}

/**
 * Brings every device up to date, one at a time (two at once could be one
 * too many for its user): first each alone writes out what its outbox still
 * holds, then, the history now final, each alone resumes and must catch up.
 */
function settle(world: World): void {
  for (const d of world.devices) world.disconnect(d);
  world.drain();
  for (const d of world.devices) {
    world.connect(d);
    world.drain();
    world.disconnect(d);
    world.drain();
    assert.deepEqual(d.outbox, [], `${d.name}: every send is acknowledged or refused`);
  }
  for (const d of world.devices) {
    world.connect(d);
    world.drain();
    for (const room of d.rooms) {
      assert.equal(
        (d.expectNext.get(room) ?? 0) - 1,
        world.lastStoredId(room),
        `${d.name} caught up on ${room} after resume`,
      );
    }
    world.disconnect(d);
    world.drain();
  }
}

function checkHistory(world: World): void {
  const texts = new Map<string, number>();
  for (const [conversation, list] of world.store) {
    list.forEach((message, i) => {
      assert.equal(message.id, i + 1, `${conversation} ids are 1..n`);
      texts.set(message.text, (texts.get(message.text) ?? 0) + 1);
    });
  }
  for (const [text, count] of texts) assert.equal(count, 1, `"${text}" stored ${count} times`);
  for (const d of world.devices) {
    for (const send of d.sent) {
      const ack = d.acks.get(send.ref);
      // Kept, so its sender must have been told so, whatever became of the first ack.
      if (texts.has(send.text))
        assert.ok(ack, `${d.name}: ${send.ref} was stored but refused or never acknowledged`);
      if (!ack) continue;
      const stored = world.store.get(send.conversation)?.[ack.id - 1];
      assert.equal(stored?.text, send.text, `${d.name}: ack of ${send.ref} names its message`);
      assert.equal(stored?.from, d.user);
      assert.equal(stored?.ts, ack.ts);
    }
    // Every member sees the order of the history: the same messages, ids increasing.
    for (const [room, seen] of d.seen) {
      const list = world.store.get(room) ?? [];
      for (let i = 0; i < seen.length; i++) {
        const message = seen[i] as StoredMessage;
        if (i > 0) assert.ok(message.id > (seen[i - 1] as StoredMessage).id, `${d.name}: order`);
        assert.deepEqual(message, list[message.id - 1], `${d.name} saw ${room} #${message.id}`);
      }
    }
  }
}

function check() {
  return ({
    visibleAtOnce,
    initialRooms,
    ops,
    scripts,
  }: {
    visibleAtOnce: boolean;
    initialRooms: string[][];
    ops: Op[];
    scripts: boolean[];
  }) => {
    const world = new World(visibleAtOnce, initialRooms, scripts);
    play(world, ops);
    settle(world);
    checkHistory(world);
  };
}

describe('fuzz: ChatCore as its members see it', () => {
  after(() => {
    // The walks must have reached what the properties are about.
    for (const [what, count] of Object.entries(reached))
      assert.ok(count > 0, `no run reached ${what}`);
  });

  // Found two real bugs, now fixed: a client that joined a room it was
  // already in while a message was being stored skipped that message for
  // good, and a resend whose ack was lost was refused (not_member after a
  // part) although its original was kept.
  it('keeps ids increasing, one order for all, no loss or duplicate over resume, resends acked once', () => {
    fc.assert(fc.property(scenario, check()), {
      seed: SEED,
      numRuns: RUNS,
      includeErrorInReport: true,
    });
  });
});
