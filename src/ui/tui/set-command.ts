import { ChatError, describeError } from '../../errors.ts';
import type { SettingsStore } from '../hooks/use-settings.ts';
import {
  describeSetting,
  describeSettings,
  type SettingChange,
  type SettingName,
  showSetting,
} from '../settings/tui-settings.ts';

/** `/set` as parsed: nothing (list), a name (show it), or a change. */
export type SetRequest = { name?: SettingName; change?: SettingChange };

/**
 * Carries out `/set`: lists the settings, shows one, or changes one and says
 * whether it was kept in the profile. Every outcome is one notice line.
 */
export function runSet(
  request: SetRequest,
  settings: SettingsStore,
  notice: (text: string) => void,
): void {
  const { change, name } = request;
  if (change === undefined) {
    notice(
      name === undefined
        ? `settings: ${describeSettings(settings.current, settings.flags)}`
        : describeSetting(settings.current, name, settings.flags),
    );
    return;
  }
  const value = showSetting({ ...settings.current, [change.name]: change.value }, change.name);
  // The first connection's backlog was asked for in its hello: only later joins see the change.
  const when =
    change.name === 'backlog' ? ' (rooms joined from now; at start, from the next one)' : '';
  settings.change(change).then(
    (kept) =>
      notice(
        kept === 'saved'
          ? `${change.name} set to ${value}${when}`
          : `${change.name} set to ${value} for this session (no team profile to keep it in)`,
      ),
    (error: unknown) =>
      notice(
        `${change.name} set to ${value} for this session, not saved: ${error instanceof ChatError ? describeError(error) : String(error)}`,
      ),
  );
}
