import type { ExecutionContext, TestFn } from 'ava';
import { setupServer, type SetupServer } from 'msw/node';
import { DdiClient, type DdiClientOptions } from '../../../src/ddi/index.js';
import type { Logger, LogMeta } from '../../../src/log/index.js';

export const TOKEN = 'msw-secret-token-4f2a9c';
export const FAST_RETRY = { retries: 3, minDelayMs: 5, maxDelayMs: 2_000, jitter: 0, maxElapsedMs: 30_000 } as const;

/** One msw server per test file, failing on any request no handler claims. */
export function useMsw(test: TestFn): SetupServer {
  const server = setupServer();
  test.before(() => server.listen({ onUnhandledRequest: 'error' }));
  test.after.always(() => server.close());
  return server;
}

let counter = 0;

/** A host name of its own for each test, so tests can run concurrently against one msw server. */
export function uniqueHost(): string {
  counter += 1;
  return `t${counter}-${process.pid}.hawkbit.test`;
}

export function baseOf(host: string, controllerId = 'dev-1'): string {
  return `http://${host}/DEFAULT/controller/v1/${controllerId}`;
}

export function clientFor(host: string, options: Partial<DdiClientOptions> = {}): DdiClient {
  return new DdiClient({
    server: host,
    ssl: false,
    tenant: 'DEFAULT',
    controllerId: 'dev-1',
    auth: { kind: 'target-token', token: TOKEN },
    retry: FAST_RETRY,
    ...options,
  });
}

/** A Logger keeping every entry unredacted, to prove the client itself never logs a secret. */
export class RawLog implements Logger {
  readonly lines: string[] = [];
  error = (m: string, meta?: LogMeta) => this.#add('error', m, meta);
  critical = (m: string, meta?: LogMeta) => this.#add('critical', m, meta);
  warning = (m: string, meta?: LogMeta) => this.#add('warning', m, meta);
  message = (m: string, meta?: LogMeta) => this.#add('message', m, meta);
  info = (m: string, meta?: LogMeta) => this.#add('info', m, meta);
  debug = (m: string, meta?: LogMeta) => this.#add('debug', m, meta);
  child = (meta: LogMeta): Logger => {
    const merge = (own?: LogMeta) => ({ ...meta, ...own });
    return {
      error: (m, o) => this.error(m, merge(o)),
      critical: (m, o) => this.critical(m, merge(o)),
      warning: (m, o) => this.warning(m, merge(o)),
      message: (m, o) => this.message(m, merge(o)),
      info: (m, o) => this.info(m, merge(o)),
      debug: (m, o) => this.debug(m, merge(o)),
      child: (more) => this.child({ ...meta, ...more }),
    };
  };

  #add(level: string, message: string, meta?: LogMeta): void {
    this.lines.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  }
}

export interface ControllerBaseJson {
  config: { polling: { sleep: string } };
  _links: Record<string, { href: string }>;
}

export function controllerBase(links: Record<string, string> = {}, sleep = '00:01:00'): ControllerBaseJson {
  return { config: { polling: { sleep } }, _links: Object.fromEntries(Object.entries(links).map(([k, href]) => [k, { href }])) };
}

export type Ctx = ExecutionContext;
