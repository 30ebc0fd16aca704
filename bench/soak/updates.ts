// Small forced updates during the soak: one at a time, each a new action with the same 1 MiB bundle.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RaucEnvironment } from '../../test/harness/rauc-environment.js';
import type { Fixture } from '../agent/fixture.js';

export class SoakUpdates {
  readonly #fixture: Fixture;
  readonly #bundle: Buffer;
  readonly #actions: string[] = [];
  #skipped = 0;

  private constructor(fixture: Fixture, bundle: Buffer) {
    this.#fixture = fixture;
    this.#bundle = bundle;
  }

  static async prepare(fixture: Fixture, rauc: RaucEnvironment): Promise<SoakUpdates> {
    const path = await rauc.buildBundle({ version: 'soak', imageBytes: randomBytes(1024 * 1024) });
    return new SoakUpdates(fixture, await readFile(path));
  }

  /** Assigns a new forced update unless the previous one is still open. */
  push(): void {
    const previous = this.#actions.at(-1);
    if (previous !== undefined && this.#fixture.target.action(previous).status === 'active') {
      this.#skipped += 1;
      return;
    }
    const { actionId } = this.#fixture.target.pushDeployment({
      type: 'forced',
      chunks: [{ part: 'os', name: 'rootfs', version: `soak-${this.#actions.length + 1}`, artifacts: [{ filename: 'update.raucb', content: this.#bundle }] }],
    });
    this.#actions.push(actionId);
  }

  describe(): string {
    const statuses = new Map<string, number>();
    for (const id of this.#actions) {
      const status = this.#fixture.target.action(id).status;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const by = [...statuses].map(([status, count]) => `${count} ${status}`).join(', ');
    return `${this.#actions.length} assigned (${by || 'none'})${this.#skipped ? `, ${this.#skipped} not assigned (previous still open)` : ''}`;
  }
}
