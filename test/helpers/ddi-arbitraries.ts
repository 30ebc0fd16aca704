/**
 * fast-check arbitraries for DDI JSON: documents shaped like the server's (recorded fixtures and
 * generated ones), then mutated (a subtree replaced, removed, nulled or retyped), plus raw JSON values.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type ResourceKind = 'base' | 'deployment' | 'cancel' | 'confirmation' | 'autoConfirm';

export const FUZZ_HOST = 'fuzz.hawkbit.test';
export const FUZZ_BASE = `http://${FUZZ_HOST}/DEFAULT/controller/v1/dev-1`;

const FIXTURE_DIR = new URL('../fixtures/ddi/', import.meta.url).pathname;

/** Recorded server answers by resource kind, hrefs pointed at FUZZ_HOST. */
function fixtures(): Record<'base' | 'deployment' | 'cancel', Json[]> {
  const found: Record<'base' | 'deployment' | 'cancel', Json[]> = { base: [], deployment: [], cancel: [] };
  for (const version of readdirSync(FIXTURE_DIR)) {
    for (const name of readdirSync(join(FIXTURE_DIR, version))) {
      const kind = name.startsWith('base-') ? 'base' : name.startsWith('deployment-') ? 'deployment' : name.startsWith('cancel-') ? 'cancel' : undefined;
      if (kind === undefined) continue;
      const text = readFileSync(join(FIXTURE_DIR, version, name), 'utf8').replace(/https?:\/\/[^/"]+\//g, `http://${FUZZ_HOST}/`);
      found[kind].push(JSON.parse(text) as Json);
    }
  }
  return found;
}

const recorded = fixtures();

/** Strings that stress parsers: empty, huge, control characters, escapes, look-alike values. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\x1b[2J', 'a\u0000b', '\u202e', '%E0%A4%A', '../../etc/passwd', '__proto__', 'constructor', '-1', '1e309', 'NaN'),
  fc.constant('x'.repeat(5000)),
);
const numberish = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, 0, 2 ** 53, 1.5), nastyString);
const idValue = fc.oneof(fc.nat().map(String), fc.nat(), numberish);
/** What may follow a resource name in an href: ids good and bad (malformed escapes), query, nothing. */
const idTail = fc.constantFrom('/5?c=1', '/5', '/17?c=-2127183556', '/', '', '/%E0%A4%A', '/%ZZ', '/a%2Fb', '/%00', '/%F0%9F%98%80', '/1/feedback', '?c=2');
const hrefFor = (name: string) => fc.oneof(
  { weight: 6, arbitrary: idTail.map((tail) => `${FUZZ_BASE}/${name}${tail}`) },
  fc.webUrl(),
  fc.constantFrom('ftp://x/deploymentBase/1', 'not a url', '', '/relative/deploymentBase/3', 'http://[::1', 'HTTP://x/cancelAction/1'),
  nastyString,
);
const linkFor = (name: string) => fc.oneof({ weight: 6, arbitrary: fc.record({ href: hrefFor(name) }) }, nastyString, fc.constant(null));
const link = linkFor('softwaremodules/1/artifacts');
const handling = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('skip', 'attempt', 'forced') }, nastyString);
const sleep = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('00:00:01', '00:05:00') }, fc.constantFrom('00:00:01', '00:05:00', '9999:59:59', '24:00:00', '00:60:00', ' 00:00:05 '), nastyString);

const artifact = fc.record(
  {
    filename: nastyString,
    size: numberish,
    hashes: fc.record({ sha1: nastyString, md5: nastyString, sha256: nastyString }, { requiredKeys: [] }),
    _links: fc.record({ download: link, 'download-http': link, md5sum: link, 'md5sum-http': link }, { requiredKeys: [] }),
  },
  { requiredKeys: ['filename'] },
);
const chunk = fc.record(
  {
    part: nastyString,
    name: nastyString,
    version: nastyString,
    encrypted: fc.oneof(fc.boolean(), nastyString),
    metadata: fc.array(fc.record({ key: nastyString, value: nastyString }, { requiredKeys: [] }), { maxLength: 3 }),
    artifacts: fc.array(artifact, { maxLength: 3 }),
  },
  { requiredKeys: ['part', 'name', 'version'] },
);
const deploymentBody = fc.record(
  {
    download: handling,
    update: handling,
    maintenanceWindow: fc.oneof(fc.constantFrom('available', 'unavailable'), nastyString),
    chunks: fc.array(chunk, { maxLength: 3 }),
  },
  { requiredKeys: ['download', 'update', 'chunks'] },
);
const actionHistory = fc.record({ status: nastyString, messages: fc.array(nastyString, { maxLength: 3 }) }, { requiredKeys: [] });

