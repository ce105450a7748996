import { useCallback, useEffect, useRef, useState } from 'react';
import { changeIgnored, describeIgnored } from '../settings/ignore-list.ts';
import type { ChatAction } from '../state/chat-types.ts';

/** Where the `/ignore` list comes from and goes to. */
export type IgnoreSource = {
  /** As kept in the profile's tui.json (empty when none). */
  saved: readonly string[];
  /** Keeps the list; absent: it lasts for this session only. */
  save?: ((ignored: readonly string[]) => Promise<void>) | undefined;
};

/** What `/ignore`, `/ignore user` and `/unignore user` ask for. */
export type IgnoreRequest = { kind: 'ignore' | 'unignore'; user?: string | undefined };

/**
 * The `/ignore` list: told to the reducer (which then drops what ignored
 * users send) at start and on every change, and kept through `source.save`.
 * Returns the handler of the commands; it tells the outcome as a notice.
 */
export function useIgnore(
  source: IgnoreSource,
  dispatch: (action: ChatAction) => void,
): (request: IgnoreRequest, notice: (text: string) => void) => void {
  const [ignored, setIgnored] = useState(source.saved);
  // Two quick commands must each build on the other, not on the last render.
  const latest = useRef(ignored);
  useEffect(() => dispatch({ type: 'ignoreChanged', users: ignored }), [ignored, dispatch]);
  const { save } = source;
  return useCallback(
    (request: IgnoreRequest, notice: (text: string) => void) => {
      if (request.user === undefined) return notice(describeIgnored(latest.current));
      const changed = changeIgnored(latest.current, { kind: request.kind, user: request.user });
      notice(changed.notice);
      if (changed.ignored === latest.current) return;
      latest.current = changed.ignored;
      setIgnored(changed.ignored);
      save?.(changed.ignored).catch((error: unknown) =>
        notice(`ignore list not saved: ${error instanceof Error ? error.message : String(error)}`),
      );
    },
    [save],
  );
}
