import { isoTime } from '../lib/iso-time.js';

export const REDACTED = '<redacted>';

const NOTHING: ReadonlySet<string> = new Set();

/** Meta keys whose values are never logged, whatever they contain. */
const SECRET_KEY = /token|authorization|password|passphrase|secret|cookie|private.?key/i;
/** Credentials in text: HTTP auth schemes followed by their credential, and passwords in URLs. */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\b(TargetToken|GatewayToken|Bearer|Basic)(\s+)[^\s"',;)}\]]+/g, `$1$2${REDACTED}`],
  [/(\/\/[^/\s:@]+:)[^@/\s]+@/g, `$1${REDACTED}@`],
  [/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g, `${REDACTED} private key`],
];

/**
 * The one redaction step for everything that leaves the process or lands on disk (log entries, the
 * status file, the state file, feedback details, CLI output): removes the literal secret values it was
 * built with (target or gateway token, proxy passwords) wherever they appear in a string, anything that
 * looks like an Authorization credential or a URL password, PEM private keys, and (in `value`) the value
 * of any field whose name says it is a secret.
 */
export class Redactor {
  readonly #secrets: readonly string[];

  constructor(secrets: readonly string[] = []) {
    // Longest first, so a secret containing another is replaced whole; very short values would
    // shred ordinary words and are not real credentials.
    this.#secrets = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  }

  text(value: string): string {
    let result = value;
    for (const secret of this.#secrets) result = result.split(secret).join(REDACTED);
    for (const [pattern, replacement] of SECRET_PATTERNS) result = result.replace(pattern, replacement);
    return result;
  }

  /**
   * JSON text of `value` with every string redacted; keys and structure are kept. The values of fields
   * named in `keep` are written as they are (file paths that must still name the file on disk).
   */
  stringify(value: unknown, space?: number, keep: ReadonlySet<string> = NOTHING): string {
    const redact = (inner: unknown): unknown => {
      if (typeof inner === 'string') return this.text(inner);
      if (Array.isArray(inner)) return inner.map(redact);
      if (typeof inner !== 'object' || inner === null || inner instanceof Date) return inner;
      return Object.fromEntries(Object.entries(inner).map(([key, field]) => [key, keep.has(key) ? field : redact(field)]));
    };
    return JSON.stringify(redact(value), null, space);
  }

  /** A redacted copy of any JSON-like value (Errors become `{name, code, message}`). */
  value(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.text(value);
    if (typeof value !== 'object' || value === null) return value;
    if (depth > 8) return '[too deep]';
    if (value instanceof Error) return this.value(describeError(value), depth + 1);
    if (Array.isArray(value)) return value.map((item) => this.value(item, depth + 1));
    if (value instanceof Date) return isoTime(value);
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      copy[key] = SECRET_KEY.test(key) && inner !== undefined && inner !== null ? REDACTED : this.value(inner, depth + 1);
    }
    return copy;
  }
}

function describeError(error: Error): Record<string, unknown> {
  const described: Record<string, unknown> = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) described.code = code;
  if (error.cause instanceof Error) described.cause = `${error.cause.name}: ${error.cause.message}`;
  return described;
}
