import { ChatError } from '../errors.ts';
import type { ChatClient } from '../net/chat-client.ts';
import {
  MAX_SEARCH_CHARS,
  MAX_SEARCH_RESULTS,
  type StoredMessage,
} from '../net/protocol/frames.ts';
import { searchWords } from '../net/search-words.ts';
import { safeJson } from '../ui/text/sanitize.ts';
import { formatSearchLine } from './format-message.ts';
import { type ClientArgs, scriptClient } from './script-client.ts';

/** `chat history search`'s flags: where to connect, and what to look for where. */
export interface HistorySearchArgs extends Omit<ClientArgs, 'room'> {
  words: string[];
  /** One conversation: a #room you are in, or @user (your DMs with them). */
  room?: string | undefined;
  /** Most matches, 1 to 100. */
  limit?: number | undefined;
  json?: boolean | undefined;
}

/** Where it writes: matches on stdout, notes on stderr. */
export interface HistorySearchIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** What it is built from; tests pass a client of their own. */
export interface HistorySearchDeps {
  createClient?: (args: HistorySearchArgs) => Promise<ChatClient>;
}

/**
 * `chat history search WORDS`: asks the server for the messages of the
 * user's own conversations that hold every word, and prints them newest
 * first, as text lines or (`--json`) as the msg/dm frames, one a line.
 * No match is not a failure: nothing on stdout, and in text mode "no match"
 * on stderr. The connection joins no room: its hello is a plain one.
 */
export async function runHistorySearch(
  args: HistorySearchArgs,
  io: HistorySearchIo,
  deps: HistorySearchDeps = {},
): Promise<void> {
  const text = args.words.join(' ').trim();
  checkSearch(text, args.limit);
  // --room is where to search, not a room to join: the hello names none.
  const create =
    deps.createClient ??
    (({ room: _scope, ...a }: HistorySearchArgs) => scriptClient(a, 'chat-search', false));
  const client = await create(args);
  try {
    const welcome = await client.connect();
    const found = await client
      .search(text, {
        ...(args.room === undefined ? {} : { room: args.room }),
        ...(args.limit === undefined ? {} : { limit: args.limit }),
      })
      .catch((error: unknown) => {
        throw explained(error);
      });
    for (const message of found.messages) {
      io.out(args.json ? safeJson(message) : formatSearchLine(message, welcome.user));
    }
    if (found.messages.length === 0 && !args.json) io.err('no match');
    if (found.more) io.err(moreNote(found.messages));
  } finally {
    await client.close();
  }
}

// Refused before connecting: a search the server could never take.
function checkSearch(text: string, limit: number | undefined): void {
  if (searchWords(text).length === 0) {
    throw new ChatError('USAGE', 'there is nothing to search for', {
      hint: 'give the words: chat history search deploy friday',
    });
  }
  if (text.length > MAX_SEARCH_CHARS) {
    throw new ChatError('USAGE', `the search is ${text.length} characters long`, {
      hint: `give at most ${MAX_SEARCH_CHARS} characters of words`,
    });
  }
  if (
    limit !== undefined &&
    (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_RESULTS)
  ) {
    throw new ChatError('USAGE', `invalid --limit ${String(limit)}`, {
      hint: `give a whole number from 1 to ${MAX_SEARCH_RESULTS}`,
    });
  }
}

// The server's not_member, with what to do about it instead of its code.
function explained(error: unknown): unknown {
  if (!(error instanceof ChatError) || error.hint !== 'not_member') return error;
  return new ChatError('SERVER_ERROR', error.message, {
    hint: 'or leave out --room to search every room you are in',
    cause: error,
  });
}

function moreNote(messages: StoredMessage[]): string {
  const shown =
    messages.length === 0 ? 'none found in time' : `the newest ${messages.length} shown`;
  return `more may match (${shown}): add words, or narrow it with --room`;
}
