import { useStdout } from 'ink';
import { useEffect, useRef } from 'react';
import { MOUSE_REPORTING_OFF, MOUSE_REPORTING_ON, type MouseReport } from '../input/mouse.ts';
import { usePasteGate } from './use-paste-gate.ts';

/**
 * While `on`, the terminal reports the mouse (presses and the wheel, SGR
 * coordinates; no motion, so Shift+drag still selects text) and each
 * report goes to `onReport` (the one of the latest render). Turned off
 * again when `on` goes false or the component unmounts; `runFullscreen`
 * also turns it off on every way out. Reports never reach a key handler,
 * on or off (`PasteGate`).
 */
export function useMouse(on: boolean, onReport: (report: MouseReport) => void): void {
  // The raw stream: Ink's own write() would clear and draw the frame again.
  const { stdout } = useStdout();
  const gate = usePasteGate();
  const latest = useRef(onReport);
  latest.current = onReport;
  useEffect(() => {
    if (!on) return;
    stdout.write(MOUSE_REPORTING_ON);
    const stop = gate.onMouse((report) => latest.current(report));
    return () => {
      stop();
      stdout.write(MOUSE_REPORTING_OFF);
    };
  }, [on, stdout, gate]);
}
