import { DdiProtocolError } from './errors.js';

export const MAX_ATTRIBUTES = 100;
export const MAX_ATTRIBUTE_LENGTH = 128;

/**
 * Checks attributes against hawkBit's limits before sending them (the server answers 400 or a quota
 * error otherwise): at most 100 entries, keys and values of at most 128 characters, keys not empty.
 * The error names the attribute (never more than its first characters).
 */
export function validateAttributes(attributes: Readonly<Record<string, string>>): void {
  const entries = Object.entries(attributes);
  if (entries.length === 0) throw new DdiProtocolError('configData.data', 'configData.data: at least one attribute is needed (the server refuses an empty set)');
  if (entries.length > MAX_ATTRIBUTES) {
    throw new DdiProtocolError('configData.data', `configData.data: ${entries.length} attributes, the server accepts at most ${MAX_ATTRIBUTES}`);
  }
  for (const [key, value] of entries) {
    const field = `configData.data[${JSON.stringify(shorten(key))}]`;
    if (key.length === 0) throw new DdiProtocolError(field, `${field}: an attribute name must not be empty`);
    if (key.length > MAX_ATTRIBUTE_LENGTH) {
      throw new DdiProtocolError(field, `${field}: attribute name is ${key.length} characters, at most ${MAX_ATTRIBUTE_LENGTH} are allowed`);
    }
    if (typeof value !== 'string') throw new DdiProtocolError(field, `${field}: attribute value must be a string`);
    if (value.length > MAX_ATTRIBUTE_LENGTH) {
      throw new DdiProtocolError(field, `${field}: value is ${value.length} characters, at most ${MAX_ATTRIBUTE_LENGTH} are allowed`);
    }
  }
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
