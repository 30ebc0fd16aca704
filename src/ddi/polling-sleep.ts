import { DdiProtocolError } from './errors.js';

const FIELD = 'config.polling.sleep';

/** `config.polling.sleep` ("HH:MM:SS", hours may exceed 23) in milliseconds. */
export function parsePollingSleep(value: string): number {
  const match = /^(\d{1,4}):([0-5]\d):([0-5]\d)$/.exec(value.trim());
  if (!match) {
    throw new DdiProtocolError(FIELD, `${FIELD}: expected a duration "HH:MM:SS", got ${JSON.stringify(value)}`);
  }
  const [, hours, minutes, seconds] = match;
  return ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
}
