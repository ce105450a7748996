import type { StoredMessage } from '../../net/protocol/frames.ts';

/** What the search overlay asks: `ChatClient.search` (see src/net/chat-client.ts). */
export type Searcher = {
  /**
   * Messages holding every word of `text`, newest first, in `room` (`#room`
   * or `@user`) or in every conversation of the user; `more` when the
   * server left some unsearched. Rejects with a ChatError (`SERVER_ERROR`
   * with the server's code as hint, or `CONNECT_FAILED`).
   */
  search(
    text: string,
    opts?: { room?: string; limit?: number },
  ): Promise<{ messages: StoredMessage[]; more: boolean }>;
};
