import { UnsafeFilenameError } from './errors.js';

// C0 controls, DEL and C1 controls: never part of a file name we create.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Turns an untrusted server filename into a plain file name (no directory part) or throws
 * UnsafeFilenameError. Leading directories are stripped (`images/a.raucb` → `a.raucb`); absolute paths,
 * `..` components, NUL and control characters, and names that end up empty are rejected.
 */
export function safeFilename(name: string): string {
  if (name.length === 0) throw new UnsafeFilenameError(name, 'empty name');
  if (CONTROL.test(name)) throw new UnsafeFilenameError(name, 'contains NUL or control characters');
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) {
    throw new UnsafeFilenameError(name, 'absolute path');
  }
  const parts = name.split(/[/\\]/);
  if (parts.includes('..')) throw new UnsafeFilenameError(name, "contains a '..' component");
  const base = parts[parts.length - 1] ?? '';
  if (base === '' || base === '.') throw new UnsafeFilenameError(name, 'no file name after stripping directories');
  if (base.endsWith('.part')) throw new UnsafeFilenameError(name, "ends in '.part', which is reserved for partial downloads");
  if (Buffer.byteLength(base) > 240) throw new UnsafeFilenameError(name, 'longer than 240 bytes');
  return base;
}
