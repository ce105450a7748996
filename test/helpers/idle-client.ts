import { EventEmitter } from 'node:events';
import type { ChatClientEvents } from '../../src/net/client-types.ts';
import type { Conversation, Line } from '../../src/ui/state/chat-types.ts';

/**
 * What App reads of a ChatClient, doing nothing: it never connects (the
 * test emits the frames), and history pages are empty. Extend it for a
 * test that records calls.
 */
export class IdleClient extends EventEmitter<ChatClientEvents> {
  readonly facts = { tlsVersion: 'TLSv1.3' };
  connect(): Promise<void> {
    return new Promise(() => {});
  }
  async close(): Promise<void> {}
  markRead(): void {}
  history(room: string) {
    return Promise.resolve({ type: 'history' as const, room, messages: [], more: false });
  }
}

/** `#general` holding `lines`, nothing unread, nothing more to load. */
export function roomOf(lines: readonly Line[]): Conversation {
  return {
    name: '#general',
    kind: 'room',
    topic: '',
    members: [],
    lines,
    unread: 0,
    mention: false,
    lastActivity: 0,
    lastId: lines.length,
    hasMore: false,
    pendingIds: [],
  };
}
