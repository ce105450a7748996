import { ChatError } from '../errors.ts';
import { isDnsName } from '../net/host-name.ts';

/** A user name as it appears in a client certificate's CN: 1-32 of a-z 0-9 _ -. */
export const USER_NAME_PATTERN = /^[a-z0-9_-]{1,32}$/;

/**
 * Checks a user name for a client certificate. The name becomes the user's
 * identity on the server and a file name under clients/, so it is kept to a
 * small safe alphabet rather than escaped.
 */
export function validateUserName(name: string): string {
  if (!USER_NAME_PATTERN.test(name)) {
    throw new ChatError('INVALID_NAME', `invalid user name ${JSON.stringify(name)}`, {
      hint: 'use 1-32 characters of a-z, 0-9, _ and -',
    });
  }
  return name;
}

/**
 * Checks the name of one of a user's devices (`chat certs client alice
 * --device laptop`): the same alphabet as user names, for the same reason.
 */
export function validateDeviceName(name: string): string {
  if (!USER_NAME_PATTERN.test(name)) {
    throw new ChatError('INVALID_NAME', `invalid device name ${JSON.stringify(name)}`, {
      hint: 'use 1-32 characters of a-z, 0-9, _ and - (for example laptop, phone, desk-2)',
    });
  }
  return name;
}

/**
 * Checks a DNS name for the server certificate's subjectAltName. Wildcards are
 * refused: a team server has a name, and a wildcard key is a bigger prize.
 */
export function validateHostName(host: string): string {
  if (!isDnsName(host)) {
    throw new ChatError('INVALID_HOST', `invalid host name ${JSON.stringify(host)}`, {
      hint: 'give a DNS name such as chat.example.com with --host, or an address with --ip',
    });
  }
  return host.toLowerCase();
}
