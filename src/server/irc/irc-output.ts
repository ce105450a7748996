/**
 * What the IRC session gives back for one line or frame: chat frames for
 * the server, IRC lines for the client, and whether to close. Pure.
 */
import type { ClientFrame } from '../../net/protocol/frames.ts';

/** What one line or frame asks of the connection. */
export interface IrcOutput {
  /** Chat frames to give the server, as a chat client's. */
  frames: ClientFrame[];
  /** IRC lines to write to the client (without CR LF). */
  lines: string[];
  /** Set when the connection is to close after the lines, with why. */
  close?: string | undefined;
}

/** Nothing to send either way. */
export const nothing = (): IrcOutput => ({ frames: [], lines: [] });

/** Lines for the client, and nothing for the server. */
export const said = (lines: string[]): IrcOutput => ({ frames: [], lines });
