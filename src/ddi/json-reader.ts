import { DdiProtocolError } from './errors.js';

/**
 * A cursor over untrusted JSON that knows its own path, so every type error names the field
 * (`deployment.chunks[0].artifacts[1].size: expected a number, got "12"`). Unknown fields are ignored.
 */
export class JsonReader {
  constructor(readonly value: unknown, readonly path: string) {}

  static parse(text: string, what: string): JsonReader {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const cut = text.length === 0 ? 'an empty body' : 'malformed or truncated JSON';
      throw new DdiProtocolError('(body)', `${what}: the server sent ${cut} (${(error as Error).message})`, { cause: error });
    }
    return new JsonReader(value, '');
  }

  field(name: string): JsonReader {
    const object = this.object();
    return new JsonReader(Object.hasOwn(object, name) ? object[name] : undefined, this.path === '' ? name : `${this.path}.${name}`);
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  object(): Record<string, unknown> {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) this.fail('an object');
    return this.value as Record<string, unknown>;
  }

  string(): string {
    if (typeof this.value !== 'string') this.fail('a string');
    return this.value as string;
  }

  /** Strings, and ids that some servers send as numbers, both as a string. */
  id(): string {
    if (typeof this.value === 'number' && Number.isSafeInteger(this.value)) return String(this.value);
    return this.string();
  }

  number(): number {
    if (typeof this.value !== 'number' || !Number.isFinite(this.value)) this.fail('a number');
    return this.value as number;
  }

  boolean(): boolean {
    if (typeof this.value !== 'boolean') this.fail('a boolean');
    return this.value as boolean;
  }

  oneOf<T extends string>(allowed: readonly T[]): T {
    const text = this.string();
    if (!(allowed as readonly string[]).includes(text)) this.fail(`one of ${allowed.join(', ')}`);
    return text as T;
  }

  items(): JsonReader[] {
    if (!Array.isArray(this.value)) this.fail('an array');
    return (this.value as unknown[]).map((item, index) => new JsonReader(item, `${this.path}[${index}]`));
  }

  /** Runs `read` when the field is present (not undefined/null), else returns undefined. */
  optional<T>(read: (reader: JsonReader) => T): T | undefined {
    return this.present ? read(this) : undefined;
  }

  fail(expected: string): never {
    throw new DdiProtocolError(this.path || '(body)', `${this.path || '(body)'}: expected ${expected}, got ${describe(this.value)}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
