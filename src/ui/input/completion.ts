/**
 * What Tab may complete to. `users` come most recent speaker first (the order
 * Tab offers them; leave yourself out); `rooms` with or without the `#`;
 * `commands` without the `/`.
 */
export type CompletionCandidates = {
  users: readonly string[];
  rooms: readonly string[];
  commands: readonly string[];
  /** `/set`'s names, each with the values Tab offers after it (see SETTINGS). */
  settings?: Readonly<Record<string, readonly string[]>>;
};

/**
 * Where a run of Tab presses stands. Pass it back with the next Tab: it is
 * used only while the line and cursor are exactly the ones it returned, so any
 * edit in between starts a fresh completion.
 */
export type CompletionState = {
  /** The line this completion returned. */
  line: string;
  /** The cursor this completion returned, in UTF-16 code units. */
  cursor: number;
  /** The text before the word being completed. */
  before: string;
  /** The text that followed the cursor when completion started. */
  after: string;
  /** What replaces the word, in Tab order, each with its trailing `: ` or ` `. */
  choices: readonly string[];
  /** The choice now in the line. */
  index: number;
};

/** A line being edited, with its cursor in UTF-16 code units. */
export type CompletionInput = { line: string; cursor: number };

/**
 * Tab completion as in irssi and weechat: the word before the cursor is
 * replaced by the first candidate it is a prefix of (case-insensitive), and
 * each further Tab, given the returned state, cycles to the next one. A word
 * starting with `/` at the start of the line completes commands, one starting
 * with `#` rooms, after `/set ` setting names then that setting's values,
 * anything else users (an `@` typed before it is kept). A user
 * name at the start of the line gets `: `, anything else a space (not doubled
 * when a space already follows the cursor). An empty word or no match leaves
 * the line as it is.
 */
export function complete(
  input: CompletionInput,
  candidates: CompletionCandidates,
  state?: CompletionState,
): { line: string; cursor: number; state: CompletionState } {
  const { line } = input;
  const cursor = Math.max(0, Math.min(line.length, input.cursor));
  // With one choice there is nothing to cycle: Tab again completes what follows (`/set name |`).
  if (
    state !== undefined &&
    state.choices.length > 1 &&
    state.line === line &&
    state.cursor === cursor
  ) {
    return build(
      state.before,
      state.after,
      state.choices,
      (state.index + 1) % state.choices.length,
    );
  }

  const head = line.slice(0, cursor);
  const word = /\S*$/.exec(head)?.[0] ?? '';
  const before = head.slice(0, head.length - word.length);
  const after = line.slice(cursor);
  const choices =
    settingChoices(before, word, candidates) ?? choicesFor(word, before === '', candidates);
  if (choices.length === 0) {
    return { line, cursor, state: { line, cursor, before, after, choices, index: 0 } };
  }
  return build(before, after, choices, 0);
}

// `/set |` completes a name, `/set name |` its values; undefined: not a /set argument.
function settingChoices(before: string, word: string, candidates: CompletionCandidates) {
  const settings = candidates.settings;
  const typed = /^\/set\s+(?:(\S+)\s+)?$/i.exec(before);
  if (settings === undefined || typed === null) return undefined;
  const name = typed[1]?.toLowerCase();
  if (name === undefined) return matching(Object.keys(settings), word).map((n) => `${n} `);
  const values = Object.hasOwn(settings, name) ? (settings[name] ?? []) : [];
  return matching(values, word).map((value) => `${value} `);
}

function choicesFor(word: string, atLineStart: boolean, candidates: CompletionCandidates) {
  if (atLineStart && word.startsWith('/')) {
    const names = candidates.commands.map((name) => `/${name}`);
    return matching(names, word).map((name) => `${name} `);
  }
  if (word.startsWith('#')) {
    const rooms = candidates.rooms.map((room) => (room.startsWith('#') ? room : `#${room}`));
    return matching(rooms, word).map((room) => `${room} `);
  }
  const at = word.startsWith('@') ? '@' : '';
  // A bare Tab on nothing would insert the last speaker's name unasked.
  if (word === '') return [];
  const suffix = atLineStart ? ': ' : ' ';
  return matching(candidates.users, word.slice(at.length)).map((user) => `${at}${user}${suffix}`);
}

/** Candidates with `prefix` as a case-insensitive prefix, in order, each once. */
function matching(names: readonly string[], prefix: string): string[] {
  const lower = prefix.toLowerCase();
  return [...new Set(names.filter((name) => name.toLowerCase().startsWith(lower)))];
}

function build(before: string, after: string, choices: readonly string[], index: number) {
  const choice = choices[index] ?? '';
  // Completing inside "hi al| there" must not leave two spaces: reuse the one already there.
  const merge = choice.endsWith(' ') && after.startsWith(' ');
  const line = before + (merge ? choice.slice(0, -1) : choice) + after;
  const cursor = before.length + choice.length;
  return { line, cursor, state: { line, cursor, before, after, choices, index } };
}
