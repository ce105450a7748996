import { type DestinationStream, type Logger, pino } from 'pino';

import type { LogLevel } from './log-levels.ts';

export { LOG_LEVELS, type LogLevel } from './log-levels.ts';

/**
 * Structured JSON lines on stderr (or `destination`). Message text never
 * reaches the log at any level: the server logs who, when and how much.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    { level, base: { service: 'chat' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? pino.destination({ dest: 2, sync: false }),
  );
}
