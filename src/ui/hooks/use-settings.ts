import { useCallback, useMemo, useRef, useState } from 'react';
import {
  applySetting,
  type SettingChange,
  type SettingFlags,
  type TuiSettings,
} from '../settings/tui-settings.ts';

/** Where a TUI's settings come from and go to. */
export type SettingsSource = {
  /** As kept in the profile (or the defaults). */
  saved: TuiSettings;
  /** Values the command line gives for this session only (`--no-bell`), over the saved ones. */
  overrides?: Partial<TuiSettings>;
  /** The flag behind each override, for `/set` to say why a value differs from the saved one. */
  flags?: SettingFlags;
  /** Keeps the settings (the profile's tui.json); absent: they last for this session only. */
  save?: ((settings: TuiSettings) => Promise<void>) | undefined;
};

/** What {@link useSettings} gives: this session's values, and `/set`'s way to change one. */
export type SettingsStore = {
  /** Saved values with the command line's overrides on top. */
  current: TuiSettings;
  /** The overrides still in force, by flag. */
  flags: SettingFlags;
  /**
   * Changes one setting now and keeps it: resolves `saved`, or `session`
   * when there is nowhere to keep it; rejects when writing failed (the
   * change stays for this session). A changed setting is no longer
   * overridden by its flag.
   */
  change: (change: SettingChange) => Promise<'saved' | 'session'>;
};

/** The TUI's settings, from the profile and the command line, changed by `/set`. */
export function useSettings(source: SettingsSource): SettingsStore {
  const [state, setState] = useState(() => ({
    saved: source.saved,
    overrides: source.overrides ?? {},
    flags: source.flags ?? {},
  }));
  // Two quick /set lines must each build on the other, not on the last render.
  const latest = useRef(state);
  latest.current = state;
  const save = source.save;
  const change = useCallback(
    async (change: SettingChange) => {
      const { saved, overrides, flags } = latest.current;
      const next = {
        saved: applySetting(saved, change),
        overrides: { ...overrides, [change.name]: undefined },
        flags: { ...flags, [change.name]: undefined },
      };
      latest.current = next;
      setState(next);
      if (save === undefined) return 'session';
      await save(next.saved);
      return 'saved';
    },
    [save],
  );
  // The same objects until a setting changes: components memoised on them stay put.
  return useMemo(
    () => ({
      current: { ...state.saved, ...definedOnly(state.overrides) },
      flags: definedOnly(state.flags),
      change,
    }),
    [state, change],
  );
}

function definedOnly<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
