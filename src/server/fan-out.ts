import type { ServerFrame, StoredMessage } from '../net/protocol/frames.ts';
import type { ChatCore } from './chat-core.ts';
import { toWire } from './connection.ts';
import type { ConnectionTable } from './connection-table.ts';
import type { ConnId } from './core-effects.ts';
import type { DeliveryGate } from './delivery-gate.ts';

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
  /**
   * Runs `run` once message `id` was handed to this node's members (an
   * update must not overtake its message); at once when absent.
   */
  afterDelivered?(conversation: string, id: number, run: () => void): void;
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

/**
 * The fan-out of one node of several on a shared store: a message kept here
 * goes to this node's members through the gate, which also takes the
 * messages the other nodes keep (from the store's feed), so this node's
 * connections get each conversation in id order, each message once. The
 * other nodes hear this node's messages from the store itself.
 */
export class ClusterFanOut implements FanOut {
  constructor(
    private readonly local: FanOut,
    private readonly gate: Pick<DeliveryGate, 'offer' | 'afterDelivered'>,
  ) {}

  send(to: readonly ConnId[], frame: ServerFrame): void {
    this.local.send(to, frame);
  }

  publish(conversation: string, message: StoredMessage): void {
    this.gate.offer(conversation, message);
  }

  afterDelivered(conversation: string, id: number, run: () => void): void {
    this.gate.afterDelivered(conversation, id, run);
  }
}
