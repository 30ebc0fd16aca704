import { createRequire } from 'node:module';
import type * as DbusNext from 'dbus-next';

const require = createRequire(import.meta.url);

/**
 * dbus-next, loaded on first use instead of at start-up: the agent's first poll does not need D-Bus,
 * and loading it costs start-up time (docs/performance.md). Node's module cache makes every later
 * call a lookup; the classes are the same ones an `import from 'dbus-next'` gives.
 */
export function dbusNext(): typeof DbusNext {
  return require('dbus-next') as typeof DbusNext;
}
