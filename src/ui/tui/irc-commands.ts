import type { ChatClient } from '../../net/chat-client.ts';
import type { ChatAction, ChatState } from '../state/chat-state.ts';
import { listLines, namesLine, whoisLines } from '../text/server-answers.ts';

/** What the irssi-style commands act on. */
export interface IrcCommandContext {
  client: ChatClient;
  state: ChatState;
  dispatch: (action: ChatAction) => void;
  notice: (text: string) => void;
}

function show(to: IrcCommandContext, lines: readonly string[]): void {
  to.dispatch({ type: 'systemLines', lines, now: Date.now() });
}

function failed(to: IrcCommandContext, command: string): (error: unknown) => void {
  return (error) =>
    to.notice(`${command}: ${error instanceof Error ? error.message : String(error)}`);
}

/** `/names #room`: from what the TUI already knows of a room the user is in. */
export function names(room: string, to: IrcCommandContext): void {
  const conversation = to.state.conversations[room];
  if (conversation?.kind !== 'room') to.notice(`you are not in ${room}: /join ${room}`);
  else show(to, [namesLine(room, conversation.members)]);
}

/** `/list`: asks the server, answers as lines in the current conversation. */
export function listRooms(to: IrcCommandContext): void {
  to.client.list().then((answer) => show(to, listLines(answer)), failed(to, '/list'));
}

/** `/whois user`: asks the server, answers as lines in the current conversation. */
export function whois(user: string, to: IrcCommandContext): void {
  to.client
    .whois(user)
    .then((answer) => show(to, whoisLines(answer)), failed(to, `/whois ${user}`));
}
