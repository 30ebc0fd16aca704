/**
 * Stable numeric codes we send in feedback `status.code` (hawkBit shows them as "Device reported status
 * code: N" and stores the last one as the action's `lastStatusCode`, which operators filter on).
 * An on-the-wire format: never renumber; add new codes at the end of their range. See docs/protocol.md.
 */
export const STATUS_CODES = Object.freeze({
  /** Final success (closed/success). */
  SUCCESS: 200,
  /** Download failed (network, HTTP, too slow, retries exhausted). */
  DOWNLOAD_FAILED: 1001,
  /** Downloaded bytes do not match the server's md5/sha1/sha256. */
  CHECKSUM_MISMATCH: 1002,
  /** Not enough free space for the artifact. */
  INSUFFICIENT_SPACE: 1003,
  /** The deployment holds no artifact we can install (no bundle, several candidates, unsafe name). */
  UNSUPPORTED_ARTIFACT: 1004,
  /** RAUC refused or failed the installation (details carry RAUC's LastError verbatim). */
  INSTALL_FAILED: 2001,
  /** After the reboot the expected slot did not boot (rolled back). */
  ROLLBACK: 2002,
  /** The bundle's compatible is not RAUC's: refused before InstallBundle (details name both strings). */
  INCOMPATIBLE_BUNDLE: 2003,
  /** A plain bundle over 2 GiB on a RAUC before 1.15.2 (CVE-2026-34155): refused before InstallBundle. */
  UNSAFE_BUNDLE: 2004,
  /** The local update gate refused the update. */
  GATE_REFUSED: 3001,
  /** Confirmation was denied by the local policy (confirmationBase feedback). */
  CONFIRMATION_DENIED: 3002,
  /** The action was canceled on the device's side (stopped before installing). */
  CANCELED: 3003,
  /** The offered bundle is older than the booted slot's and allow_downgrade = false (before the download). */
  DOWNGRADE_REFUSED: 3004,
  /** The server's answers did not fit the DDI protocol. */
  PROTOCOL_ERROR: 4001,
  /** An internal error (bug, state store failure, state loop detected). */
  INTERNAL_ERROR: 5001,
} as const);

export type StatusCodeName = keyof typeof STATUS_CODES;
export type StatusCode = (typeof STATUS_CODES)[StatusCodeName];
