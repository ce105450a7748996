/**
 * The search overlay's state, as a reducer: closed, waiting for the
 * server's answer, showing results with one selected, or showing why the
 * search failed. Pure; answers to an older search are ignored (each search
 * has a number).
 */
import { ChatError } from '../../errors.ts';
import type { StoredMessage } from '../../net/protocol/frames.ts';

/** What was searched: the words as typed, and the conversation (`#room`, `@user`) if one. */
export type SearchQuery = { readonly text: string; readonly room?: string | undefined };

/** The overlay. `seq` numbers the searches of a session. */
export type SearchView =
  | { readonly status: 'closed'; readonly seq: number }
  | { readonly status: 'searching'; readonly seq: number; readonly query: SearchQuery }
  | {
      readonly status: 'results';
      readonly seq: number;
      readonly query: SearchQuery;
      /** Newest first. */
      readonly messages: readonly StoredMessage[];
      /** The server left some unsearched (its limit or time budget). */
      readonly more: boolean;
      /** Index into `messages`. */
      readonly selected: number;
    }
  | {
      readonly status: 'failed';
      readonly seq: number;
      readonly query: SearchQuery;
      /** One line. */
      readonly error: string;
    };

/** Everything that changes the overlay. */
export type SearchAction =
  | { type: 'start'; query: SearchQuery }
  | { type: 'answer'; seq: number; messages: readonly StoredMessage[]; more: boolean }
  | { type: 'failed'; seq: number; error: string }
  /** Moves the selection `by` results (negative: up), stopping at the ends. */
  | { type: 'move'; by: number }
  | { type: 'close' };

/** No search yet. */
export const closedSearch: SearchView = { status: 'closed', seq: 0 };

/** The overlay after `action`. */
export function searchReducer(view: SearchView, action: SearchAction): SearchView {
  switch (action.type) {
    case 'start':
      return { status: 'searching', seq: view.seq + 1, query: action.query };
    case 'answer':
      if (view.status !== 'searching' || view.seq !== action.seq) return view;
      // Newest first whatever order arrived: the server's is, a merge of several may not be.
      return {
        status: 'results',
        seq: view.seq,
        query: view.query,
        messages: [...action.messages].sort((a, b) => b.ts - a.ts || b.id - a.id),
        more: action.more,
        selected: 0,
      };
    case 'failed':
      if (view.status !== 'searching' || view.seq !== action.seq) return view;
      return { status: 'failed', seq: view.seq, query: view.query, error: action.error };
    case 'move': {
      if (view.status !== 'results' || view.messages.length === 0) return view;
      const selected = Math.max(0, Math.min(view.messages.length - 1, view.selected + action.by));
      return selected === view.selected ? view : { ...view, selected };
    }
    case 'close':
      return view.status === 'closed' ? view : { status: 'closed', seq: view.seq };
  }
}

/** The conversation a found message belongs to, as the TUI names it: `#room`, or `@` + the other party. */
export function conversationOfMessage(message: StoredMessage, me: string | undefined): string {
  if ('room' in message) return message.room;
  return `@${message.from === me ? message.to : message.from}`;
}

/** Why a search failed, in one line for the overlay. */
export function searchErrorLine(error: unknown): string {
  if (!(error instanceof ChatError)) return `search failed: ${String(error)}`;
  if (error.code === 'SERVER_ERROR') {
    switch (error.hint) {
      case 'not_member':
        return `search: ${error.message}`;
      case 'store_failed':
        return 'search: the server could not read its history (store_failed): try again later';
      case 'rate_limited':
        return 'search: too many requests: wait a moment and try again';
      default:
        return `search: ${error.message}${error.hint ? ` (${error.hint})` : ''}`;
    }
  }
  if (error.code === 'CONNECT_FAILED') return 'search: not connected: try again once reconnected';
  return `search: ${error.message}`;
}
