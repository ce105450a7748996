import { join } from 'node:path';

/** The team profile used when none is named and none (or several) exist. */
export const DEFAULT_TEAM = 'default';

/** Team names: as user names, so a profile's folder name is always safe. */
export const TEAM_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** The environment variables that place profiles (all optional). */
export interface ProfileEnv {
  /** Everything of every team under this one folder: CHAT_HOME/TEAM/{certs,data,settings.json}. */
  CHAT_HOME?: string | undefined;
  /** The team to use when --team is not given. */
  CHAT_TEAM?: string | undefined;
  XDG_CONFIG_HOME?: string | undefined;
  XDG_DATA_HOME?: string | undefined;
  HOME?: string | undefined;
}

/** Where one team's things live on this machine. */
export interface ProfilePlace {
  team: string;
  /** The team's folder for certificates and settings (holds certs/ and settings.json). */
  configDir: string;
  /** Certificates and keys: ca.crt, clients/, and on the admin's machine ca.key and the rest. */
  certsDir: string;
  /** A server's data: history/ and users.json. */
  dataDir: string;
  /** Settings of the team on this machine: the server to connect to, the user. */
  settingsFile: string;
  /** The TUI's own settings for this team (`/set`): see tui-settings-file.ts. */
  tuiSettingsFile: string;
  /**
   * The certificates each person using this profile pinned per peer for
   * sealed direct messages, a file per person in here: see pins-file.ts.
   */
  pinsDir: string;
  /** The one pins file of every person, as it was before pinsDir: read when theirs is not there yet. */
  legacyPinsFile: string;
}

/**
 * Where team `team` lives: under CHAT_HOME when it is set, else the XDG
 * folders ($XDG_CONFIG_HOME or ~/.config for certificates and settings,
 * $XDG_DATA_HOME or ~/.local/share for a server's data). Relative XDG values
 * are ignored, as the XDG spec says. Pure: `home` is the user's home folder.
 */
export function profilePlace(team: string, env: ProfileEnv, home: string): ProfilePlace {
  const chatHome = nonEmpty(env.CHAT_HOME);
  if (chatHome !== undefined) {
    const root = join(chatHome, team);
    return {
      team,
      configDir: root,
      certsDir: join(root, 'certs'),
      dataDir: join(root, 'data'),
      settingsFile: join(root, 'settings.json'),
      tuiSettingsFile: join(root, 'tui.json'),
      pinsDir: join(root, 'pins'),
      legacyPinsFile: join(root, 'pins.json'),
    };
  }
  const configHome = absolute(env.XDG_CONFIG_HOME) ?? join(home, '.config');
  const dataHome = absolute(env.XDG_DATA_HOME) ?? join(home, '.local', 'share');
  const configDir = join(configHome, 'chat', team);
  return {
    team,
    configDir,
    certsDir: join(configDir, 'certs'),
    dataDir: join(dataHome, 'chat', team),
    settingsFile: join(configDir, 'settings.json'),
    tuiSettingsFile: join(configDir, 'tui.json'),
    pinsDir: join(configDir, 'pins'),
    legacyPinsFile: join(configDir, 'pins.json'),
  };
}

/** The folder whose subfolders are the teams' profiles (for listing them). */
export function profilesRoot(env: ProfileEnv, home: string): string {
  const chatHome = nonEmpty(env.CHAT_HOME);
  if (chatHome !== undefined) return chatHome;
  return join(absolute(env.XDG_CONFIG_HOME) ?? join(home, '.config'), 'chat');
}

/** Which team a command uses, and how that was decided. */
export type TeamChoice =
  | { ok: true; team: string; how: 'flag' | 'env' | 'only' | 'default' }
  | { ok: false; message: string; hint: string };

/**
 * Chooses the team: --team, else CHAT_TEAM, else the only profile there is,
 * else `default` (which need not exist yet). Several profiles and none named
 * is a question only the user can answer, unless one of them is `default`.
 */
export function chooseTeam(
  flag: string | undefined,
  env: ProfileEnv,
  existing: readonly string[],
): TeamChoice {
  const named = nonEmpty(flag) ?? nonEmpty(env.CHAT_TEAM);
  if (named !== undefined) {
    if (!TEAM_PATTERN.test(named)) {
      return {
        ok: false,
        message: `invalid team name ${JSON.stringify(named)}`,
        hint: 'team names are 1-32 of a-z 0-9 _ - (starting with a letter or digit)',
      };
    }
    return { ok: true, team: named, how: nonEmpty(flag) !== undefined ? 'flag' : 'env' };
  }
  if (existing.length === 1) return { ok: true, team: existing[0] as string, how: 'only' };
  if (existing.length === 0 || existing.includes(DEFAULT_TEAM))
    return { ok: true, team: DEFAULT_TEAM, how: 'default' };
  return {
    ok: false,
    message: `this machine has the profiles of several teams (${[...existing].sort().join(', ')})`,
    hint: 'say which with --team NAME (or CHAT_TEAM)',
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function absolute(value: string | undefined): string | undefined {
  return value?.startsWith('/') ? value : undefined;
}
