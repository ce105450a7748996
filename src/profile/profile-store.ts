import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ChatError } from '../errors.ts';
import { exists, readOptional, writeFiles } from '../fs/files.ts';
import { DIR_MODE, SECRET_MODE } from '../fs/modes.ts';
import { USER_PATTERN } from '../net/protocol/frames.ts';
import type { ServerAddress } from '../net/server-address.ts';
import { MAX_SERVERS } from '../net/server-list.ts';
import { type ProfileEnv, profilePlace, profilesRoot, TEAM_PATTERN } from './profile-paths.ts';

/** What a team's profile remembers on this machine besides its certificates. */
export interface ProfileSettings {
  /**
   * The team's server, as clients dial it (a name or address its certificate
   * holds); a list for a cluster of nodes, any of which will do. A profile
   * written before clusters holds one address, and one is still written so.
   */
  server?: ServerAddress | ServerAddress[];
  /** Whose certificate to use, when the profile holds more than one. */
  user?: string;
}

const addressSchema = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65_535),
});

const settingsSchema = z.strictObject({
  server: z.union([addressSchema, z.array(addressSchema).min(1).max(MAX_SERVERS)]).optional(),
  user: z.string().regex(USER_PATTERN).optional(),
});

/**
 * The teams with a profile on this machine: folders under the profiles'
 * root that hold a certificates folder or settings, sorted.
 */
export async function listTeams(env: ProfileEnv, home: string): Promise<string[]> {
  const root = profilesRoot(env, home);
  const names = await readdir(root).catch(() => [] as string[]);
  const teams: string[] = [];
  for (const name of names.filter((n) => TEAM_PATTERN.test(n)).sort()) {
    const place = profilePlace(name, env, home);
    if ((await exists(join(place.certsDir, 'ca.crt'))) || (await exists(place.settingsFile)))
      teams.push(name);
  }
  return teams;
}

/** A profile's settings; none when the file is absent. A damaged file is one line with the fix. */
export async function readSettings(file: string): Promise<ProfileSettings> {
  const text = await readOptional(file);
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const checked = settingsSchema.safeParse(parsed);
  if (!checked.success) {
    throw new ChatError('USAGE', `${file} is not a valid settings file`, {
      hint: 'fix or remove it (`chat join` writes it again)',
    });
  }
  return checked.data;
}

/** The addresses a profile's `server` names, as a list (empty: none). */
export function settingsServers(settings: ProfileSettings): ServerAddress[] {
  const { server } = settings;
  if (server === undefined) return [];
  return Array.isArray(server) ? [...server] : [server];
}

/** Writes a profile's settings (0600, in a 0700 folder), replacing what was there. */
export async function writeSettings(file: string, settings: ProfileSettings): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true, mode: DIR_MODE });
  await writeFiles(
    [{ path: file, data: `${JSON.stringify(settings, null, 2)}\n`, mode: SECRET_MODE }],
    'choose a writable folder with CHAT_HOME or XDG_CONFIG_HOME',
  );
}
