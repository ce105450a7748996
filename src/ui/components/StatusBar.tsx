import { memo, type ReactNode } from 'react';
import type { ConnectionView, Conversation } from '../state/chat-types.ts';
import { neutralizeLine } from '../text/sanitize.ts';
import { displayWidth, truncate } from '../text/wrap.ts';
import { Row } from './Row.tsx';
import { fitSpans, type Span } from './spans.ts';

/** Props of {@link StatusBar}. */
export type StatusBarProps = {
  /** `host:port` as given on the command line (or the list of a cluster's nodes). */
  server: string;
  connection: ConnectionView;
  /** The conversation on screen, if any. */
  conversation?: Conversation | undefined;
  /** The time to count the reconnect delay from, epoch ms. */
  now: number;
  /** Terminal columns: the bar is exactly this wide. */
  columns: number;
};

/** A piece of the bar; the one with the highest `drop` goes first when it does not fit. */
type Part = { text: string; color?: string; drop: number };

const SEPARATOR = ' │ ';
/** Below this many columns a topic or an error is left out rather than cut to nothing. */
const MIN_FLEX = 6;

/** What the connection is doing, in words; `now` and `retryAt` are epoch ms. */
export function connectionLabel(connection: ConnectionView, now: number): string {
  switch (connection.state) {
    case 'starting':
    case 'connecting':
      return 'connecting';
    case 'connected':
      return 'connected';
    case 'reconnecting': {
      if (connection.retryAt === undefined) return 'reconnecting';
      const seconds = Math.max(0, Math.ceil((connection.retryAt - now) / 1000));
      return seconds === 0 ? 'reconnecting' : `reconnecting in ${seconds} s`;
    }
    case 'offline':
      return 'offline';
    case 'closed':
      return 'closed';
  }
}

/**
 * Where the client is, in words: the server as given, or for a client of
 * several nodes the one connected to (`b.example:8443`) or, while it
 * connects, the one tried (`trying b.example:8443`).
 */
export function serverLabel(server: string, connection: ConnectionView): string {
  const { node, state } = connection;
  if (node === undefined) return server;
  return state === 'connecting' || state === 'reconnecting' || state === 'starting'
    ? `trying ${node}`
    : node;
}

function stateColor(state: ConnectionView['state']): string {
  if (state === 'connected') return 'green';
  if (state === 'offline' || state === 'closed') return 'red';
  return 'yellow';
}

function widthOf(parts: readonly Part[]): number {
  let width = 0;
  for (const part of parts) width += displayWidth(part.text);
  return width + Math.max(0, parts.length - 1) * displayWidth(SEPARATOR);
}

/**
 * The bar's spans, exactly `columns` wide (padded with spaces): fixed facts are dropped least
 * important first (TLS version, server, user, round trip) until they fit,
 * then the error and the topic share what is left, cut with '…'.
 */
export function statusSpans(props: StatusBarProps): Span[] {
  const { connection, conversation, columns } = props;
  const width = Math.max(0, Math.floor(columns));
  // The node a cluster's client is trying stays unless nothing else fits: the error names the one that failed.
  const trying = connection.node !== undefined && connection.state !== 'connected';
  const left: Part[] = [
    { text: neutralizeLine(serverLabel(props.server, connection)), drop: trying ? 0.5 : 4 },
  ];
  const state: Part = {
    text: connectionLabel(connection, props.now),
    color: stateColor(connection.state),
    drop: 0,
  };
  left.push(state);
  // TLS version and round trip describe a live connection: stale ones would mislead.
  const live = connection.state === 'connected';
  if (live && connection.tlsVersion) {
    left.push({ text: neutralizeLine(connection.tlsVersion), drop: 5 });
  }
  if (connection.user) left.push({ text: connection.user, drop: 3 });
  const name: Part | undefined = conversation ? { text: conversation.name, drop: 1 } : undefined;
  if (name) left.push(name);
  const right: Part[] =
    !live || connection.rttMs === undefined
      ? []
      : [{ text: `${Math.round(connection.rttMs)} ms`, drop: 2 }];
  const error = connection.error ? neutralizeLine(connection.error) : '';

  // One space of margin at each end.
  const room = (): number =>
    width - 2 - widthOf(left) - (right.length > 0 ? widthOf(right) + 1 : 0);
  // While the connection is down, why matters more than the server, user and room.
  const errorRoom = error === '' ? 0 : displayWidth(SEPARATOR) + displayWidth(error);
  while (room() < (live ? 0 : errorRoom)) {
    const all = [...left, ...right];
    const worst = all.reduce((a, b) => (b.drop > a.drop ? b : a));
    if (worst.drop === 0) break;
    // Below 1: kept over the error's full text (cut instead), dropped only when the bar overflows.
    if (worst.drop < 1 && room() >= 0) break;
    const from = left.includes(worst) ? left : right;
    from.splice(from.indexOf(worst), 1);
  }

  let spare = room();
  // What is left goes to the error first, then to the topic.
  const fit = (text: string): Part | undefined => {
    const available = spare - displayWidth(SEPARATOR);
    if (text === '' || available < MIN_FLEX) return undefined;
    const cut = truncate(text, available);
    spare -= displayWidth(SEPARATOR) + displayWidth(cut);
    return { text: cut, drop: 0 };
  };
  const errorPart = fit(error);
  const topicPart = name && left.includes(name) ? fit(conversation?.topic ?? '') : undefined;
  // The error follows the state, the topic the conversation's name (last on the left).
  const ordered: Part[] = [];
  for (const part of left) {
    ordered.push(part);
    if (part === state && errorPart !== undefined) ordered.push(errorPart);
  }
  if (topicPart !== undefined) ordered.push(topicPart);

  const spans: Span[] = [{ text: ' ' }];
  ordered.forEach((part, index) => {
    if (index > 0) spans.push({ text: SEPARATOR });
    spans.push(
      part.color === undefined
        ? { text: part.text }
        : { text: part.text, color: part.color, bold: true },
    );
  });
  if (right.length > 0) {
    const used = 1 + widthOf(ordered);
    const gap = Math.max(1, width - used - widthOf(right) - 1);
    spans.push({ text: ' '.repeat(gap) });
    for (const part of right) spans.push({ text: part.text });
  }
  // The state alone can be wider than a tiny terminal.
  return fitSpans(spans, width, true);
}

/** The top line: server (or node), connection, TLS, user, conversation and topic, round trip. */
export const StatusBar = memo(function StatusBar(props: StatusBarProps): ReactNode {
  return <Row spans={statusSpans(props)} width={props.columns} pad inverse />;
});
