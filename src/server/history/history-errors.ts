import { ChatError } from '../../errors.ts';
import type { ScanProblem } from './segment-scan.ts';

/** The one line for a store that cannot be opened as it is; nothing was changed. */
export function damagedError(file: string, problem: ScanProblem, recordsAfter?: string): ChatError {
  return new ChatError(
    'HISTORY_DAMAGED',
    `${file}: ${problem.what} at byte ${problem.offset}${recordsAfter ?? ''}; nothing was changed`,
    {
      hint: `run \`chat history verify\` for the whole picture; restore ${file} from a backup, or move it out of the directory to start without what it holds`,
    },
  );
}

export function wrongKeyError(dir: string, storeKeyId: Buffer, givenKeyId: Buffer): ChatError {
  return new ChatError(
    'HISTORY_KEY_WRONG',
    `the history in ${dir} was sealed with another key (key id ${storeKeyId.toString('hex')}, this one is ${givenKeyId.toString('hex')}); nothing was changed`,
    {
      hint: 'start with the history key or passphrase it was made with (certs/history.key from your backup, or the same --history-passphrase-env)',
    },
  );
}
