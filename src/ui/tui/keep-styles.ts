import chalk from 'chalk';
import type { ColorEnvironment } from '../text/color-choice.ts';

/**
 * Keeps bold, dim and inverse on the screen under `--no-color`. chalk, which
 * Ink and ink-text-input draw with, finds `--no-color` in process.argv by
 * itself and then drops every style, the input's cursor and the status
 * bar's inverse included; colour is already left out by `ColorContext`, so
 * this puts the plain styles back. Only when the flag is why chalk is off:
 * `TERM=dumb` or `FORCE_COLOR=0` still turn every style off.
 */
export function keepStylesWithoutColor(flag: boolean | undefined, env: ColorEnvironment): void {
  if (flag !== false || chalk.level !== 0) return;
  if (env.TERM === 'dumb' || env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return;
  chalk.level = 1;
}
