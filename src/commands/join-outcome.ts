import { ChatError } from '../errors.ts';
import type { ConnectTest } from '../net/connect-test.ts';
import { formatServerAddress, type ServerAddress } from '../net/server-address.ts';

/** One server of an invite and what a test connection to it found. */
export interface TriedServer {
  server: ServerAddress;
  result: ConnectTest;
}

/**
 * What `chat join` says once the profile is installed: a line on stdout and
 * exit 0 when the server welcomed the new member, asked for their password
 * (so it took the certificate), or could not be reached (the profile is
 * fine; `chat tui` connects later); an error, exit 1, when a server answered
 * and refused the certificate or could not be trusted. `tried` is in the
 * order tried; only the last may have answered. Pure.
 */
export function joinOutcome(
  user: string,
  tried: readonly TriedServer[],
): { line: string } | { error: ChatError } {
  const last = tried.at(-1);
  if (last === undefined) throw new Error('joinOutcome needs a server tried');
  const where = formatServerAddress(last.server);
  if (last.result.ok) return { line: `connected to ${where} as ${last.result.user}` };
  const { error } = last.result;
  switch (error.code) {
    case 'CONNECT_FAILED': {
      if (tried.length === 1) {
        return {
          line: `installed; the server at ${where} is not reachable now (${error.message}): \`chat tui\` connects once it is`,
        };
      }
      const reasons = tried
        .map(
          (t) => `${formatServerAddress(t.server)}: ${t.result.ok ? 'ok' : t.result.error.message}`,
        )
        .join('; ');
      return {
        line: `installed; none of the team's servers is reachable now (${reasons}): \`chat tui\` connects once one is`,
      };
    }
    case 'PASSWORD_REQUIRED':
      return {
        line: `installed; the server at ${where} took the certificate and asks for ${user}'s password: \`chat tui\` asks for it`,
      };
    case 'CERT_REFUSED': {
      const reason = error.message.replace(/^the server at \S+ refused your certificate:?\s*/, '');
      return {
        error: new ChatError(
          'CERT_REFUSED',
          `installed, but the server at ${where} refused the certificate (${reason || 'no reason given'})`,
          { hint: "ask your team's admin for a new invite (`chat invite NAME --force`)" },
        ),
      };
    }
    default: {
      // The address came from the invite, not from flags: a hint to check
      // --host and --port goes to the invite's author instead.
      const hint =
        error.code === 'NOT_A_CHAT_SERVER' || error.hint?.startsWith('check --host')
          ? `the invite names ${where}: ask your admin whether that is the team's chat server`
          : error.hint;
      return {
        error: new ChatError(
          error.code,
          `installed, but the test connection to ${where} failed: ${error.message}`,
          hint === undefined ? {} : { hint },
        ),
      };
    }
  }
}
