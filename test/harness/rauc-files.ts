import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface RaucLayout {
  readonly dir: string;
  readonly conf: string;
  readonly mountPrefix: string;
  readonly slots: { readonly 'rootfs.0': string; readonly 'rootfs.1': string };
  /** While this file exists, the pre-install handler holds every install (see holdInstalls). */
  readonly holdFile: string;
}

/**
 * Writes RAUC's system.conf (two file-backed raw slots, custom bootloader, pre-install handler), the fake
 * bootloader script, its state files and the empty slot files. Paths go into the files verbatim, so the
 * directory must not contain newlines or quotes.
 */
export async function writeRaucFiles(dir: string, options: { compatible: string; keyring: string; primary: 'A' | 'B' }): Promise<RaucLayout> {
  const layout: RaucLayout = {
    dir,
    conf: join(dir, 'system.conf'),
    mountPrefix: join(dir, 'mnt'),
    slots: { 'rootfs.0': join(dir, 'slots', 'a.img'), 'rootfs.1': join(dir, 'slots', 'b.img') },
    holdFile: join(dir, 'hold'),
  };
  for (const sub of ['mnt', 'data', 'slots', 'boot', 'bundles']) await mkdir(join(dir, sub), { recursive: true });
  // Sparse, empty slot files: a raw slot is written from offset 0.
  for (const slot of Object.values(layout.slots)) await writeFile(slot, '');
  await writeFile(join(dir, 'boot', 'primary'), `${options.primary}\n`);
  await writeFile(join(dir, 'boot', 'state.A'), 'good\n');
  await writeFile(join(dir, 'boot', 'state.B'), 'good\n');
  await script(join(dir, 'boot.sh'), bootloaderScript(join(dir, 'boot')));
  await script(join(dir, 'pre-install.sh'), preInstallScript(layout.holdFile));
  await writeFile(layout.conf, systemConf(dir, layout, options));
  return layout;
}

async function script(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  await chmod(path, 0o755);
}

function systemConf(dir: string, layout: RaucLayout, options: { compatible: string; keyring: string }): string {
  return `[system]
compatible=${options.compatible}
bootloader=custom
mountprefix=${layout.mountPrefix}
data-directory=${join(dir, 'data')}

[keyring]
path=${options.keyring}

[handlers]
bootloader-custom-backend=${join(dir, 'boot.sh')}
pre-install=${join(dir, 'pre-install.sh')}

[slot.rootfs.0]
device=${layout.slots['rootfs.0']}
type=raw
bootname=A

[slot.rootfs.1]
device=${layout.slots['rootfs.1']}
type=raw
bootname=B
`;
}

/** RAUC 1.8's custom bootloader interface, state kept in files; set-primary also marks the slot good. */
function bootloaderScript(stateDir: string): string {
  return `#!/bin/sh
# Fake bootloader for RAUC's custom backend (test harness). State lives in ${stateDir}.
set -eu
state='${stateDir}'
check() { case "$1" in A|B) ;; *) echo "unknown bootname: $1" >&2; exit 1 ;; esac; }
case "\${1:-}" in
  get-primary) cat "$state/primary" ;;
  set-primary) check "$2"; echo "$2" > "$state/primary"; echo good > "$state/state.$2" ;;
  get-state) check "$2"; cat "$state/state.$2" ;;
  set-state)
    check "$2"
    case "$3" in good|bad) echo "$3" > "$state/state.$2" ;; *) echo "unknown state: $3" >&2; exit 1 ;; esac ;;
  *) echo "unsupported: $*" >&2; exit 1 ;;
esac
`;
}

/** Holds the install (RAUC shows Operation=installing) while the hold file exists, at most 60 s. */
function preInstallScript(holdFile: string): string {
  return `#!/bin/sh
# Pre-install handler (test harness): lets a test keep an install running on purpose.
i=0
while [ -e '${holdFile}' ] && [ "$i" -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
exit 0
`;
}
