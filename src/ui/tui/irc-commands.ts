import { ChatError } from '../../errors.ts';
import type { ChatClient, ModerateAct } from '../../net/chat-client.ts';
import type { EditTarget } from '../input/input-keys.ts';
import { type ChatAction, type ChatState, lastOwnMessage } from '../state/chat-state.ts';
import { listLines, namesLine, whoisLines } from '../text/server-answers.ts';

/** What the irssi-style commands act on. */
export interface IrcCommandContext {
  client: ChatClient;
  state: ChatState;
  dispatch: (action: ChatAction) => void;
  notice: (text: string) => void;
}

/** Lines in the conversation on screen, dim: the answer to a command. */
export function show(to: Pick<IrcCommandContext, 'dispatch'>, lines: readonly string[]): void {
  to.dispatch({ type: 'systemLines', lines, now: Date.now() });
}

/** A command that failed, as one notice naming it. */
export function failed(
  to: Pick<IrcCommandContext, 'notice'>,
  command: string,
): (error: unknown) => void {
  return (error) =>
    to.notice(`${command}: ${error instanceof Error ? error.message : String(error)}`);
}

/** `/names #room`: from what the TUI already knows of a room the user is in; operators as `@name`. */
export function names(room: string, to: IrcCommandContext): void {
  const conversation = to.state.conversations[room];
  if (conversation?.kind !== 'room') {
    to.notice(`you are not in ${room}: /join ${room}`);
    return;
  }
  const ops = new Set([...(conversation.ops ?? []), ...(to.state.operators ?? [])]);
  show(to, [namesLine(room, conversation.members, ops)]);
}

// A refused act or edit, as one line where the user looks: the server's
// words (they say who may, or until when), else the client's.
function refused(to: IrcCommandContext, command: string): (error: unknown) => void {
  return (error) => {
    const why = error instanceof Error ? error.message : String(error);
    const code = error instanceof ChatError ? error.hint : undefined;
    const fix = code === undefined ? undefined : FIXES[code];
    show(to, [`${command}: ${why}${fix ? ` (${fix})` : ''}`]);
  };
}

// What to do about the refusals of section 8 of docs/PROTOCOL.md, by code.
const FIXES: Readonly<Record<string, string>> = {
  not_operator: 'ask an operator of the room; /names marks them with @',
  muted: 'you may read, not send, until the mute ends',
  banned: 'until the ban ends or an operator lifts it',
  not_author: 'only its author may edit it',
  no_such_message: 'it may have been deleted',
};

/** `/kick`, `/ban`, `/mute`, `/op`, `/mode`…: the act is shown by the server's `moderated` line. */
export function moderate(act: ModerateAct, to: IrcCommandContext): void {
  const what =
    act.action === 'topic-lock' || act.action === 'topic-unlock'
      ? `/mode ${act.room ?? ''} ${act.action === 'topic-lock' ? '+t' : '-t'}`
      : [`/${act.action}`, act.room ?? '-server', act.user].filter(Boolean).join(' ');
  to.client.moderate(act).then(() => {}, refused(to, what));
}

/** Sends `text` as the new text of `target`; the server's `update` shows it. */
export function editMessage(target: EditTarget, text: string, to: IrcCommandContext): void {
  to.client.edit(target.conversation, target.id, text).then(() => {}, refused(to, 'edit'));
}

/** `/delete`: the user's last message in the current conversation. */
export function deleteLast(to: IrcCommandContext): void {
  const last = lastOwnMessage(to.state, to.state.current);
  if (last === undefined) {
    to.notice('no message of yours here to delete');
    return;
  }
  to.client.delete(last.conversation, last.id).then(() => {}, refused(to, 'delete'));
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
