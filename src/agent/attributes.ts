import { MAX_ATTRIBUTE_LENGTH } from '../ddi/index.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../log/index.js';
import type { Installer } from '../rauc/index.js';

/**
 * The target attributes we report: the `[device]` group plus what RAUC knows (compatible, variant,
 * booted slot and the bundle version in it). Without RAUC (not started yet at boot) only `[device]`.
 */
export async function collectAttributes(
  device: Readonly<Record<string, string>>,
  installer: Installer,
  log: Logger,
  signal?: AbortSignal,
): Promise<{ attributes: Record<string, string>; rauc: boolean }> {
  const attributes: Record<string, string> = { ...device };
  try {
    const properties = await installer.properties({ signal });
    if (properties.operation === 'installing') return { attributes, rauc: false };
    attributes.rauc_compatible = properties.compatible;
    if (properties.variant) attributes.rauc_variant = properties.variant;
    const slots = await installer.slotStatus({ signal });
    const booted = slots.find((slot) => slot.state === 'booted');
    if (booted) {
      attributes.rauc_booted_slot = booted.name;
      if (booted.bootname) attributes.rauc_boot_name = booted.bootname;
      if (booted.bundleVersion) attributes.rauc_bundle_version = booted.bundleVersion;
    }
    return { attributes: truncateValues(attributes), rauc: true };
  } catch (error) {
    if (signal?.aborted) throw error;
    log.warning(`RAUC attributes unavailable: ${errorMessage(error)}`);
    return { attributes, rauc: false };
  }
}

/** hawkBit accepts values of at most MAX_ATTRIBUTE_LENGTH characters; RAUC's may be longer. */
function truncateValues(attributes: Record<string, string>): Record<string, string> {
  const limit = MAX_ATTRIBUTE_LENGTH;
  return Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, value.length > limit ? `${value.slice(0, limit - 3)}...` : value]));
}

export function sameAttributes(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>>): boolean {
  if (!a) return false;
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((key) => a[key] === b[key]);
}
