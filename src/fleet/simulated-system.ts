import type { System } from '../system/index.js';
import type { SimulatedRauc } from './simulated-rauc.js';

/**
 * The `System` of a virtual device: the boot id is the simulated RAUC's, a reboot request is handed to
 * the fleet (which stops the device's agent as systemd would, boots the simulated slots and starts the
 * agent again), notifications go nowhere and there is no watchdog.
 */
export class SimulatedSystem implements System {
  readonly watchdogIntervalMs = undefined;

  constructor(
    private readonly rauc: SimulatedRauc,
    private readonly onReboot: () => void,
  ) {}

  async bootId(): Promise<string> {
    return this.rauc.bootId;
  }

  async reboot(): Promise<void> {
    this.onReboot();
  }

  async notify(): Promise<void> {}
}
