/** Log levels `chat serve --log-level` accepts (apart from pino, so the CLI can list them cheaply). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
