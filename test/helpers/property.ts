import type { Parameters } from 'fast-check';

/** The seed used when CI=true, so a CI run is repeatable; FC_SEED=<n> reproduces any run locally. */
const CI_SEED = 20_260_711;

function seed(): number | undefined {
  const given = process.env.FC_SEED;
  if (given !== undefined && /^-?\d+$/.test(given)) return Number(given);
  return process.env.CI === 'true' || process.env.CI === '1' ? CI_SEED : undefined;
}

/**
 * Parameters for fc.assert: a bounded number of runs, a fixed seed in CI (or from FC_SEED), and on
 * failure fast-check's report (seed, path and counterexample) in the thrown error, which ava prints.
 */
export function propertyParams<T>(numRuns: number): Parameters<T> {
  const fixed = seed();
  // FC_RUNS=<n> runs a deeper search locally (e.g. 20000); CI keeps the bounded default.
  const runs = Number(process.env.FC_RUNS);
  return { numRuns: Number.isSafeInteger(runs) && runs > 0 ? runs : numRuns, ...(fixed === undefined ? {} : { seed: fixed }) };
}
