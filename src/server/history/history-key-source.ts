import { readFile } from 'node:fs/promises';
import { ChatError } from '../../errors.ts';
import { errorCode, fileError } from '../../fs/files.ts';
import {
  type HistoryKeys,
  KEY_FILE_BYTES,
  keysFromKeyFile,
  keysFromPassphrase,
} from './history-keys.ts';
import type { SegmentHeader } from './segment-format.ts';

/** Where the operator said the history key comes from. */
export type HistoryKeySource =
  | { kind: 'key-file'; path: string }
  | { kind: 'passphrase'; passphrase: string; variable: string };

/**
 * The history key source from `--history-passphrase-env VAR` (the variable
 * must be set and not empty) or else the key file in the certs directory.
 */
export function historyKeySource(
  keyFile: string,
  passphraseVariable: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): HistoryKeySource {
  if (passphraseVariable === undefined) return { kind: 'key-file', path: keyFile };
  const passphrase = env[passphraseVariable];
  if (passphrase === undefined || passphrase === '') {
    throw new ChatError(
      'HISTORY_KEY_MISSING',
      `--history-passphrase-env names ${passphraseVariable}, which is not set`,
      { hint: `export ${passphraseVariable} with the history passphrase, then run it again` },
    );
  }
  return { kind: 'passphrase', passphrase, variable: passphraseVariable };
}

/**
 * The keys for a store: derived with the stored salt and parameters when the
 * store exists (`stored`, its first header), fresh otherwise. A source of the
 * other kind than the store's is refused before any key is derived.
 */
export async function resolveHistoryKeys(
  source: HistoryKeySource,
  stored: SegmentHeader | undefined,
  dir: string,
): Promise<HistoryKeys> {
  if (stored !== undefined && stored.keySource !== source.kind) {
    throw new ChatError(
      'HISTORY_KEY_WRONG',
      stored.keySource === 'passphrase'
        ? `the history in ${dir} is sealed with a passphrase, not a key file; nothing was changed`
        : `the history in ${dir} is sealed with a key file, not a passphrase; nothing was changed`,
      {
        hint:
          stored.keySource === 'passphrase'
            ? 'give the passphrase with --history-passphrase-env VAR'
            : 'start without --history-passphrase-env, with the history.key it was made with',
      },
    );
  }
  if (source.kind === 'passphrase') {
    return keysFromPassphrase(source.passphrase, stored);
  }
  let master: Buffer;
  try {
    master = await readFile(source.path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      throw new ChatError('HISTORY_KEY_MISSING', `there is no history key at ${source.path}`, {
        hint: 'run `chat certs` to make one (or restore it), or use --history-passphrase-env VAR',
      });
    }
    throw fileError(error, source.path, 'check the file and its permissions', 'read');
  }
  if (master.length !== KEY_FILE_BYTES) {
    throw new ChatError(
      'HISTORY_KEY_WRONG',
      `${source.path} holds ${master.length} bytes, not a ${KEY_FILE_BYTES}-byte history key`,
      { hint: 'restore history.key from your backup (`chat certs` makes one when there is none)' },
    );
  }
  return keysFromKeyFile(master, stored?.salt);
}
