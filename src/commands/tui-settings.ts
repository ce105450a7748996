import { homedir } from 'node:os';
import { ChatError, describeError } from '../errors.ts';
import { profilePlace } from '../profile/profile-paths.ts';
import { readTuiSettingsFile, writeTuiSettingsFile } from '../profile/tui-settings-file.ts';
import type { IgnoreSource } from '../ui/hooks/use-ignore.ts';
import type { SettingsSource } from '../ui/hooks/use-settings.ts';
import { IGNORE_KEY, ignoreFromJson } from '../ui/settings/ignore-list.ts';
import {
  type SettingFlags,
  settingsFromJson,
  settingsToJson,
  type TuiSettings,
} from '../ui/settings/tui-settings.ts';

/** What `chat tui` was given that decides its settings. */
export interface TuiSettingsArgs {
  /** The team whose profile is used; undefined: an explicit --certs and no team (nowhere to keep settings). */
  team?: string | undefined;
  /** `--bell` / `--no-bell`, for this session. */
  bell?: boolean | undefined;
  /** `--notify` / `--no-notify`, for this session. */
  notify?: boolean | undefined;
}

/**
 * The TUI's settings: those kept in the team profile's tui.json (a damaged
 * file or value gives the default and a notice, never a refusal to start),
 * with --bell/--notify over them for this session, and where /set keeps
 * them. Without a team profile they last for the session.
 */
export async function loadTuiSettings(
  args: TuiSettingsArgs,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): Promise<{ source: SettingsSource; ignore: IgnoreSource; notices: string[] }> {
  const file =
    args.team === undefined ? undefined : profilePlace(args.team, env, home).tuiSettingsFile;
  const notices: string[] = [];
  let raw: unknown;
  if (file !== undefined) {
    try {
      raw = await readTuiSettingsFile(file);
    } catch (error) {
      if (!(error instanceof ChatError)) throw error;
      notices.push(`settings not read, defaults used: ${describeError(error)}`);
    }
  }
  const { settings, problems: settingProblems } = settingsFromJson(raw);
  const { ignored, problems: ignoreProblems } = ignoreFromJson(raw);
  const problems = [...settingProblems, ...ignoreProblems];
  if (problems.length > 0) {
    notices.push(`${file}: ${problems.join('; ')}: the default is used (/set fixes it)`);
  }
  const overrides: { bell?: boolean; notify?: boolean } = {};
  const flags: SettingFlags = {};
  if (args.bell !== undefined) {
    overrides.bell = args.bell;
    flags.bell = args.bell ? '--bell' : '--no-bell';
  }
  if (args.notify !== undefined) {
    overrides.notify = args.notify;
    flags.notify = args.notify ? '--notify' : '--no-notify';
  }
  // One file holds both: each save writes what the other kept last.
  let kept: { settings: TuiSettings; ignored: readonly string[] } = { settings, ignored };
  const write = (next: typeof kept) => {
    kept = next;
    if (file === undefined) return Promise.resolve();
    return writeTuiSettingsFile(file, {
      ...settingsToJson(next.settings),
      [IGNORE_KEY]: next.ignored,
    });
  };
  const source: SettingsSource = {
    saved: settings,
    overrides,
    flags,
    save: file === undefined ? undefined : (settings: TuiSettings) => write({ ...kept, settings }),
  };
  const ignore: IgnoreSource = {
    saved: ignored,
    save: file === undefined ? undefined : (ignored) => write({ ...kept, ignored }),
  };
  return { source, ignore, notices };
}
