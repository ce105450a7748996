import { memo, type ReactNode } from 'react';
import type { MemberView } from '../state/chat-selectors.ts';
import { userColor } from '../text/user-color.ts';
import { Rows } from './Rows.tsx';
import { userListShown } from './side-lists.ts';
import type { Span } from './spans.ts';

/** Props of {@link UserList}. */
export type UserListProps = {
  members: readonly MemberView[];
  /** Columns, the separator on the left (and a blank column before it) included. */
  width: number;
  /** Rows, the header included. */
  height: number;
};

const MARKS: Record<MemberView['status'], Span> = {
  online: { text: '●', color: 'green' },
  away: { text: '○', color: 'yellow' },
  offline: { text: '·', dim: true },
};

/** One member: presence mark, `@` for an operator (as irssi shows them), and name (away ones dim). */
export function memberSpans(member: MemberView): Span[] {
  const name = `${member.op ? '@' : ''}${member.user}`;
  return [
    { text: ' ' },
    MARKS[member.status],
    { text: ' ' },
    member.status === 'online'
      ? { text: name, color: userColor(member.user) }
      : { text: name, dim: true },
  ];
}

/**
 * The right column: a count header, then the current conversation's members
 * with a presence mark ('●' online in green, '○' away in yellow). Members
 * that do not fit are counted in a last `+N more` row. A blank column and a
 * dim '│' separate it from the messages. The caller hides it on narrow terminals.
 */
export const UserList = memo(function UserList({
  members,
  width,
  height,
}: UserListProps): ReactNode {
  const rows = Math.max(0, height);
  const separator: Span = { text: ' │', dim: true };
  const lines: Span[][] = [];
  if (rows > 0) {
    const noun = members.length === 1 ? 'user' : 'users';
    lines.push([{ text: ` ${members.length} ${noun}`, bold: true }]);
  }
  const room = rows - lines.length;
  const shown = userListShown(members.length, rows);
  for (const member of members.slice(0, shown)) lines.push(memberSpans(member));
  if (shown < members.length && room > 0) {
    lines.push([{ text: ` +${members.length - shown} more`, dim: true }]);
  }
  while (lines.length < rows) lines.push([]);
  return <Rows rows={lines.map((spans) => [separator, ...spans])} width={width} height={rows} />;
});
