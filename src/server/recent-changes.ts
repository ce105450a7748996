import type { StoredMessage } from '../net/protocol/frames.ts';

/** Changes remembered per conversation, at most; older ones are forgotten first. */
export const RECENT_CHANGES_PER_CONVERSATION = 1_000;

interface Change {
  /** The conversation's newest id when the change was made. */
  lastId: number;
  message: StoredMessage;
}

/**
 * The newest edits and deletions of each conversation, in memory, so that a
 * client resuming from an id hears of changes to messages it had already
 * seen (docs/PROTOCOL.md section 7, Edits and deletions). Pure: no clock.
 */
export class RecentChanges {
  private readonly byConversation = new Map<string, Change[]>();

  constructor(private readonly perConversation = RECENT_CHANGES_PER_CONVERSATION) {}

  /** Notes that `message` changed while the conversation's newest id was `lastId`. */
  record(conversation: string, lastId: number, message: StoredMessage): void {
    let changes = this.byConversation.get(conversation);
    if (!changes) {
      changes = [];
      this.byConversation.set(conversation, changes);
    }
    changes.push({ lastId, message });
    if (changes.length > this.perConversation)
      changes.splice(0, changes.length - this.perConversation);
  }

  /**
   * What a client that had seen the conversation up to `afterId` may have
   * missed: each message with an id up to `afterId` changed while the
   * conversation's newest id was at least `afterId`, as it is now (its
   * newest change), in the order of those changes.
   */
  since(conversation: string, afterId: number): StoredMessage[] {
    const newest = new Map<number, StoredMessage>();
    for (const { lastId, message } of this.byConversation.get(conversation) ?? []) {
      if (lastId < afterId || message.id > afterId) continue;
      // Deleted and set again: its place moves to the newest change.
      newest.delete(message.id);
      newest.set(message.id, message);
    }
    return [...newest.values()];
  }
}
