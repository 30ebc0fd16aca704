/**
 * One simulated device against a real goosebit: real RAUC 1.8 and our built CLI (../agent-rig.ts),
 * registered on goosebit with its own token. Each device has its own RAUC compatible, which is also
 * its `[device] hw_boardname`: goosebit refuses a second software with the same version and an
 * overlapping compatible, and matches software to devices by that board name, so tests sharing a
 * server never meet.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { BundleOptions } from '../../harness/rauc-environment.js';
import { configText } from '../../helpers/config-text.js';
import { AgentRig, type RigParts } from '../agent-rig.js';
import type { GoosebitDevice as DeviceView, GoosebitMgmt } from './goosebit-mgmt.js';
import { artifactPath, deviceRequests, type AccessEntry, type GoosebitServer } from './goosebit-server.js';

export interface GoosebitDeviceOptions {
  /** Readable prefix of the device id. */
  readonly name: string;
  /** The token the agent sends (default: the one registered on goosebit). */
  readonly agentToken?: string;
  /** Extra or replaced `[client]` keys (null removes one). */
  readonly client?: Record<string, string | null>;
  /** `[device] hw_boardname`, goosebit's hardware model (default: the device's RAUC compatible). */
  readonly boardName?: string;
}

/** Software uploaded to goosebit: its id (also the DDI action id) and the file as uploaded. */
export interface Software {
  readonly id: number;
  readonly version: string;
  readonly filename: string;
  readonly sha1: string;
}

export class GoosebitTestDevice extends AgentRig {
  private constructor(
    readonly server: GoosebitServer,
    readonly mgmt: GoosebitMgmt,
    readonly id: string,
    readonly token: string,
    readonly boardName: string,
    parts: RigParts,
  ) {
    super(parts);
  }

  static async create(server: GoosebitServer, mgmt: GoosebitMgmt, options: GoosebitDeviceOptions): Promise<GoosebitTestDevice> {
    const suffix = randomUUID().slice(0, 8);
    const id = `${options.name}-${suffix}`;
    // goosebit keeps at most 32 characters of a device token.
    const token = randomBytes(16).toString('hex');
    await mgmt.putDevice(id, { authToken: token });
    const compatible = `goosebit e2e ${suffix}`;
    const boardName = options.boardName ?? compatible;
    const device = new GoosebitTestDevice(server, mgmt, id, token, boardName, await AgentRig.prepare({ compatible }));
    const text = configText({
      client: { ...device.clientKeys(server.url, id), auth_token: options.agentToken ?? token, ...options.client },
      device: { hw_boardname: boardName },
    });
    await device.writeConfig(text);
    return device;
  }

  /** A signed bundle built by real RAUC (for this device's compatible unless given), uploaded to goosebit. */
  async release(options: BundleOptions): Promise<Software> {
    const path = await this.rauc.buildBundle(options);
    const content = await readFile(path);
    const filename = `rootfs-${options.version}.raucb`;
    const id = await this.mgmt.uploadSoftware(content, filename);
    return { id, version: options.version, filename, sha1: createHash('sha1').update(content).digest('hex') };
  }

  /**
   * Assigns the software to this device (goosebit's "assigned" update mode). goosebit refuses (422)
   * software whose compatible is not the device's board, which it learns from the first configData:
   * so this waits until the running agent has registered the device.
   */
  async assign(software: Software): Promise<void> {
    await this.waitFor(`goosebit to learn the board of ${this.id}`, async () => ((await this.view()).hardware?.model === this.boardName ? true : undefined));
    await this.mgmt.putDevice(this.id, { software: software.id });
  }

  /** Where goosebit stores the uploaded file (to damage it in place). */
  artifactPath(software: Software): string {
    return artifactPath(this.server, software.sha1, software.filename);
  }

  /** goosebit's record of this device. */
  async view(): Promise<DeviceView> {
    const view = await this.mgmt.device(this.id);
    if (!view) throw new Error(`goosebit does not know device ${this.id}`);
    return view;
  }

  /**
   * Waits until goosebit has recorded a final feedback: the device in `state` (`Finished`, `Error`)
   * and `pattern` in its log. goosebit saves the state, then `sw_version`, then the log, each on its
   * own: only once the log shows the feedback is the rest of the record complete. Resolves with the
   * record read after that, and the log.
   */
  settled(state: 'Finished' | 'Error', pattern: RegExp, timeoutMs?: number): Promise<{ view: DeviceView; log: string }> {
    return this.waitFor(
      `goosebit to show ${this.id} as ${state} with ${pattern} in its log`,
      async () => {
        if ((await this.view()).last_state !== state) return undefined;
        const log = await this.mgmt.deviceLog(this.id);
        return pattern.test(log) ? { view: await this.view(), log } : undefined;
      },
      timeoutMs,
    );
  }

  /** The DDI requests of this device as goosebit's access log recorded them. */
  requests(): Promise<AccessEntry[]> {
    return deviceRequests(this.server, this.id);
  }

  /** Requests goosebit answered with a status of 400 or more. */
  async refused(): Promise<AccessEntry[]> {
    return (await this.requests()).filter((entry) => entry.status >= 400);
  }
}
