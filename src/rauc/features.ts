/**
 * What this RAUC offers beyond 1.8, read from its D-Bus introspection (never from a version string).
 * Facts from RAUC's sources (src/de.pengutronix.rauc.Installer.xml, src/service.c, CHANGES per tag):
 * - 1.9 added the method InspectBundle(s, a{sv}) → a{sv}.
 * - 1.10 added the InstallBundle key `transaction-id` (and `installed.transaction` in the slot status).
 *   Install args are one a{sv}, so no signature shows it, and 1.10 changed no method or property.
 * - 1.13 added the method GetArtifactStatus() → aa{sv}.
 * - 1.14 added the key `require-manifest-hash`; again no method or property changed.
 * RAUC has never removed a key, and InstallBundle refuses an unknown key with the error
 * `Unsupported key: <key>` before it starts anything (service.c checks the keys first). So:
 * GetArtifactStatus ⇒ transaction-id; no InspectBundle ⇒ no transaction-id (it came later); in
 * between (1.9–1.12) RAUC's own answer to the first install with the key decides (DbusInstaller).
 * require-manifest-hash: not before GetArtifactStatus; with it, only RAUC's answer can tell.
 */

export interface MethodShape {
  /** Concatenated in-argument types, e.g. `sa{sv}`. */
  readonly in: string;
  readonly out: string;
}

/** `unknown`: the interface does not show it; RAUC's answer to a call that uses it decides. */
export type Support = 'yes' | 'no' | 'unknown';

export interface RaucFeatures {
  /** Methods of de.pengutronix.rauc.Installer with their argument types. */
  readonly methods: Readonly<Record<string, MethodShape>>;
  readonly inspectBundle: boolean;
  readonly transactionId: Support;
  readonly requireManifestHash: Support;
}

const INTERFACE = /<interface\s+name="de\.pengutronix\.rauc\.Installer"\s*>([\s\S]*?)<\/interface>/;
const METHOD = /<method\s+name="([^"]+)"\s*(?:\/>|>([\s\S]*?)<\/method>)/g;
const ARG = /<arg\s+([^>]*?)\/?>/g;
const ATTRIBUTE = /(\w+)="([^"]*)"/g;

/**
 * The Installer interface's methods from `Introspect` XML. A regular expression suffices: GDBus writes
 * flat, attribute-only elements, and dbus-next's own parser is not part of its public API.
 */
export function parseInstallerMethods(xml: string): Record<string, MethodShape> {
  const body = INTERFACE.exec(xml)?.[1];
  const methods: Record<string, MethodShape> = {};
  if (body === undefined) return methods;
  for (const [, name, inner] of body.matchAll(METHOD)) {
    let input = '';
    let output = '';
    for (const [, attributes] of (inner ?? '').matchAll(ARG)) {
      const values = Object.fromEntries([...attributes!.matchAll(ATTRIBUTE)].map(([, key, value]) => [key, value]));
      if (values['direction'] === 'out') output += values['type'] ?? '';
      else input += values['type'] ?? '';
    }
    methods[name!] = { in: input, out: output };
  }
  return methods;
}

export function detectFeatures(methods: Readonly<Record<string, MethodShape>>): RaucFeatures {
  const inspect = methods['InspectBundle'];
  const inspectBundle = inspect?.in === 'sa{sv}' && inspect.out === 'a{sv}';
  const artifacts = methods['GetArtifactStatus'] !== undefined;
  return {
    methods,
    inspectBundle,
    transactionId: artifacts ? 'yes' : inspectBundle ? 'unknown' : 'no',
    requireManifestHash: artifacts ? 'unknown' : 'no',
  };
}

/** One line for the start-up log. */
export function describeFeatures(features: RaucFeatures): string {
  const word = (support: Support): string => (support === 'unknown' ? 'not shown by D-Bus (RAUC\'s answer to the first install decides)' : support);
  return [
    `InspectBundle ${features.inspectBundle ? 'yes' : 'no'}`,
    `transaction-id ${word(features.transactionId)}`,
    `require-manifest-hash ${word(features.requireManifestHash)}`,
  ].join(', ');
}
