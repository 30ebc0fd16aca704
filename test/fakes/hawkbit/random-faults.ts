/** Random faults for soak runs: each matching request may be slowed down, then reset or failed. */
export interface RandomFaultOptions {
  /** Share of requests whose connection is reset (TCP RST) instead of answered; default 0. */
  readonly resetRate?: number;
  /** Share of requests answered with `errorStatus`; default 0. */
  readonly errorRate?: number;
  /** Default 503. */
  readonly errorStatus?: number;
  /** Share of requests answered late (before a reset or error, too); default 0. */
  readonly slowRate?: number;
  /** Delay of a slow answer, uniform in [min, max] ms; default [500, 3000]. */
  readonly slowMs?: readonly [number, number];
  /** Only requests whose path matches; default all. */
  readonly match?: RegExp;
  /** Random source in [0, 1); default Math.random (pass a seeded one for repeatable runs). */
  readonly random?: () => number;
}

/** How many requests each kind of random fault hit so far. */
export interface RandomFaultCounts {
  resets: number;
  errors: number;
  slow: number;
}

/** What to do with one request. */
export interface RandomFaultDecision {
  readonly delayMs: number;
  readonly outcome: 'reset' | 'error' | 'answer';
  readonly status: number;
}

export class RandomFaults {
  readonly counts: RandomFaultCounts = { resets: 0, errors: 0, slow: 0 };
  readonly #options: RandomFaultOptions;

  constructor(options: RandomFaultOptions) {
    for (const key of ['resetRate', 'errorRate', 'slowRate'] as const) {
      const rate = options[key] ?? 0;
      if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${key} must be between 0 and 1, got ${rate}`);
    }
    if ((options.resetRate ?? 0) + (options.errorRate ?? 0) > 1) throw new RangeError('resetRate + errorRate must not exceed 1');
    this.#options = options;
  }

  decide(path: string): RandomFaultDecision {
    const options = this.#options;
    const status = options.errorStatus ?? 503;
    if (options.match && !options.match.test(path)) return { delayMs: 0, outcome: 'answer', status };
    const random = options.random ?? Math.random;
    let delayMs = 0;
    if (random() < (options.slowRate ?? 0)) {
      const [min, max] = options.slowMs ?? [500, 3000];
      delayMs = Math.round(min + random() * (max - min));
      this.counts.slow += 1;
    }
    const draw = random();
    const resetRate = options.resetRate ?? 0;
    if (draw < resetRate) {
      this.counts.resets += 1;
      return { delayMs, outcome: 'reset', status };
    }
    if (draw < resetRate + (options.errorRate ?? 0)) {
      this.counts.errors += 1;
      return { delayMs, outcome: 'error', status };
    }
    return { delayMs, outcome: 'answer', status };
  }
}
