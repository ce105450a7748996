import type { InputKey } from '../../src/ui/input/key-bindings.ts';

/** A key press with nothing held or named: tests spread the flags they need over it. */
export const NO_KEY: InputKey = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  return: false,
  escape: false,
  ctrl: false,
  meta: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  pageUp: false,
  pageDown: false,
  end: false,
};
