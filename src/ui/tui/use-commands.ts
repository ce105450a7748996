import { useCallback, useRef } from 'react';
import { ChatError, describeError } from '../../errors.ts';
import type { ChatClient } from '../../net/chat-client.ts';
import type { DmKeyring } from '../../net/e2ee/dm-keyring.ts';
import { sendSealed } from '../../net/e2ee/sealed-send.ts';
import { linksNewestFirst } from '../components/message-rows.ts';
import type { IgnoreRequest } from '../hooks/use-ignore.ts';
import { parseInput } from '../input/command-parser.ts';
import type { EditTarget } from '../input/input-keys.ts';
import type { SearchQuery } from '../search/search-state.ts';
import { type ChatAction, type ChatState, lastOwnMessage } from '../state/chat-state.ts';
import { accept, verify } from './identity-commands.ts';
import { deleteLast, editMessage, listRooms, moderate, names, whois } from './irc-commands.ts';
import { openLink, openNotice } from './open-link.ts';
import type { SetRequest } from './set-command.ts';

/** Commands carried out by hooks of their own (settings, the search overlay). */
export type CommandHandlers = {
  set: (request: SetRequest, notice: (text: string) => void) => void;
  search: (query: SearchQuery) => void;
  ignore: (request: IgnoreRequest, notice: (text: string) => void) => void;
  /** `/edit` without text: the message goes into the input line to edit. */
  startEdit: (target: EditTarget) => void;
};

/** Messages one /history loads, the server's cap permitting. */
const HISTORY_PAGE = 50;

/**
 * Turns a submitted input line into what it means: a message to the current
 * conversation (shown as pending until the server acknowledges it), or a
 * command. Wrong input becomes a one-line notice, never a message; it returns
 * false when the draft should stay in the input (a message too long to send).
 */
export function useCommands(
  client: ChatClient,
  state: ChatState,
  dispatch: (action: ChatAction) => void,
  onQuit: () => void,
  handlers: CommandHandlers,
  keyring?: DmKeyring,
): (line: string) => unknown {
  const nextLocalId = useRef(1);
  const stateRef = useRef(state);
  stateRef.current = state;

  const say = useCallback(
    (conversation: string, text: string, action: boolean) => {
      const localId = `l${nextLocalId.current++}`;
      dispatch({ type: 'pendingAdded', localId, conversation, text, action });
      const peer = conversation.slice(1);
      const sent = conversation.startsWith('#')
        ? client.send(conversation, text, { action })
        : keyring
          ? sendSealed(client, keyring, peer, { text, ...(action ? { action: true } : {}) }, () =>
              dispatch({
                type: 'notice',
                text: `your DM to ${peer} waits: ${peer} has a new certificate (/verify ${peer} or /accept ${peer})`,
              }),
            )
          : client.dm(peer, text, { action });
      sent.then(
        (ack) => dispatch({ type: 'pendingAcked', localId, id: ack.id }),
        (error: unknown) =>
          dispatch({
            type: 'pendingFailed',
            localId,
            error: error instanceof ChatError ? describeError(error) : String(error),
            now: Date.now(),
          }),
      );
    },
    [client, dispatch, keyring],
  );

  return useCallback(
    (line: string) => {
      const state = stateRef.current;
      const parsed = parseInput(line, { current: state.current ?? '#general' });
      const notice = (text: string) => dispatch({ type: 'notice', text });
      return runCommand(parsed, {
        client,
        state,
        dispatch,
        say,
        notice,
        onQuit,
        handlers,
        keyring,
      });
    },
    [client, dispatch, onQuit, say, handlers, keyring],
  );
}

/** What a command acts on and with. */
interface CommandContext {
  client: ChatClient;
  state: ChatState;
  dispatch: (action: ChatAction) => void;
  say: (conversation: string, text: string, action: boolean) => void;
  notice: (text: string) => void;
  onQuit: () => void;
  handlers: CommandHandlers;
  keyring: DmKeyring | undefined;
}

type Parsed = ReturnType<typeof parseInput>;

