import { useCallback, useRef } from 'react';
import { ChatError, describeError } from '../../errors.ts';
import type { ChatClient } from '../../net/chat-client.ts';
import { parseInput } from '../input/command-parser.ts';
import type { ChatAction, ChatState } from '../state/chat-state.ts';

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
): (line: string) => unknown {
  const nextLocalId = useRef(1);
  const stateRef = useRef(state);
  stateRef.current = state;

  const say = useCallback(
    (conversation: string, text: string, action: boolean) => {
      const localId = `l${nextLocalId.current++}`;
      dispatch({ type: 'pendingAdded', localId, conversation, text, action });
      const sent = conversation.startsWith('#')
        ? client.send(conversation, text, { action })
        : client.dm(conversation.slice(1), text, { action });
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
    [client, dispatch],
  );

  return useCallback(
    (line: string) => {
      const current = stateRef.current.current;
      const parsed = parseInput(line, { current: current ?? '#general' });
      const notice = (text: string) => dispatch({ type: 'notice', text });
      switch (parsed.kind) {
        case 'empty':
          return;
        case 'say':
        case 'me':
          if (!current) return notice('not in any conversation yet: /join #room or /msg user');
          {
            // Refused here, with the draft kept to shorten, rather than sent to fail.
            const max = stateRef.current.limits?.maxTextChars;
            if (max !== undefined && parsed.text.length > max) {
              notice(`too long to send: ${parsed.text.length} characters, the server takes ${max}`);
              return false;
            }
          }
          return say(current, parsed.text, parsed.kind === 'me');
        case 'join':
          return tell(`/join ${parsed.room}`, () => client.join(parsed.room), notice);
        case 'part':
          return tell(`/part ${parsed.room}`, () => client.part(parsed.room), notice);
        case 'msg':
          dispatch({ type: 'openDm', peer: parsed.to });
          if (parsed.text) say(`@${parsed.to}`, parsed.text, false);
          return;
        case 'who': {
          const members = current ? (stateRef.current.conversations[current]?.members ?? []) : [];
          return notice(`${current ?? ''}: ${members.length} here: ${members.join(', ')}`);
        }
        case 'topic':
          if (!current?.startsWith('#'))
            return notice('topics belong to rooms: switch to one first');
          if (parsed.text === undefined) {
            const topic = stateRef.current.conversations[current]?.topic;
            return notice(topic ? `topic of ${current}: ${topic}` : `${current} has no topic`);
          }
          {
            const text = parsed.text;
            const command = text === '' ? '/topic (clear)' : `/topic ${text}`;
            return tell(command, () => client.setTopic(current, text), notice);
          }
        case 'away':
          return tell(`/away ${parsed.text}`, () => client.away(parsed.text), notice);
        case 'back':
          return tell('/back', () => client.back(), notice);
        case 'history': {
          if (!current) return;
          const conversation = stateRef.current.conversations[current];
          if (conversation && !conversation.hasMore) return notice('no older messages are kept');
          client
            .history(current, {
              limit: HISTORY_PAGE,
              ...(conversation?.oldestId === undefined ? {} : { before: conversation.oldestId }),
            })
            .catch((error: unknown) =>
              notice(`history: ${error instanceof Error ? error.message : String(error)}`),
            );
          return;
        }
        case 'clear':
          return dispatch({ type: 'clear' });
        case 'help':
          return dispatch({ type: 'toggleHelp' });
        case 'quit':
          return onQuit();
        case 'error':
          return notice(parsed.hint);
      }
    },
    [client, dispatch, onQuit, say],
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
