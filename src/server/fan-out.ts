import type { ServerFrame, StoredMessage } from '../net/protocol/frames.ts';
import type { ChatCore } from './chat-core.ts';
import { toWire } from './connection.ts';
import type { ConnectionTable } from './connection-table.ts';
import type { ConnId } from './core-effects.ts';

/**
 * Where the effect interpreter sends what ChatCore asks to be sent: the
 * seam a shared broker (several server nodes on one Redis) plugs into, so
 * that a message stored on one node reaches the members on every node.
 */
export interface FanOut {
  /** Sends one frame to connections of this node, by id. */
  send(to: readonly ConnId[], frame: ServerFrame): void;
  /** Hands a stored message to every member of its conversation; called in id order. */
  publish(conversation: string, message: StoredMessage): void;
}

/** The fan-out of a server alone: every member is a connection of this process. */
export class LocalFanOut implements FanOut {
  constructor(
    private readonly conns: Pick<ConnectionTable, 'get'>,
    private readonly members: Pick<ChatCore, 'recipients'>,
  ) {}

  send(to: readonly ConnId[], frame: ServerFrame): void {
    // Serialized once for all of them.
    const wire = toWire(frame);
    for (const id of to) this.conns.get(id)?.send(wire);
  }

  publish(conversation: string, message: StoredMessage): void {
    const wire = toWire(message);
    for (const id of this.members.recipients(conversation))
      this.conns.get(id)?.deliver(conversation, message.id, wire);
  }
}
