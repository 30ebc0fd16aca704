/**
 * An HTTP `Retry-After` value as milliseconds: delta-seconds, or an HTTP date (relative to `now`, never
 * below 0); undefined when absent or unusable (a negative or fractional number, a date without a month
 * or day name). The DDI client and the downloader both read the header with this.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, date - now);
}
