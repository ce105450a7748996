/*
 * Which of the user's own joins this TUI asked for. Rooms belong to the
 * user, so a join by another of their connections (a script's `chat send
 * --room ops`) reaches this TUI too: it adds the room, but only a join asked
 * for here makes it current. Pure.
 */
import type { ChatState } from './chat-types.ts';

/** Joins asked for and not answered yet, kept at most (count): a refused one is never answered. */
export const MAX_ASKED_JOINS = 16;

/** `state` with `room` asked to join by this TUI. */
export function joinAsked(state: ChatState, room: string): ChatState {
  const asked = (state.askedJoins ?? []).filter((name) => name !== room);
  return { ...state, askedJoins: [...asked, room].slice(-MAX_ASKED_JOINS) };
}

/**
 * The user's own join of `room` came: whether this TUI asked for it, and
 * the state with the question settled.
 */
export function answerJoin(state: ChatState, room: string): { asked: boolean; state: ChatState } {
  const asked = state.askedJoins ?? [];
  if (!asked.includes(room)) return { asked: false, state };
  return { asked: true, state: { ...state, askedJoins: asked.filter((name) => name !== room) } };
}
