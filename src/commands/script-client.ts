import pkg from '../../package.json' with { type: 'json' };
import { ChatClient } from '../net/chat-client.ts';
import { loadClientCredentials } from './client-identity.ts';
import { loginName } from './login-name.ts';

/** Options `chat send` and `chat tail` share: where to connect, as whom. */
export interface ClientArgs {
  host: string;
  port: number;
  certs: string;
  user?: string;
  room: string;
}

/** Builds a client for a scripting command from its flags. */
export async function scriptClient(
  args: ClientArgs,
  program: string,
  reconnect: boolean,
): Promise<ChatClient> {
  const { credentials } = await loadClientCredentials(args.certs, args.user, loginName());
  return new ChatClient({
    host: args.host,
    port: args.port,
    credentials,
    clientName: `${program}/${pkg.version}`,
    rooms: [args.room],
    reconnect,
    pingIntervalMs: 0,
  });
}
