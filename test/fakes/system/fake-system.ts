import { randomUUID } from 'node:crypto';
import type { System } from '../../../src/system/index.js';

/** A System for tests: a boot id the test changes to "reboot", recorded reboot requests and notifications. */
export class FakeSystem implements System {
  currentBootId = randomUUID();
  readonly reboots: number[] = [];
  readonly notifications: Record<string, string>[] = [];
  watchdogIntervalMs: number | undefined = undefined;
  /** Called when the agent asks for a reboot (e.g. to stop the agent, as systemd would). */
  onReboot: (() => void) | undefined;
  /** Make the next reboot request fail with this message. */
  failReboot: string | undefined;

  async bootId(): Promise<string> {
    return this.currentBootId;
  }

  async reboot(): Promise<void> {
    if (this.failReboot) throw Object.assign(new Error(this.failReboot), { name: 'RebootError', code: 'REBOOT_FAILED' });
    this.reboots.push(Date.now());
    this.onReboot?.();
  }

  async notify(state: Readonly<Record<string, string>>): Promise<void> {
    this.notifications.push({ ...state });
  }

  /** A new boot. */
  boot(): void {
    this.currentBootId = randomUUID();
  }
}
