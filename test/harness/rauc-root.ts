import { fileURLToPath } from 'node:url';
import { run } from './process.js';

/** The RAUC versions the real-RAUC tests run against. */
export const RAUC_VERSIONS = ['1.8', '1.13'] as const;
export type RaucVersion = (typeof RAUC_VERSIONS)[number];

const SCRIPT = fileURLToPath(new URL('../../scripts/rauc-root.sh', import.meta.url));

/** Commands the 1.13 root needs on the host besides those of RAUC 1.8's environment. */
export const ROOT_COMMANDS = ['unshare', 'setpriv', 'chroot', 'mount'];

/**
 * The cached Debian trixie root with RAUC 1.13 (scripts/rauc-root.sh): built on first use (as root, with
 * mmdebstrap, ~30 s), then reused; a changed recipe builds a new one. Rejects with the script's reason.
 */
export async function raucRoot(): Promise<string> {
  try {
    return (await run(SCRIPT, ['build'], { timeoutMs: 600_000 })).trim();
  } catch (error) {
    throw new Error(`the RAUC 1.13 root is not available: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Runs inside a new, private mount namespace (unshare --mount): a per-start overlay of the cached root on
 * a tmpfs (the root itself is never written, and what RAUC writes there, e.g. /run, is gone with the
 * namespace, as after a reboot), /dev /proc /sys rbind-mounted into it and the test directory (plus
 * any shared one) bound at the same path; then RAUC is exec'ed in the chroot with a parent-death
 * signal. Every one of these mounts exists only in the namespace, which the kernel removes when RAUC
 * exits — also when the test process is killed (SIGTERM, Ctrl-C or SIGKILL: the parent-death signal
 * ends RAUC).
 */
const NAMESPACE_SCRIPT = `set -eu
lower=$1 top=$2/.rauc-root
shift
mount -t tmpfs -o mode=0755 rauc-root "$top"
mkdir "$top/upper" "$top/work" "$top/merged"
mount -t overlay rauc-root -o "lowerdir=$lower,upperdir=$top/upper,workdir=$top/work" "$top/merged"
for fs in dev proc sys; do mount --rbind "/$fs" "$top/merged/$fs"; done
while [ "$1" != -- ]; do
  mkdir -p "$top/merged$1"
  mount --bind "$1" "$top/merged$1"
  shift
done
shift
exec setpriv --pdeathsig TERM chroot "$top/merged" "$@"
`;

/**
 * The process to spawn for `rauc <args>` of a version: the host's 1.8, or 1.13 from the root, which
 * sees the host's files only in `dir` (the environment's) and `shared` (e.g. the agent's downloads).
 */
export function raucCommand(version: RaucVersion, args: readonly string[], context: { root?: string; dir: string; shared?: readonly string[] }): { file: string; args: string[] } {
  if (version === '1.8') return { file: 'rauc', args: [...args] };
  if (!context.root) throw new Error('RAUC 1.13 needs its root (raucRoot())');
  const dirs = [context.dir, ...(context.shared ?? [])];
  // overlayfs splits its options at commas (and lowerdir at colons); '--' ends the list of directories.
  for (const path of [context.root, ...dirs]) if (/[,:\n]/.test(path) || path === '--') throw new Error(`path unusable for the RAUC 1.13 root: ${path}`);
  return { file: 'unshare', args: ['--mount', '--propagation', 'private', '--', 'sh', '-c', NAMESPACE_SCRIPT, 'rauc-root', context.root, ...dirs, '--', 'rauc', ...args] };
}
