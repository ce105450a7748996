import {
  type HelloFrame,
  MAX_ROOMS_PER_HELLO,
  PROTOCOL_VERSION,
  type ServerFrameOf,
} from './protocol/frames.ts';

/**
 * Where each conversation stands for this client: the rooms it is in, the
 * last message id seen per #room and @peer, and the server's epoch. From
 * them it drops replayed messages and writes the hello that resumes every
 * conversation after a reconnect. Pure: no socket, no clock.
 */
export class ResumePositions {
  /** Rooms this user is in, as the server last said. */
  readonly rooms = new Set<string>();
  /**
   * Last message id seen per conversation (#room or @peer), in order of last
   * activity: a conversation is moved to the end when a message arrives.
   */
  readonly lastSeen = new Map<string, number>();
  private epoch: string | undefined;
  private everWelcomed = false;

  /** `rooms`: the rooms to join on the first connection. */
  constructor(rooms: Iterable<string>) {
    for (const room of rooms) this.rooms.add(room);
  }

  /**
   * The first connection joins the rooms asked for; every later one resumes
   * each conversation from the last id seen (an empty resume keeps a user
   * who left every room out of the default one).
   */
  hello(clientName: string, backlog = 0): HelloFrame {
    const base = { type: 'hello' as const, v: PROTOCOL_VERSION, client: clientName };
    if (!this.everWelcomed) {
      // The backlog fills what this client has never seen; a reconnect's
      // resume replays what it missed instead.
      const first = backlog > 0 ? { ...base, backlog } : base;
      return this.rooms.size > 0 ? { ...first, join: [...this.rooms] } : first;
    }
    const resume: Record<string, number> = {};
    for (const room of this.rooms) resume[room] = this.lastSeen.get(room) ?? 0;
    // Direct conversations fill what rooms leave of the hello's limit, most
    // recent first.
    const peers = [...this.lastSeen.keys()].filter((k) => k.startsWith('@')).reverse();
    for (const peer of peers.slice(0, Math.max(0, MAX_ROOMS_PER_HELLO - this.rooms.size))) {
      resume[peer] = this.lastSeen.get(peer) ?? 0;
    }
    return { ...base, resume, ...(this.epoch === undefined ? {} : { epoch: this.epoch }) };
  }

  /** Takes the rooms and epoch of a welcome; true when it welcomes back (a reconnect). */
  welcome(frame: ServerFrameOf<'welcome'>): boolean {
    const reconnected = this.everWelcomed;
    const resumed = reconnected ? new Set(this.rooms) : new Set<string>();
    // Another epoch: the server restarted and lost its history, and replays
    // everything it has from id 0, so what was seen before no longer counts.
    if (this.epoch !== undefined && frame.epoch !== this.epoch) {
      for (const key of this.lastSeen.keys()) this.lastSeen.set(key, 0);
    }
    this.epoch = frame.epoch;
    this.everWelcomed = true;
    this.rooms.clear();
    for (const room of frame.rooms) {
      this.rooms.add(room.room);
      const seen = this.lastSeen.get(room.room);
      // A room met for the first time starts at its newest id; a resumed one
      // keeps its last seen id, so the replay that follows is not dropped,
      // unless the server's ids went back (it lost its history): then start over.
      if (
        !resumed.has(room.room) ||
        seen === undefined ||
        (seen > room.lastId && this.epoch === undefined)
      ) {
        this.lastSeen.set(room.room, room.lastId);
      }
    }
    return reconnected;
  }

  /** Counts a message id in a conversation; false for one already seen (a replay). */
  seen(conversation: string, id: number): boolean {
    if (id <= (this.lastSeen.get(conversation) ?? 0)) return false;
    this.lastSeen.delete(conversation); // re-inserted last: the map is in order of activity
    this.lastSeen.set(conversation, id);
    return true;
  }

  /**
   * The user's direct conversations as the `unread` frame lists them (most
   * recent first): one met for the first time starts at its newest id, as a
   * room does at welcome, so that a later reconnect resumes it (a DM stored
   * while the user was offline is then replayed, not lost). One already
   * known keeps its position: the replay that follows must not be dropped.
   */
  directConversations(entries: readonly { room: string; lastId: number }[]): void {
    for (const entry of [...entries].reverse()) {
      if (entry.room.startsWith('@') && !this.lastSeen.has(entry.room)) {
        this.lastSeen.set(entry.room, entry.lastId);
      }
    }
  }

  /** This user is in `room`, whose newest id is `lastId`. */
  joined(room: string, lastId: number): void {
    // A repeated state (a join of a room already in) counts messages
    // still being stored: moving lastSeen up to it would drop them.
    if (!this.rooms.has(room)) {
      this.lastSeen.set(room, Math.max(this.lastSeen.get(room) ?? 0, lastId));
    }
    this.rooms.add(room);
  }

  /** This user left `room`; its position stays, for a later join. */
  left(room: string): void {
    this.rooms.delete(room);
  }
}
