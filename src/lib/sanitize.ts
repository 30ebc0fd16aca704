/**
 * Cleaning of untrusted text (anything a server sent: file names, versions, names, details, error
 * bodies) before it reaches a log line or a terminal, where escape sequences could rewrite the screen,
 * hide lines, forge log entries or change the terminal's title.
 */

/**
 * ANSI/VT escape sequences introduced by ESC: CSI (`ESC [ … final`), OSC/DCS/SOS/PM/APC strings
 * (`ESC ] … BEL` or `… ESC \`) and two-character escapes (`ESC x`).
 */
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -~]?)/g;
/**
 * C0 controls except \n, DEL, C1 controls (U+0080–U+009F: some terminals read U+009B as CSI), and the
 * Unicode bidirectional overrides and isolates that can make text display in another order than it is.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export interface SanitizeOptions {
  /** Longest result in UTF-16 code units, marker included (default: 2000 for logs, 500 for terminals). */
  readonly maxLength?: number;
  /** Replace line breaks by a space (for one-line fields such as a table cell). Default false. */
  readonly singleLine?: boolean;
}

/** Text safe for a log line: escape sequences and control characters (except \n) removed, length capped. */
export function sanitizeForLog(value: unknown, options: SanitizeOptions = {}): string {
  return sanitize(value, options.maxLength ?? 2000, options.singleLine ?? false);
}

/** Text safe to print on a terminal: as sanitizeForLog, with a shorter default cap. */
export function sanitizeForTerminal(value: unknown, options: SanitizeOptions = {}): string {
  return sanitize(value, options.maxLength ?? 500, options.singleLine ?? false);
}

function sanitize(value: unknown, maxLength: number, singleLine: boolean): string {
  let text = (typeof value === 'string' ? value : String(value)).replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
  if (singleLine) text = text.replace(/\n/g, ' ');
  return cap(text, maxLength);
}

/** Cuts `text` to `maxLength` code units, saying how much was cut, never inside a surrogate pair. */
function cap(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const marker = (dropped: number) => `…[${dropped} more characters]`;
  const room = maxLength - marker(text.length).length;
  const end = cutPoint(text, Math.max(0, room));
  // A cap too small for the marker gets the bare cut.
  return room > 0 ? `${text.slice(0, end)}${marker(text.length - end)}` : text.slice(0, cutPoint(text, Math.max(0, maxLength)));
}

function cutPoint(text: string, end: number): number {
  const last = text.charCodeAt(end - 1);
  return end > 0 && last >= 0xd800 && last <= 0xdbff ? end - 1 : end;
}
