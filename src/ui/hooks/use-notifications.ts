import { useEffect, useRef } from 'react';
import type { DirectMessage, RoomMessage } from '../../net/protocol/frames.ts';
import { messageAlert, notificationBytes } from '../text/notification.ts';

/** Alerts closer together than this (ms) make one: a burst of mentions rings once. */
export const ALERT_GAP_MS = 1_000;

/** The live messages an alert can come from (a `ChatClient`: replays and history are not among them). */
export type AlertSource = {
  on(event: 'message', listener: (frame: RoomMessage) => void): unknown;
  on(event: 'dm', listener: (frame: DirectMessage) => void): unknown;
  off(event: 'message', listener: (frame: RoomMessage) => void): unknown;
  off(event: 'dm', listener: (frame: DirectMessage) => void): unknown;
};

/** What {@link useNotifications} needs besides the messages; read at each message. */
export type NotifyOptions = {
  /** The user (from `welcome`); before it, nothing alerts. */
  user: string | undefined;
  /** Ring the terminal bell (the `bell` setting). */
  bell: boolean;
  /** Send a desktop notification while unfocused (the `notify` setting). */
  notify: boolean;
  /** Whether the terminal has focus now (see `TerminalFocus`). */
  focused: () => boolean;
  /** Inside tmux ($TMUX set): notifications go through its passthrough. */
  tmux: boolean;
  /** Writes to the terminal (Ink's stdout). */
  write: (bytes: string) => void;
  now?: () => number;
  /** True for a user on the /ignore list: their messages never alert. */
  ignored?: (user: string) => boolean;
};

/**
 * Alerts on a mention or a DM from someone else, as it arrives: the bell
 * (whatever the focus, as before notifications existed) and, while the
 * terminal is unfocused, a desktop notification (`notificationBytes`), in
 * one write. At most one alert per {@link ALERT_GAP_MS}.
 */
export function useNotifications(source: AlertSource, options: NotifyOptions): void {
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    let last = Number.NEGATIVE_INFINITY;
    const onMessage = (frame: RoomMessage | DirectMessage) => {
      const o = latest.current;
      if (!o.bell && !o.notify) return;
      if (o.ignored?.(frame.from)) return;
      const alert = messageAlert(frame, o.user);
      if (alert === undefined) return;
      const now = (o.now ?? Date.now)();
      if (now - last < ALERT_GAP_MS) return;
      last = now;
      const bytes =
        (o.bell ? '\u0007' : '') +
        (o.notify && !o.focused() ? notificationBytes(alert, o.tmux) : '');
      if (bytes !== '') o.write(bytes);
    };
    source.on('message', onMessage);
    source.on('dm', onMessage);
    return () => {
      source.off('message', onMessage);
      source.off('dm', onMessage);
    };
  }, [source]);
}
