import type { CastEvent } from './asciicast.ts';
import { HeadlessTerminal } from './headless-terminal.ts';
import type { Screen } from './screen-runs.ts';
import { cursorSvg, LINE_HEIGHT, rowSvg, windowGeometry, windowSvg } from './screen-svg.ts';
import type { TerminalTheme } from './terminal-theme.ts';

export interface Frame {
  /** Seconds from the start. */
  time: number;
  screen: Screen;
}

/**
 * Plays a cast into a headless terminal and reads the screen after each
 * burst of writes: writes within `minGap` seconds of a burst's first are
 * one frame, so an animation holds no more frames than a viewer could see.
 */
export async function castFrames(
  columns: number,
  rows: number,
  events: readonly CastEvent[],
  theme: TerminalTheme,
  minGap = 1 / 15,
): Promise<Frame[]> {
  const terminal = new HeadlessTerminal(columns, rows);
  const frames: Frame[] = [];
  try {
    let burstStart = events[0]?.time ?? 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as CastEvent;
      await terminal.write(event.data);
      const next = events[i + 1];
      if (next !== undefined && next.time - burstStart < minGap) continue;
      frames.push({ time: event.time, screen: terminal.screen(theme) });
      if (next !== undefined) burstStart = next.time;
    }
  } finally {
    terminal.dispose();
  }
  return frames;
}

const screenKey = (screen: Screen) => JSON.stringify([screen.lines, screen.cursor]);

/**
 * An animated picture of `frames`, looping, the last held `holdEnd`
 * seconds. Plain CSS, no script, so it plays where an <img> shows it (a
 * README on GitHub). Each distinct row is drawn once and placed with <use>;
 * the frames stand one under another, and the animation moves the strip up
 * a frame at a time, in steps.
 */
export function castSvg(
  frames: readonly Frame[],
  title: string,
  theme: TerminalTheme,
  holdEnd = 4,
): string {
  const first = frames[0];
  if (first === undefined) throw new Error('no frames to animate');
  const { columns, rows } = first.screen;
  const shown: Frame[] = [];
  for (const frame of frames) {
    if (shown.length > 0 && screenKey((shown.at(-1) as Frame).screen) === screenKey(frame.screen))
      continue;
    shown.push(frame);
  }
  const rowIds = new Map<string, string>();
  const defs: string[] = [];
  const idOf = (runs: Screen['lines'][number]) => {
    const key = JSON.stringify(runs);
    let id = rowIds.get(key);
    if (id === undefined) {
      id = `r${rowIds.size.toString(36)}`;
      rowIds.set(key, id);
      defs.push(`<g id="${id}">${rowSvg(runs)}</g>`);
    }
    return id;
  };
  const { gridHeight } = windowGeometry(columns, rows);
  const start = first.time;
  const total = (shown.at(-1) as Frame).time - start + holdEnd;
  const strip: string[] = [];
  const keyframes: string[] = [];
  shown.forEach((frame, k) => {
    const uses = frame.screen.lines
      .map((runs, y) =>
        runs.length === 0 ? '' : `<use href="#${idOf(runs)}" y="${y * LINE_HEIGHT}"/>`,
      )
      .join('');
    strip.push(
      `<g transform="translate(0 ${k * gridHeight})">${uses}${cursorSvg(frame.screen, theme)}</g>`,
    );
    const percent = (((frame.time - start) / total) * 100).toFixed(3);
    keyframes.push(`${percent}%{transform:translateY(-${k * gridHeight}px)}`);
  });
  keyframes.push(`100%{transform:translateY(-${(shown.length - 1) * gridHeight}px)}`);
  const animation =
    `@keyframes play{${keyframes.join('')}}` +
    `.film{animation:play ${total.toFixed(2)}s steps(1,end) infinite}`;
  const body = `<defs>${defs.join('\n')}</defs>\n<g class="film">\n${strip.join('\n')}\n</g>`;
  return windowSvg(columns, rows, title, theme, body, animation);
}
