export { createLogger, jsonReplacer, silentLogger, type Logger, type LoggerOptions, type LogMeta } from './logger.js';
export { Redactor, REDACTED } from './redactor.js';
export type { LogFormat, LogLevel } from './levels.js';
