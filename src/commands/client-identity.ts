import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ChatError } from '../errors.ts';
import { listBySuffix, readOptional } from '../fs/files.ts';
import type { ClientCredentials } from '../net/client-types.ts';
import { clientPaths, credentialUser, pkiLayout } from '../pki/layout.ts';

/**
 * Picks the client certificate to connect with from a certs directory:
 * `--user` when given (`alice`, or `alice@phone` for a further device's),
 * else the login name's, else the only one there is.
 */
export async function loadClientCredentials(
  certsDir: string,
  user: string | undefined,
  loginName: string,
): Promise<{ user: string; credentials: ClientCredentials }> {
  const layout = pkiLayout(certsDir);
  const ca = await readOptional(layout.caCert);
  if (ca === undefined) {
    throw new ChatError('NO_CLIENT_CERT', `${layout.caCert} is missing`, {
      hint: 'run `chat certs` (on the server machine), or `chat join FILE` with the invite your admin gave you',
    });
  }
  const names = (await listBySuffix(layout.clientsDir, '.crt')).map((n) => basename(n, '.crt'));
  const chosen =
    user ?? (names.includes(loginName) ? loginName : names.length === 1 ? names[0] : undefined);
  if (chosen === undefined || !names.includes(chosen)) {
    const have = names.length === 0 ? 'none' : names.join(', ');
    throw new ChatError(
      'NO_CLIENT_CERT',
      `no client certificate for ${chosen ?? loginName} in ${layout.clientsDir} (have: ${have})`,
      {
        hint:
          names.length > 1
            ? 'choose one with --user NAME'
            : 'issue one with `chat certs client NAME`, or `chat join FILE` with an invite',
      },
    );
  }
  // A further device's files are named user@device; its certificate's CN is the user.
  const owner = credentialUser(chosen);
  const paths = clientPaths(
    layout,
    owner,
    chosen === owner ? undefined : chosen.slice(owner.length + 1),
  );
  try {
    const [cert, key] = await Promise.all([
      readFile(paths.cert, 'utf8'),
      readFile(paths.key, 'utf8'),
    ]);
    return { user: owner, credentials: { ca, cert, key } };
  } catch (cause) {
    throw new ChatError('NO_CLIENT_CERT', `cannot read ${paths.cert} and its key`, {
      hint: 'check the files and their permissions',
      cause,
    });
  }
}
