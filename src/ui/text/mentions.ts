/**
 * Whether a message names a user. Pure.
 */

/** Characters a user name is made of (see `validateUserName`): a-z, 0-9, '_' and '-'. */
const USER_NAME = /^[a-z0-9_-]{1,32}$/i;

// The client asks about the same user for every message: keep its pattern.
let cached: { user: string; pattern: RegExp } | undefined;

/**
 * True when `text` names `user` as a whole word, ignoring ASCII case:
 * `@alice`, `alice:`, `Alice,` and `hi alice.` count; `malice`, `alice_b` and
 * `alice-b` do not (the name must not touch another name character). A `user`
 * that is not a valid name (1-32 of a-z 0-9 _ -) never matches.
 */
export function mentions(text: string, user: string): boolean {
  if (!USER_NAME.test(user)) return false;
  if (cached?.user !== user) {
    // Name characters need no escaping outside a character class.
    cached = { user, pattern: new RegExp(`(?<![a-z0-9_-])${user}(?![a-z0-9_-])`, 'i') };
  }
  return cached.pattern.test(text);
}