const generated: Record<ResourceKind, fc.Arbitrary<Json>> = {
  base: fc.record({
    config: fc.record({ polling: fc.record({ sleep }) }),
    _links: fc.record(
      {
        deploymentBase: linkFor('deploymentBase'),
        cancelAction: linkFor('cancelAction'),
        configData: linkFor('configData'),
        confirmationBase: linkFor('confirmationBase'),
        installedBase: linkFor('installedBase'),
      },
      { requiredKeys: [] },
    ),
  }) as fc.Arbitrary<Json>,
  deployment: fc.record({ id: idValue, deployment: deploymentBody, actionHistory }, { requiredKeys: ['id', 'deployment'] }) as fc.Arbitrary<Json>,
  confirmation: fc.record({ id: idValue, confirmation: deploymentBody, actionHistory }, { requiredKeys: ['id', 'confirmation'] }) as fc.Arbitrary<Json>,
  cancel: fc.record({ id: idValue, cancelAction: fc.record({ stopId: idValue }) }) as fc.Arbitrary<Json>,
  autoConfirm: fc.record({
    autoConfirm: fc.record({ active: fc.oneof(fc.boolean(), nastyString), initiator: nastyString, remark: nastyString, activatedAt: numberish }, { requiredKeys: ['active'] }),
  }) as fc.Arbitrary<Json>,
};

type Mutation = { readonly at: number; readonly op: 'replace' | 'delete' | 'null' | 'retype' | 'wrap'; readonly value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('replace', 'delete', 'null', 'retype', 'wrap'),
  value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
});

/** Every container path of `doc` (root first), as key lists. */
function paths(doc: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const found = [prefix];
  if (Array.isArray(doc)) doc.forEach((item, index) => found.push(...paths(item, [...prefix, index])));
  else if (doc !== null && typeof doc === 'object') for (const [key, value] of Object.entries(doc)) found.push(...paths(value, [...prefix, key]));
  return found;
}

/** A copy of `doc` with `m` applied at one of its paths. */
export function mutate(doc: Json, m: Mutation): Json {
  const copy = structuredClone(doc);
  const all = paths(copy);
  const path = all[m.at % all.length]!;
  if (path.length === 0) return m.op === 'wrap' ? [copy] : m.value;
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string | number, Json>)[key]!, copy) as Record<string | number, Json>;
  const key = path.at(-1)!;
  const current = parent[key]!;
  if (m.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (m.op === 'null') parent[key] = null;
  else if (m.op === 'wrap') parent[key] = [current];
  else if (m.op === 'retype') parent[key] = typeof current === 'string' ? Number(current) || 0 : JSON.stringify(current);
  else parent[key] = m.value;
  return copy;
}

/** A document for `kind`: shaped like the server's (recorded or generated), mostly mutated, sometimes any JSON. */
export function ddiDocument(kind: ResourceKind): fc.Arbitrary<Json> {
  const seeds = kind === 'base' || kind === 'deployment' || kind === 'cancel' ? recorded[kind] : [];
  const shaped = seeds.length > 0 ? fc.oneof(fc.constantFrom(...seeds), generated[kind]) : generated[kind];
  return fc.oneof(
    { weight: 2, arbitrary: shaped },
    { weight: 2, arbitrary: fc.tuple(shaped, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([doc, ms]) => ms.reduce(mutate, doc)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  );
}

/** Body text for `kind`: the JSON of a document, sometimes cut short, sometimes not JSON at all. */
export function ddiBodyText(kind: ResourceKind): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: ddiDocument(kind).map((doc) => JSON.stringify(doc)) },
    { weight: 1, arbitrary: fc.tuple(ddiDocument(kind), fc.nat()).map(([doc, cut]) => { const text = JSON.stringify(doc); return text.slice(0, cut % (text.length + 1)); }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
}
