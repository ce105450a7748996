import { useEffect, useSyncExternalStore } from 'react';
import type { ChatClient } from '../../net/chat-client.ts';
import type { ChatClientEvents, PasswordRequest } from '../../net/client-types.ts';
import type { ChatAction } from '../state/chat-state.ts';
import type { PasswordPrompter } from '../tui/password-prompter.ts';

const never = () => () => {};
const nothing = () => undefined;

/**
 * The password question to show, if any. A wrong password (the server's
 * `auth_failed`, final for the client) is said as a notice and the client
 * connects again, so the server asks again and the person can retype it. A
 * lock-out (`auth_locked`) is not retried: the screen shows its reason.
 */
export function usePasswordLogin(
  client: ChatClient,
  prompter: PasswordPrompter | undefined,
  dispatch: (action: ChatAction) => void,
): PasswordRequest | undefined {
  const request = useSyncExternalStore(prompter?.subscribe ?? never, prompter?.current ?? nothing);
  useEffect(() => {
    if (prompter === undefined) return;
    let retry: NodeJS.Immediate | undefined;
    const onState = (...[state, detail]: ChatClientEvents['state']) => {
      if (state !== 'offline' || detail.error?.code !== 'AUTH_FAILED') return;
      dispatch({ type: 'notice', text: detail.error.message });
      // After the client has finished with the failed connection.
      retry = setImmediate(() => {
        client.connect().catch(() => {
          // Shown through the client's state events, with the fix.
        });
      });
    };
    client.on('state', onState);
    return () => {
      client.off('state', onState);
      if (retry !== undefined) clearImmediate(retry);
    };
  }, [client, prompter, dispatch]);
  return request;
}
