import { userInfo } from 'node:os';
import { ChatError } from '../errors.ts';

/**
 * The login name, the default user name. In containers a uid may have no
 * passwd entry, where userInfo() throws: $USER or $LOGNAME stand in, and
 * without them the user is asked for --user.
 */
export function loginName(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return userInfo().username;
  } catch {
    const fromEnv = env.USER || env.LOGNAME;
    if (fromEnv) return fromEnv;
    throw new ChatError('USAGE', 'cannot tell your login name (no passwd entry, no $USER)', {
      hint: 'give your user name with --user NAME',
    });
  }
}