// Carries out one parsed line; false keeps the draft in the input.
function runCommand(parsed: Parsed, to: CommandContext): unknown {
  const { client, state, notice } = to;
  const current = state.current;
  switch (parsed.kind) {
    case 'empty':
      return;
    case 'say':
    case 'me':
      return sayChecked(parsed.text, parsed.kind === 'me', to);
    case 'join':
      // Only a join asked for here switches to the room (a script's does not).
      to.dispatch({ type: 'joinAsked', room: parsed.room });
      return tell(`/join ${parsed.room}`, () => client.join(parsed.room), notice);
    case 'part':
      return tell(`/part ${parsed.room}`, () => client.part(parsed.room), notice);
    case 'msg':
      to.dispatch({ type: 'openDm', peer: parsed.to });
      if (parsed.text) to.say(`@${parsed.to}`, parsed.text, false);
      return;
    case 'who': {
      const members = current ? (state.conversations[current]?.members ?? []) : [];
      return notice(`${current ?? ''}: ${members.length} here: ${members.join(', ')}`);
    }
    case 'names':
      return names(parsed.room, to);
    case 'list':
      return listRooms(to);
    case 'whois':
      return whois(parsed.user, to);
    case 'verify':
      return verify(parsed.user, parsed.confirm, to);
    case 'accept':
      return accept(parsed.user, to);
    case 'ignore':
    case 'unignore':
      return to.handlers.ignore(parsed, notice);
    case 'moderate': {
      const { kind: _, ...act } = parsed;
      return moderate(act, to);
    }
    case 'edit': {
      const last = lastOwnMessage(state, current);
      if (last === undefined) return notice('no message of yours here to edit');
      if (parsed.text === undefined) {
        return to.handlers.startEdit({
          conversation: last.conversation,
          id: last.id,
          original: last.text,
        });
      }
      return editMessage({ ...last, original: last.text }, parsed.text, to);
    }
    case 'delete':
      return deleteLast(to);
    case 'close':
      // A room is left as with /part; a DM window just closes (the messages stay on the server),
      // as does a room an operator put the user out of.
      if (parsed.name.startsWith('#') && state.conversations[parsed.name]?.left === undefined)
        return tell(`/part ${parsed.name}`, () => client.part(parsed.name), notice);
      return to.dispatch({ type: 'closeConversation', name: parsed.name });
    case 'topic':
      return topic(parsed.text, to);
    case 'away':
      return tell(`/away ${parsed.text}`, () => client.away(parsed.text), notice);
    case 'back':
      return tell('/back', () => client.back(), notice);
    case 'history':
      return olderHistory(to);
    case 'search':
      return to.handlers.search({ text: parsed.text, room: parsed.room });
    case 'open':
      return openNth(parsed.n, to);
    case 'set':
      return to.handlers.set(parsed, notice);
    case 'clear':
      return to.dispatch({ type: 'clear' });
    case 'help':
      return to.dispatch({ type: 'toggleHelp' });
    case 'quit':
      return to.onQuit();
    case 'error':
      return notice(parsed.hint);
  }
}

// A message to the current conversation. One over the server's limit is
// refused here, with the draft kept to shorten (false), rather than sent to fail.
function sayChecked(text: string, action: boolean, to: CommandContext): unknown {
  const current = to.state.current;
  if (!current) return to.notice('not in any conversation yet: /join #room or /msg user');
  // Put out of the room by an operator: the room stays readable, nothing goes to it.
  if (to.state.conversations[current]?.left !== undefined) {
    to.notice(`you are not in ${current}: /join ${current} to come back`);
    return false;
  }
  const max = to.state.limits?.maxTextChars;
  if (max !== undefined && text.length > max) {
    to.notice(`too long to send: ${text.length} characters, the server takes ${max}`);
    return false;
  }
  return to.say(current, text, action);
}

// `/topic` shows the current room's topic; `/topic TEXT` sets it, `/topic ""` clears it.
function topic(text: string | undefined, to: CommandContext): unknown {
  const current = to.state.current;
  if (!current?.startsWith('#')) return to.notice('topics belong to rooms: switch to one first');
  if (text === undefined) {
    const topic = to.state.conversations[current]?.topic;
    return to.notice(topic ? `topic of ${current}: ${topic}` : `${current} has no topic`);
  }
  const command = text === '' ? '/topic (clear)' : `/topic ${text}`;
  return tell(command, () => to.client.setTopic(current, text), to.notice);
}

// `/open N`: the Nth link of the conversation's loaded lines, counted from the newest.
function openNth(n: number, to: CommandContext): void {
  const current = to.state.current;
  const links = linksNewestFirst(
    current === undefined ? [] : (to.state.conversations[current]?.lines ?? []),
  );
  const url = links[n - 1];
  if (url === undefined) {
    const where = current ?? 'this window';
    const count = `${links.length} link${links.length === 1 ? '' : 's'}`;
    to.notice(
      links.length === 0
        ? `no links in ${where}`
        : `no link ${n}: ${where} has ${count}, 1 the newest`,
    );
    return;
  }
  openLink(url, (outcome) => to.notice(openNotice(n, url, outcome)));
}

// `/history`: the page before the oldest message shown.
function olderHistory(to: CommandContext): void {
  const current = to.state.current;
  if (!current) return;
  const conversation = to.state.conversations[current];
  if (conversation && !conversation.hasMore) {
    to.notice('no older messages are kept');
    return;
  }
  to.client
    .history(current, {
      limit: HISTORY_PAGE,
      ...(conversation?.oldestId === undefined ? {} : { before: conversation.oldestId }),
    })
    .catch((error: unknown) =>
      to.notice(`history: ${error instanceof Error ? error.message : String(error)}`),
    );
}

// A command typed while disconnected waits for the reconnect, and one the
// client cannot keep is refused: either way the user is told, none is lost silently.
function tell(
  command: string,
  run: () => ReturnType<ChatClient['join']>,
  notice: (text: string) => void,
): void {
  try {
    if (run() === 'queued') notice(`not connected: ${command} will be sent once reconnected`);
  } catch (error) {
    if (!(error instanceof ChatError)) throw error;
    notice(`${command}: ${describeError(error)}`);
  }
}
