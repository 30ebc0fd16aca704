import type { Writable } from 'node:stream';
import winston from 'winston';
import { sanitizeForLog } from '../lib/sanitize.js';
import { JOURNAL_PRIORITY, LEVEL_SEVERITY, type LogFormat, type LogLevel } from './levels.js';
import { Redactor } from './redactor.js';
import { isoTime } from '../lib/iso-time.js';

export type LogMeta = Readonly<Record<string, unknown>>;

/** The logging interface every layer receives through its constructor. */
export interface Logger {
  error(message: string, meta?: LogMeta): void;
  critical(message: string, meta?: LogMeta): void;
  warning(message: string, meta?: LogMeta): void;
  message(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  debug(message: string, meta?: LogMeta): void;
  /** A logger that adds `meta` (e.g. `{ component: 'ddi' }`) to every entry. */
  child(meta: LogMeta): Logger;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Secret values to cut from every entry (tokens, proxy passwords). */
  readonly secrets?: readonly string[];
  /** The redaction step to use (shared with the other outputs); built from `secrets` when absent. */
  readonly redactor?: Redactor;
  /** Where entries go; default stdout for journal format, stderr otherwise. */
  readonly stream?: Writable;
}

const MESSAGE = Symbol.for('message');

export function createLogger(options: LoggerOptions): Logger {
  const redactor = options.redactor ?? new Redactor(options.secrets);
  const render = options.format === 'json' ? renderJson : options.format === 'journal' ? renderJournal : renderText;
  const stream = options.stream ?? (options.format === 'journal' ? process.stdout : process.stderr);
  const instance = winston.createLogger({
    levels: { ...LEVEL_SEVERITY },
    level: options.level,
    format: winston.format((info) => {
      const { level, message, ...meta } = info;
      const entry: Entry = {
        level: level as LogLevel,
        message: clean(redactor.text(String(message))),
        meta: cleanValue(redactor.value(meta)) as Record<string, unknown>,
      };
      (info as Record<symbol, unknown>)[MESSAGE] = render(entry);
      return info;
    })(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return wrap(instance, LEVEL_SEVERITY[options.level]);
}

/**
 * Entries quote server-supplied text (names, versions, error bodies): no escape sequence or control
 * character may reach a terminal, a JSON consumer or forge a log line. Entries are not capped here.
 */
const clean = (text: string) => sanitizeForLog(text, { maxLength: Number.POSITIVE_INFINITY });

/** `clean` applied to every string in a redacted (plain, JSON-like) value. */
function cleanValue(value: unknown): unknown {
  if (typeof value === 'string') return clean(value);
  if (Array.isArray(value)) return value.map(cleanValue);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [clean(k), cleanValue(v)]));
  return value;
}

/** A logger that drops everything (for library users who pass none, and tests that don't look). */
export function silentLogger(): Logger {
  const noop = () => undefined;
  const logger: Logger = { error: noop, critical: noop, warning: noop, message: noop, info: noop, debug: noop, child: () => logger };
  return logger;
}

/**
 * A level above `maxSeverity` is a no-op here: winston would run the format (redaction, sanitising,
 * rendering) of every entry before its transport drops it. The level is fixed for a logger's life.
 */
function wrap(instance: winston.Logger, maxSeverity: number): Logger {
  const noop = () => undefined;
  const at = (level: LogLevel) =>
    LEVEL_SEVERITY[level] > maxSeverity
      ? noop
      : (message: string, meta?: LogMeta) => {
          instance.log(level, message, meta ?? {});
        };
  return {
    error: at('error'),
    critical: at('critical'),
    warning: at('warning'),
    message: at('message'),
    info: at('info'),
    debug: at('debug'),
    child: (meta) => wrap(instance.child(meta), maxSeverity),
  };
}

interface Entry {
  readonly level: LogLevel;
  readonly message: string;
  readonly meta: Record<string, unknown>;
}

function renderText(entry: Entry): string {
  const { component, ...rest } = entry.meta;
  const prefix = typeof component === 'string' ? `[${component}] ` : '';
  return `${isoTime()} ${entry.level.padEnd(8)} ${prefix}${entry.message}${renderFields(rest)}`;
}

function renderJournal(entry: Entry): string {
  const { component, ...rest } = entry.meta;
  const prefix = typeof component === 'string' ? `[${component}] ` : '';
  // One journal entry per line: a newline inside a message would start an entry without a priority.
  const message = `${prefix}${entry.message}${renderFields(rest)}`.replace(/\r?\n/g, ' ⏎ ');
  return `<${JOURNAL_PRIORITY[entry.level]}>${message}`;
}

function renderJson(entry: Entry): string {
  return JSON.stringify({ time: isoTime(), level: entry.level, message: entry.message, ...entry.meta }, jsonReplacer);
}

function renderFields(meta: Record<string, unknown>): string {
  const parts = Object.entries(meta)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value, jsonReplacer)}`);
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

/** D-Bus uint64 values arrive as bigint, which JSON.stringify cannot serialise on its own. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
