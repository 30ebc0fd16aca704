/**
 * `npm run build:device`: a self-contained tree for an embedded image, laid out as it is installed
 * (a recipe copies it into the root file system, see docs/deploying.md):
 *
 *   usr/lib/hawkbit-rauc/hawkbit-rauc.cjs        the start script: runs the bundle with V8's code cache
 *   usr/lib/hawkbit-rauc/hawkbit-rauc-bundle.cjs the service and CLI, one CommonJS script, no node_modules
 *   usr/lib/hawkbit-rauc/THIRD-PARTY-LICENSES    licenses of the bundled packages
 *   usr/bin/hawkbit-rauc                         symlink to the start script
 *   usr/lib/systemd/system/hawkbit-rauc.service
 *   usr/lib/sysusers.d/hawkbit-rauc.conf         the system user
 *   usr/share/dbus-1/system.d/hawkbit-rauc.conf
 *   usr/share/polkit-1/rules.d/50-hawkbit-rauc.rules
 *   usr/share/doc/hawkbit-rauc/                  README.md, hawkbit-rauc.conf.example
 *
 * Options: `--out DIR` (default dist-device).
 */
import { build, type Metafile } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { deviceBundleOptions } from './device-bundle.js';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist-device' } } });
const out = resolve(root, values.out);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

const LIB_DIR = 'usr/lib/hawkbit-rauc';
const START = `${LIB_DIR}/hawkbit-rauc.cjs`;
/** The name src/device-start.ts looks for next to itself. */
const BUNDLE = `${LIB_DIR}/hawkbit-rauc-bundle.cjs`;
const FILES: ReadonlyArray<readonly [from: string, to: string, mode: number]> = [
  ['config/hawkbit-rauc.service', 'usr/lib/systemd/system/hawkbit-rauc.service', 0o644],
  ['config/sysusers/hawkbit-rauc.conf', 'usr/lib/sysusers.d/hawkbit-rauc.conf', 0o644],
  ['config/dbus/hawkbit-rauc.conf', 'usr/share/dbus-1/system.d/hawkbit-rauc.conf', 0o644],
  ['config/polkit/50-hawkbit-rauc.rules', 'usr/share/polkit-1/rules.d/50-hawkbit-rauc.rules', 0o644],
  ['config/hawkbit-rauc.conf.example', 'usr/share/doc/hawkbit-rauc/hawkbit-rauc.conf.example', 0o644],
  ['config/device-README.md', 'usr/share/doc/hawkbit-rauc/README.md', 0o644],
];

const started = Date.now();
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, LIB_DIR), { recursive: true });

const result = await build(deviceBundleOptions({ entry: join(root, 'src/cli.ts'), outfile: join(out, BUNDLE), version: pkg.version }));
chmodSync(join(out, BUNDLE), 0o755);
// The start script compiles the bundle with vm.Script, which has no loader for import(). The one there is
// proxy-agent-negotiate's (kerberos, for Negotiate proxy authentication, which hawkbit-rauc never turns
// on); its failure ends in that package's own error. Any other would fail at run time: stop here.
const dynamicImports = Object.values(result.metafile.outputs).flatMap((output) => output.imports).filter((entry) => entry.kind === 'dynamic-import' && entry.path !== 'kerberos');
if (dynamicImports.length > 0) throw new Error(`the bundle would import() at run time, which its start script cannot serve: ${dynamicImports.map((entry) => entry.path).join(', ')}`);
await build(deviceBundleOptions({ entry: join(root, 'src/device-start.ts'), outfile: join(out, START), version: pkg.version }));
chmodSync(join(out, START), 0o755);

mkdirSync(join(out, 'usr/bin'), { recursive: true });
symlinkSync(relative(join(out, 'usr/bin'), join(out, START)), join(out, 'usr/bin/hawkbit-rauc'));
for (const [from, to, mode] of FILES) {
  mkdirSync(dirname(join(out, to)), { recursive: true });
  copyFileSync(join(root, from), join(out, to));
  chmodSync(join(out, to), mode);
}
writeFileSync(join(out, LIB_DIR, 'THIRD-PARTY-LICENSES'), thirdPartyLicenses(result.metafile));

const kib = (file: string) => `${relative(root, join(out, file))}: ${(statSync(join(out, file)).size / 1024).toFixed(0)} KiB`;
process.stdout.write(`${kib(BUNDLE)}, ${kib(START)}, built in ${Date.now() - started} ms\n`);

/** Every npm package that went into the bundle, with its license text. */
function thirdPartyLicenses(metafile: Metafile): string {
  const packages = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1]) packages.add(match[1]);
  }
  const sections = [...packages].sort().map((name) => {
    const dir = join(root, 'node_modules', name);
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string; license?: unknown; licenses?: unknown };
    const license = licenseName(meta.license ?? meta.licenses);
    const file = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE'].map((f) => join(dir, f)).find((f) => existsSync(f));
    const text = file ? readFileSync(file, 'utf8').trim() : `(no license file; package.json says ${license})`;
    return `${name} ${meta.version} (${license})\n\n${text}\n`;
  });
  return `hawkbit-rauc ${pkg.version} bundles these packages:\n\n${sections.join(`\n${'-'.repeat(72)}\n\n`)}`;
}

/** package.json `license` is a string, or (old style) `{ type }` or a list of those. */
function licenseName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(licenseName).join(' OR ');
  if (typeof value === 'object' && value !== null && 'type' in value) return String(value.type);
  return 'not stated';
}
