import { ChatError } from '../errors.ts';
import { ChatClient } from './chat-client.ts';
import type { ClientCredentials } from './client-types.ts';
import type { ServerAddress } from './server-address.ts';

/** What one test connection found: welcomed as `user`, or why not. */
export type ConnectTest = { ok: true; user: string } | { ok: false; error: ChatError };

/** How long a test connection may take to reach `welcome`, in ms. */
export const CONNECT_TEST_TIMEOUT_MS = 5_000;

/**
 * Connects once to `server` with `credentials` (mutual TLS, hostname
 * verified, hello→welcome), with no reconnect and no password, then closes.
 * Never rejects: a failure comes back explained, as ChatClient explains it
 * (CONNECT_FAILED when nothing answers, CERT_REFUSED, SERVER_IDENTITY,
 * PASSWORD_REQUIRED once the certificate was taken…).
 */
export async function testConnection(
  server: ServerAddress,
  credentials: ClientCredentials,
  options: { clientName: string; timeoutMs?: number },
): Promise<ConnectTest> {
  const client = new ChatClient({
    host: server.host,
    port: server.port,
    credentials,
    clientName: options.clientName,
    reconnect: false,
    pingIntervalMs: 0,
    connectTimeoutMs: options.timeoutMs ?? CONNECT_TEST_TIMEOUT_MS,
    // A check, not the person arriving: nobody is told (quiet presence).
    script: true,
  });
  try {
    const welcome = await client.connect();
    return { ok: true, user: welcome.user };
  } catch (error) {
    return {
      ok: false,
      error:
        error instanceof ChatError
          ? error
          : new ChatError('CONNECT_FAILED', `cannot connect: ${String(error)}`),
    };
  } finally {
    await client.close();
  }
}
