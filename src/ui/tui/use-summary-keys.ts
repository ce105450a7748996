import { useInput } from 'ink';
import { commandFor } from '../input/key-bindings.ts';
import { SUMMARY_KEYMAP } from '../input/keymap.ts';

/**
 * Binds the away summary's keys (`SUMMARY_KEYMAP`) while it shows
 * (`active`); the input line has no focus meanwhile, so Enter is the
 * summary's alone.
 */
export function useSummaryKeys(active: boolean, jump: () => void): void {
  useInput(
    (text, key) => {
      if (commandFor(SUMMARY_KEYMAP, text, key) === 'summaryJump') jump();
    },
    { isActive: active },
  );
}
