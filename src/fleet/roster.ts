import { readFileSync } from 'node:fs';
import { HawkbitRaucError, errorMessage, isErrorNamed } from '../lib/errors.js';

/** One virtual device: its controller id, its own target token (or none: the gateway token serves it) and its group. */
export interface VirtualDevice {
  readonly id: string;
  readonly token: string | undefined;
  readonly group: string;
}

export class FleetRosterError extends HawkbitRaucError {
  override readonly name = 'FleetRosterError';
  readonly code = 'FLEET_ROSTER';
}

export function isFleetRosterError(value: unknown): value is FleetRosterError {
  return isErrorNamed(value, 'FleetRosterError');
}

/** hawkBit's controller id: at most 256 characters; we also keep it to a safe directory name. */
const CONTROLLER_ID = /^[\w.:-]{1,256}$/;

/**
 * `count` devices named `prefix` + a zero-padded index (`fleet-0000`, …), split into `groups` groups of
 * consecutive devices named `1`, `2`, … (the last one may be smaller).
 */
export function numberedDevices(prefix: string, count: number, groups = 1): VirtualDevice[] {
  const width = Math.max(4, String(count - 1).length);
  const size = Math.ceil(count / groups);
  const devices = Array.from({ length: count }, (_, index) => ({
    id: `${prefix}${String(index).padStart(width, '0')}`,
    token: undefined,
    group: String(Math.floor(index / size) + 1),
  }));
  for (const device of devices) if (!CONTROLLER_ID.test(device.id)) throw new FleetRosterError(`'${device.id}' is not a usable controller id (letters, digits, . _ : -)`);
  return devices;
}

/**
 * A CSV file with a header line naming the columns `controller_id` (required), `target_token` and
 * `group` (optional, in any order); `#` starts a comment line. Every error names the file and line.
 */
export function devicesFromCsv(file: string): VirtualDevice[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FleetRosterError(`${file}: cannot read the device list (${errorMessage(error)})`, { cause: error });
  }
  const lines = text.split(/\r?\n/).map((line, index) => ({ line: line.trim(), number: index + 1 })).filter(({ line }) => line !== '' && !line.startsWith('#'));
  const header = lines.shift();
  if (!header) throw new FleetRosterError(`${file}: no devices (expected a header line 'controller_id,target_token,group' and one line per device)`);
  const columns = header.line.split(',').map((name) => name.trim().toLowerCase());
  const idColumn = columns.indexOf('controller_id');
  if (idColumn < 0) throw new FleetRosterError(`${file}:${header.number}: the header names no 'controller_id' column (found: ${columns.join(', ')})`);
  const tokenColumn = columns.indexOf('target_token');
  const groupColumn = columns.indexOf('group');
  const seen = new Set<string>();
  const devices = lines.map(({ line, number }) => {
    const cells = line.split(',').map((cell) => cell.trim());
    if (cells.length !== columns.length) throw new FleetRosterError(`${file}:${number}: ${cells.length} fields, the header has ${columns.length}`);
    const id = cells[idColumn]!;
    if (!CONTROLLER_ID.test(id)) throw new FleetRosterError(`${file}:${number}: '${id}' is not a usable controller id (letters, digits, . _ : -)`);
    if (seen.has(id)) throw new FleetRosterError(`${file}:${number}: controller id '${id}' appears twice`);
    seen.add(id);
    const token = tokenColumn < 0 || cells[tokenColumn] === '' ? undefined : cells[tokenColumn];
    return { id, token, group: groupColumn < 0 || cells[groupColumn] === '' ? '1' : cells[groupColumn]! };
  });
  if (devices.length === 0) throw new FleetRosterError(`${file}: no devices below the header line`);
  return devices;
}
