import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ChatError } from '../errors.ts';
import { readOptional, writeFiles } from '../fs/files.ts';
import { DIR_MODE, SECRET_MODE } from '../fs/modes.ts';

/*
 * The TUI's own settings (`/set`) live in `tui.json` beside the profile's
 * `settings.json`, not inside it: `chat join` rewrites settings.json whole,
 * and every client command (send, tail) reads it with a strict schema, so a
 * preference kept there would be lost on the next join and would make an
 * older `chat send` refuse the file. What the values mean is the UI's
 * business (src/ui/settings/tui-settings.ts): this file only reads and
 * writes the JSON.
 */

/** The parsed JSON of a TUI settings file; undefined when there is none. A file that is not JSON is a ChatError. */
export async function readTuiSettingsFile(file: string): Promise<unknown> {
  const text = await readOptional(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ChatError('USAGE', `${file} is not JSON`, {
      hint: 'fix or remove it (/set writes it again)',
    });
  }
}

/** Writes a TUI settings file (0600, in a 0700 folder), atomically, replacing what was there. */
export async function writeTuiSettingsFile(file: string, settings: object): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: DIR_MODE });
  await writeFiles(
    [{ path: file, data: `${JSON.stringify(settings, null, 2)}\n`, mode: SECRET_MODE }],
    'choose a writable folder with CHAT_HOME or XDG_CONFIG_HOME',
  );
}
