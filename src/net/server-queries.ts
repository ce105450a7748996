import { ChatError } from '../errors.ts';
import type { ClientFrame, ServerFrameOf } from './protocol/frames.ts';

/** A question for the server answered by one frame of the same type: `list`, `whois` or `keys`. */
export type QueryRequest = Extract<ClientFrame, { type: 'list' | 'whois' | 'keys' }>;
/** The answer to a `QueryRequest`. */
export type QueryAnswer = ServerFrameOf<'list' | 'whois' | 'keys'>;

/**
 * The `list`, `whois` and `keys` questions in flight, by ref, so that an answer or
 * an error with that ref settles the right one. Pure: ClientCore asks it,
 * ChatClient keeps the promises.
 */
export class ServerQueries {
  private readonly refs = new Map<string, QueryRequest['type']>();

  /** Remembers a question about to be written. */
  ask(request: QueryRequest): void {
    this.refs.set(request.ref, request.type);
  }

  /** True when `answer` is the answer to a question in flight (which is then settled). */
  answered(answer: QueryAnswer): boolean {
    if (this.refs.get(answer.ref) !== answer.type) return false;
    this.refs.delete(answer.ref);
    return true;
  }

  /** True when `ref` names a question in flight (which an error has now settled). */
  failed(ref: string): boolean {
    return this.refs.delete(ref);
  }

  /** Every question in flight (ref and type), forgotten: the connection dropped. */
  drop(): Array<[string, QueryRequest['type']]> {
    const lost = [...this.refs.entries()];
    this.refs.clear();
    return lost;
  }
}

/** The error of a question asked while not connected, or lost with its connection. */
export function queryLost(type: QueryRequest['type'], connected: boolean): ChatError {
  return new ChatError(
    'CONNECT_FAILED',
    connected
      ? `the connection dropped before the ${type} answer arrived`
      : `not connected: ${type} is available once reconnected`,
  );
}
