/**
 * One simulated device for the agent e2e scenarios against the real hawkBit: a target with its own
 * token, and what every rig has (../agent-rig.ts: real RAUC 1.8 or 1.13 on a private bus, our built CLI
 * as a child process, simulated reboots).
 */
import { readFile } from 'node:fs/promises';
import type { BundleOptions, RaucVersion } from '../../harness/rauc-environment.js';
import { configText } from '../../helpers/config-text.js';
import { AgentRig, type RigParts } from '../agent-rig.js';
import type { HawkbitMgmt } from '../hawkbit-mgmt.js';
import type { MgmtAction } from '../hawkbit-mgmt-types.js';
import { createDevice, createRelease, GATEWAY_TOKEN, type E2eServer, type Release } from '../support.js';

export interface AgentDeviceOptions {
  /** Readable prefix of the controller id (the RAUC version is added). */
  readonly name: string;
  /** The real RAUC the device runs. */
  readonly rauc: RaucVersion;
  /** `gateway`: the agent authenticates with the tenant's gateway token instead of the target's. */
  readonly auth?: 'target' | 'gateway';
  /** Extra or replaced `[client]` keys (null removes one). */
  readonly client?: Record<string, string | null>;
}

export class AgentDevice extends AgentRig {
  private constructor(
    readonly server: E2eServer,
    readonly mgmt: HawkbitMgmt,
    readonly controllerId: string,
    parts: RigParts,
  ) {
    super(parts);
  }

  static async create(server: E2eServer, mgmt: HawkbitMgmt, options: AgentDeviceOptions): Promise<AgentDevice> {
    const target = await createDevice(server, mgmt, `${options.name}-rauc${options.rauc.replace('.', '')}`);
    const device = new AgentDevice(server, mgmt, target.controllerId, await AgentRig.prepare({ version: options.rauc }));
    const auth: Record<string, string> = options.auth === 'gateway' ? { gateway_token: GATEWAY_TOKEN } : { auth_token: target.token };
    const text = configText({
      client: { ...device.clientKeys(server.url, target.controllerId), auth_token: null, ...auth, ...options.client },
      device: { product: 'e2e board', serial: target.controllerId },
    });
    await device.writeConfig(text);
    return device;
  }

  /** A signed bundle built by real RAUC, uploaded as a distribution set. */
  async release(options: BundleOptions): Promise<Release> {
    const path = await this.rauc.buildBundle(options);
    return createRelease(this.mgmt, { content: await readFile(path), version: options.version, filename: `rootfs-${options.version}.raucb` });
  }

  /** Waits until the action is closed (not active any more) and returns it. */
  actionClosed(actionId: number, timeoutMs?: number): Promise<MgmtAction> {
    return this.waitFor(
      `action ${actionId} to close`,
      async () => {
        const action = await this.mgmt.getAction(this.controllerId, actionId);
        return action.active ? undefined : action;
      },
      timeoutMs,
    );
  }

  /** Every message of the action's status history, oldest first. */
  async messages(actionId: number): Promise<string[]> {
    const history = await this.mgmt.getActionStatus(this.controllerId, actionId);
    return history.reverse().flatMap((entry) => entry.messages);
  }

  /** Waits until a status-history message matches `pattern`; returns all messages. */
  messageMatching(actionId: number, pattern: RegExp, timeoutMs?: number): Promise<string[]> {
    return this.waitFor(
      `a message matching ${pattern} for action ${actionId}`,
      async () => {
        const messages = await this.messages(actionId);
        return messages.some((message) => pattern.test(message)) ? messages : undefined;
      },
      timeoutMs,
    );
  }
}
