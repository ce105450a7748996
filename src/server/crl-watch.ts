import { type FSWatcher, watch } from 'node:fs';
import { basename } from 'node:path';

/** Changes closer together than this are one change (ms): a rename lands as several events. */
const SETTLE_MS = 100;

/**
 * Calls `onChange` when the CRL file is written, replaced or removed.
 * `chat certs revoke` replaces crl.pem by a rename, which a watch on the file
 * itself would lose, so the directory is watched and events are filtered by
 * name, then debounced. Returns the stopper.
 */
export function watchCrl(crlPath: string, onChange: () => void): () => void {
  const name = basename(crlPath);
  const dir = crlPath.slice(0, crlPath.length - name.length) || '.';
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, (_event, file) => {
      if (file !== null && file.toString() !== name) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, SETTLE_MS);
    });
    // A watch that fails later (the directory removed) only stops the reloads.
    watcher.on('error', () => watcher?.close());
  } catch {
    // No watch on this file system: reloads then come only from SIGHUP.
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
