/*
 * The TUI's settings (`/set`), as data: one table that says each setting's
 * values, how a typed value reads, how it is shown and how it is kept in
 * the profile's `tui.json`. Pure: no files, no terminal.
 */

import { PRESENCE_MODES, type PresenceMode } from '../state/presence-filter.ts';
import type { ClockFormat } from '../text/time.ts';

/** How the message pane writes a message's time. */
export type TimestampFormat = ClockFormat;

/** What `/set` changes, with its kept types. */
export type TuiSettings = {
  /** Messages per conversation shown on start (0-200): sent as `hello.backlog`. */
  readonly backlog: number;
  readonly timestamps: TimestampFormat;
  /** Desktop notifications (OSC 777 / OSC 9) on a mention or DM while unfocused. */
  readonly notify: boolean;
  /** The terminal bell on a mention or DM. */
  readonly bell: boolean;
  /** Which join, part and quit lines the panes show (see presence-filter.ts). */
  readonly presence: PresenceMode;
  /** The terminal reports the mouse: the wheel scrolls, a click picks a room or user (Shift+drag still selects). */
  readonly mouse: boolean;
};

/** A setting's name, as typed after `/set`. */
export type SettingName = keyof TuiSettings;

/** What a setting is when nothing was set. */
export const DEFAULT_SETTINGS: TuiSettings = {
  backlog: 50,
  timestamps: 'HH:MM',
  notify: true,
  bell: true,
  presence: 'smart',
  mouse: false,
};

/** The largest backlog the server takes (messages, as `hello.backlog`). */
export const MAX_BACKLOG = 200;

/** One row of the table. */
type Spec<K extends SettingName> = {
  readonly name: K;
  /** What it does, one short line for /help and the list. */
  readonly help: string;
  /** Values Tab offers after the name. */
  readonly values: readonly string[];
  /** The accepted values, for a refusal. */
  readonly rule: string;
  /** A typed value, or undefined when it is not one. */
  readonly parse: (text: string) => TuiSettings[K] | undefined;
  /** A value as `/set` shows it (and as it can be typed back). */
  readonly show: (value: TuiSettings[K]) => string;
  /** A kept value (read from JSON) that is one, or undefined. */
  readonly check: (value: unknown) => TuiSettings[K] | undefined;
};

type Specs = { readonly [K in SettingName]: Spec<K> };

const ON = new Set(['on', 'true', 'yes', '1']);
const OFF = new Set(['off', 'false', 'no', '0']);

function onOff<K extends 'notify' | 'bell' | 'mouse'>(name: K, help: string): Spec<K> {
  return {
    name,
    help,
    values: ['on', 'off'],
    rule: 'on or off',
    parse: (text) =>
      ON.has(text.toLowerCase()) ? true : OFF.has(text.toLowerCase()) ? false : undefined,
    show: (value) => (value ? 'on' : 'off'),
    check: (value) => (typeof value === 'boolean' ? value : undefined),
  };
}

function isBacklog(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_BACKLOG;
}

const FORMATS: readonly TimestampFormat[] = ['HH:MM', 'HH:MM:SS'];

/** Every setting, in the order `/set` lists them. */
export const SETTINGS: Specs = {
  backlog: {
    name: 'backlog',
    help: 'newest messages shown of each conversation on start and of a room joined',
    values: ['0', '50', '100', '200'],
    rule: `a whole number from 0 to ${MAX_BACKLOG}`,
    // Digits only: "1e2" or " 5" are not what anyone types for a count.
    parse: (text) => (/^\d{1,3}$/.test(text) && isBacklog(Number(text)) ? Number(text) : undefined),
    show: String,
    check: (value) => (isBacklog(value) ? value : undefined),
  },
  timestamps: {
    name: 'timestamps',
    help: "the time beside each message's sender",
    values: FORMATS,
    rule: 'HH:MM or HH:MM:SS',
    parse: (text) => FORMATS.find((format) => format === text.toUpperCase()),
    show: String,
    check: (value) => FORMATS.find((format) => format === value),
  },
  notify: onOff(
    'notify',
    'desktop notification on a mention or DM while the terminal is unfocused',
  ),
  bell: onOff('bell', 'terminal bell on a mention or DM'),
  presence: {
    name: 'presence',
    help: 'join, part and quit lines: all, smart (of those who spoke in the last 10 minutes), off',
    values: PRESENCE_MODES,
    rule: 'smart, all or off',
    parse: (text) => PRESENCE_MODES.find((mode) => mode === text.toLowerCase()),
    show: String,
    check: (value) => PRESENCE_MODES.find((mode) => mode === value),
  },
  mouse: onOff(
    'mouse',
    'wheel scrolls the messages, a click picks a room or a user (Shift+drag selects text)',
  ),
};

