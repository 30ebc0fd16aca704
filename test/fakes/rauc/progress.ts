import type { InstallProgress } from '../../../src/rauc/types.js';

const step = (percentage: number, message: string, depth: number): InstallProgress => Object.freeze({ percentage, message, depth });

/** The Progress values real RAUC 1.8 sends for a one-image bundle that installs (checked hands-on). */
export const RAUC_18_SUCCESS: readonly InstallProgress[] = Object.freeze([
  step(0, 'Installing', 1),
  step(0, 'Determining slot states', 2),
  step(20, 'Determining slot states done.', 2),
  step(20, 'Checking bundle', 2),
  step(20, 'Verifying signature', 3),
  step(40, 'Verifying signature done.', 3),
  step(40, 'Checking bundle done.', 2),
  step(40, 'Checking manifest contents', 2),
  step(60, 'Checking manifest contents done.', 2),
  step(60, 'Determining target install group', 2),
  step(80, 'Determining target install group done.', 2),
  step(80, 'Updating slots', 2),
  step(80, 'Checking slot rootfs.1', 3),
  step(90, 'Checking slot rootfs.1 done.', 3),
  step(90, 'Copying image to rootfs.1', 3),
  step(99, 'Copying image to rootfs.1 done.', 3),
  step(99, 'Updating slots done.', 2),
  step(100, 'Installing done.', 1),
]);

/**
 * The fixed Progress steps real RAUC 1.13 sends for a one-image bundle that installs (checked
 * hands-on); between `Copying image to rootfs.1` and its `done.` it adds a step per copied part, with the
 * same message and a rising percentage (46 to 99).
 */
export const RAUC_113_SUCCESS: readonly InstallProgress[] = Object.freeze([
  step(0, 'Installing', 1),
  step(0, 'Determining slot states', 2),
  step(10, 'Determining slot states done.', 2),
  step(10, 'Checking bundle', 2),
  step(10, 'Verifying signature', 3),
  step(20, 'Verifying signature done.', 3),
  step(20, 'Checking bundle done.', 2),
  step(20, 'Checking manifest contents', 2),
  step(30, 'Checking manifest contents done.', 2),
  step(30, 'Determining target install group', 2),
  step(40, 'Determining target install group done.', 2),
  step(40, 'Updating slots', 2),
  step(40, 'Checking slot rootfs.1 (B)', 3),
  step(46, 'Checking slot rootfs.1 (B) done.', 3),
  step(46, 'Copying image to rootfs.1', 3),
  step(99, 'Copying image to rootfs.1 done.', 3),
  step(99, 'Updating slots done.', 2),
  step(100, 'Installing done.', 1),
]);

/** What RAUC 1.8 sends when the bundle check fails (e.g. a bad signature). */
export const RAUC_18_FAILURE: readonly InstallProgress[] = Object.freeze([
  step(0, 'Installing', 1),
  step(0, 'Determining slot states', 2),
  step(20, 'Determining slot states done.', 2),
  step(20, 'Checking bundle', 2),
  step(20, 'Verifying signature', 3),
  step(40, 'Verifying signature failed.', 3),
  step(40, 'Checking bundle failed.', 2),
  step(100, 'Installing failed.', 1),
]);
