/**
 * The text of `Date.prototype.toISOString()`, made from the date's UTC fields. The first
 * `toISOString()` of a process sets up V8's date cache, which pages in ICU's time-zone data (≈ 0.6 MB
 * resident for the life of the process) although the ISO form is UTC; the `getUTC…()` fields do not
 * (docs/performance.md › Levers, seventh round). Years outside 0–9999, and an invalid date (a
 * RangeError), are left to `toISOString()` itself.
 */
export function isoTime(time: number | Date = Date.now()): string {
  const date = typeof time === 'number' ? new Date(time) : time;
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return date.toISOString();
  const two = (value: number) => String(value).padStart(2, '0');
  return `${String(year).padStart(4, '0')}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}T${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}.${String(date.getUTCMilliseconds()).padStart(3, '0')}Z`;
}