/** The names, in list order. */
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** One setting changed: a name and a value of its type. */
export type SettingChange = { [K in SettingName]: { name: K; value: TuiSettings[K] } }[SettingName];

/** A setting's name as typed (any case), or undefined when there is none of that name. */
export function settingName(text: string): SettingName | undefined {
  const lower = text.toLowerCase();
  return SETTING_NAMES.find((name) => name === lower);
}

/** `/set NAME VALUE` read: the change, or one line saying what is accepted. */
export function parseSetting(
  name: string,
  value: string,
): { ok: true; change: SettingChange } | { ok: false; hint: string } {
  const known = settingName(name);
  if (known === undefined) {
    return { ok: false, hint: `no setting ${name}: ${SETTING_NAMES.join(', ')}` };
  }
  const spec = SETTINGS[known] as Spec<SettingName>;
  const parsed = spec.parse(value);
  if (parsed === undefined) return { ok: false, hint: `${known} takes ${spec.rule}` };
  return { ok: true, change: { name: known, value: parsed } as SettingChange };
}

/** `settings` with one change made. */
export function applySetting(settings: TuiSettings, change: SettingChange): TuiSettings {
  return { ...settings, [change.name]: change.value };
}

/** A setting's value as `/set` shows it, e.g. `on`, `HH:MM`. */
export function showSetting(settings: TuiSettings, name: SettingName): string {
  const spec = SETTINGS[name] as Spec<SettingName>;
  return spec.show(settings[name]);
}

/**
 * The settings kept in the profile's file (parsed JSON, or undefined when
 * there is none), each value checked on its own: a bad or missing one is
 * the default, and each bad one is named in `problems` so the user can be
 * told. Names this version does not know are ignored (a newer version's).
 */
export function settingsFromJson(raw: unknown): { settings: TuiSettings; problems: string[] } {
  if (raw === undefined) return { settings: DEFAULT_SETTINGS, problems: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { settings: DEFAULT_SETTINGS, problems: ['not a JSON object'] };
  }
  const record = raw as Record<string, unknown>;
  let settings = DEFAULT_SETTINGS;
  const problems: string[] = [];
  for (const name of SETTING_NAMES) {
    if (!Object.hasOwn(record, name)) continue;
    const spec = SETTINGS[name] as Spec<SettingName>;
    const value = spec.check(record[name]);
    if (value === undefined) problems.push(`${name} is not ${spec.rule}`);
    else settings = applySetting(settings, { name, value } as SettingChange);
  }
  return { settings, problems };
}

/** The settings as kept in the profile's file: a flat JSON object, in list order. */
export function settingsToJson(settings: TuiSettings): Record<SettingName, unknown> {
  return { ...settings };
}

/** Settings a command-line flag decides for this session, with the flag, e.g. `{ bell: '--no-bell' }`. */
export type SettingFlags = Partial<Record<SettingName, string>>;

function shown(settings: TuiSettings, name: SettingName, flags: SettingFlags): string {
  const flag = flags[name];
  return `${showSetting(settings, name)}${flag === undefined ? '' : ` (${flag})`}`;
}

/** What `/set` says: every setting and its value this session, e.g. `backlog 50 · … · bell off (--no-bell)`. */
export function describeSettings(settings: TuiSettings, flags: SettingFlags = {}): string {
  return SETTING_NAMES.map((name) => `${name} ${shown(settings, name, flags)}`).join(' · ');
}

/** What `/set NAME` says: the value this session and what the setting does. */
export function describeSetting(
  settings: TuiSettings,
  name: SettingName,
  flags: SettingFlags = {},
): string {
  return `${name} ${shown(settings, name, flags)}: ${SETTINGS[name].help}`;
}
