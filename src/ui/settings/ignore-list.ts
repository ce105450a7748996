import { USER_PATTERN } from '../../net/protocol/frames.ts';

/*
 * The `/ignore` list as kept in the profile's `tui.json`, beside the `/set`
 * settings: `"ignore": ["bob", …]`. Pure: no files. A file without the key
 * (every file written before it existed) ignores no one.
 */

/** The key of the list in tui.json. */
export const IGNORE_KEY = 'ignore';
/** Most users one list holds (count); past it, `/ignore` refuses. */
export const MAX_IGNORED = 500;

/** The list kept in tui.json (parsed JSON, or undefined when there is none), and what was wrong with it. */
export function ignoreFromJson(raw: unknown): { ignored: string[]; problems: string[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ignored: [], problems: [] };
  }
  if (!Object.hasOwn(raw, IGNORE_KEY)) return { ignored: [], problems: [] };
  const value = (raw as Record<string, unknown>)[IGNORE_KEY];
  if (!Array.isArray(value)) return { ignored: [], problems: [`${IGNORE_KEY} is not a list`] };
  const names = value.filter((v): v is string => typeof v === 'string' && USER_PATTERN.test(v));
  const problems =
    names.length === value.length ? [] : [`${IGNORE_KEY} holds names that are not user names`];
  return { ignored: [...new Set(names)].sort().slice(0, MAX_IGNORED), problems };
}

/** What `/ignore user` and `/unignore user` make of the list: the new list, and what to tell. */
export function changeIgnored(
  list: readonly string[],
  change: { kind: 'ignore' | 'unignore'; user: string },
): { ignored: readonly string[]; notice: string } {
  const { user } = change;
  const has = list.includes(user);
  if (change.kind === 'unignore') {
    if (!has) return { ignored: list, notice: `${user} is not ignored` };
    return {
      ignored: list.filter((u) => u !== user),
      notice: `${user} is no longer ignored: new messages from them are shown`,
    };
  }
  if (has) return { ignored: list, notice: `${user} is already ignored (/unignore ${user})` };
  if (list.length >= MAX_IGNORED) {
    return { ignored: list, notice: `at most ${MAX_IGNORED} users can be ignored: /unignore one` };
  }
  return {
    ignored: [...list, user].sort(),
    notice: `ignoring ${user}: their messages and DMs are not shown (/unignore ${user})`,
  };
}

/** What `/ignore` alone says. */
export function describeIgnored(list: readonly string[]): string {
  return list.length === 0
    ? 'no one is ignored: /ignore user hides their messages'
    : `ignored (${list.length}): ${list.join(', ')}`;
}
