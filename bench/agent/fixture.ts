// The fake hawkBit in the benchmark process, one target, an agent config file, and events for the
// requests the agent makes (first poll, n-th poll, feedback), each with the time it arrived.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeHawkbit, type FakeTarget, type RecordedRequest } from '../../test/fakes/hawkbit/index.js';
import { configText } from '../../test/helpers/config-text.js';

const TOKEN = 'bench-target-token-7c1e';
const TARGET = 'bench-device';

export interface TimedRequest extends RecordedRequest {
  /** performance.now() when the fake received it. */
  readonly at: number;
}

type Waiter = { readonly test: (request: TimedRequest) => boolean; readonly resolve: (request: TimedRequest) => void };

export class Fixture {
  /** Polls (GET of the controller base) since start or the last `resetPolls`. */
  polls = 0;
  /** Every request since start, by kind: poll, feedback, artifact, deployment, configData, other. */
  readonly counts = new Map<string, number>();
  readonly #waiters = new Set<Waiter>();
  readonly #basePath: string;
  /** The target's token (the config file's auth_token). */
  readonly token = TOKEN;

  private constructor(
    readonly hb: FakeHawkbit,
    readonly target: FakeTarget,
    readonly dir: string,
    readonly configFile: string,
  ) {
    this.#basePath = `/${hb.tenant}/controller/v1/${TARGET}`;
  }

  static async start(options: { pollingSleep: string; client?: Record<string, string> }): Promise<Fixture> {
    const created: { fixture?: Fixture } = {};
    const hb = await FakeHawkbit.start({ pollingSleep: options.pollingSleep, onRequest: (request) => created.fixture?.record({ ...request, at: performance.now() }) });
    const dir = await mkdtemp(join(tmpdir(), 'hawkbit-rauc-bench-'));
    const configFile = join(dir, 'agent.conf');
    const client = {
      hawkbit_server: hb.hostPort,
      ssl: 'false',
      tenant_id: hb.tenant,
      target_name: TARGET,
      auth_token: TOKEN,
      bundle_download_location: join(dir, 'bundle.raucb'),
      state_dir: join(dir, 'state'),
      retry_wait: '1',
      ...options.client,
    };
    await writeFile(configFile, configText({ client }));
    created.fixture = new Fixture(hb, hb.addTarget(TARGET, { token: TOKEN }), dir, configFile);
    return created.fixture;
  }

  /** The URL the agent polls (the controller base). */
  get pollUrl(): string {
    return `${this.hb.url}${this.#basePath}`;
  }

  isPoll(request: RecordedRequest): boolean {
    return request.method === 'GET' && request.path === this.#basePath;
  }

  /** The next request for which `test` holds (requests already seen do not count). */
  next(test: (request: TimedRequest) => boolean, timeoutMs = 120_000): Promise<TimedRequest> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no matching request within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const waiter: Waiter = {
        test,
        resolve: (request) => {
          clearTimeout(timer);
          resolve(request);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Resolves when poll number `count` (since the last reset) arrives. */
  poll(count: number, timeoutMs?: number): Promise<TimedRequest> {
    return this.next((request) => this.isPoll(request) && this.polls >= count, timeoutMs);
  }

  resetPolls(): void {
    this.polls = 0;
  }

  async close(): Promise<void> {
    await this.hb.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Called by the fake for every request. */
  record(request: TimedRequest): void {
    if (this.isPoll(request)) this.polls += 1;
    const kind = this.isPoll(request) ? 'poll' : (['feedback', 'softwaremodules', 'deploymentBase', 'configData'].find((part) => request.path.includes(part)) ?? 'other');
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    if (this.hb.requests.length > 10_000) this.hb.requests.length = 0; // long runs: keep the bench's own memory flat
    for (const waiter of this.#waiters) {
      if (!waiter.test(request)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(request);
    }
  }
}
