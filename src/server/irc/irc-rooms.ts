/**
 * The rooms one IRC client is in, as the server told it: each room's
 * members, topic and operators, the server's operators, and the rooms asked
 * for with JOIN and not yet joined. Kept to answer NAMES, WHO and TOPIC and
 * to know where the client may speak. Pure: no I/O.
 */
import type { ModerationAction, RoomState } from '../../net/protocol/frames.ts';

interface Room {
  members: Set<string>;
  topic: string;
  ops: Set<string>;
}

/** The client's rooms, by their (lower-case) names. */
export class RoomBook {
  private readonly rooms = new Map<string, Room>();
  /** Rooms asked for with JOIN and not yet joined. */
  private readonly joining = new Set<string>();
  /** The server's operators (they operate every room). */
  private operators = new Set<string>();

  /** The server's operators, as the welcome names them. */
  setOperators(users: readonly string[]): void {
    this.operators = new Set(users);
  }

  /** JOIN asked for `room`: the client may speak there before the server says it joined. */
  asked(room: string): void {
    this.joining.add(room);
  }

  /** The client joined `room`, which is as `state` says. */
  entered(room: string, state: RoomState): void {
    this.joining.delete(room);
    this.rooms.set(room, {
      members: new Set(state.members),
      topic: state.topic,
      ops: new Set(state.ops ?? []),
    });
  }

  /** Someone else joined `room`. */
  arrived(room: string, user: string): void {
    this.rooms.get(room)?.members.add(user);
  }

  /** `user` left `room` (parted, quit or was kicked); `self` when that is the client. */
  left(room: string, user: string, self: boolean): void {
    this.rooms.get(room)?.members.delete(user);
    if (self) this.rooms.delete(room);
  }

  /** An operator's act on `user` in `room`: op and deop change its operators, a kick takes the user out. */
  acted(room: string, action: ModerationAction, user: string, self: boolean): void {
    if (action === 'op' || action === 'deop') this.opSet(room, user, action === 'op');
    else if (action === 'kick') this.left(room, user, self);
  }

  /** The topic of `room` is now `text`. */
  topicSet(room: string, text: string): void {
    const state = this.rooms.get(room);
    if (state !== undefined) state.topic = text;
  }

  private opSet(room: string, user: string, on: boolean): void {
    const ops = this.rooms.get(room)?.ops;
    if (on) ops?.add(user);
    else ops?.delete(user);
  }

  /** The client is in `room`. */
  has(room: string): boolean {
    return this.rooms.has(room);
  }

  /** The client is in `room` or asked to join it: a bot speaks right after its JOIN. */
  mayReach(room: string): boolean {
    return this.rooms.has(room) || this.joining.has(room);
  }

  /** The rooms the client is in. */
  list(): string[] {
    return [...this.rooms.keys()];
  }

  /** The topic of a room the client is in (`''`: none set). */
  topic(room: string): string | undefined {
    return this.rooms.get(room)?.topic;
  }

  /** The members of `room`, sorted (none when the client is not in it). */
  members(room: string): string[] {
    return [...(this.rooms.get(room)?.members ?? [])].sort();
  }

  /** The members of `room` as NAMES gives them, sorted, operators marked `@`. */
  prefixedMembers(room: string): string[] {
    const ops = this.rooms.get(room)?.ops;
    return this.members(room).map((member) =>
      this.operators.has(member) || (ops?.has(member) ?? false) ? `@${member}` : member,
    );
  }
}
