import test from 'ava';
import fc from 'fast-check';
import { isDdiProtocolError, parsePollingSleep } from '../../../src/ddi/index.js';
import { JsonReader } from '../../../src/ddi/json-reader.js';
import type { Deployment } from '../../../src/ddi/model.js';
import { actionIdFromHref, readAutoConfirm, readCancel, readControllerBase, readDeploymentBase } from '../../../src/ddi/wire.js';
import { ddiBodyText, ddiDocument, FUZZ_BASE, type ResourceKind } from '../../helpers/ddi-arbitraries.js';
import { propertyParams } from '../../helpers/property.js';

const LINK_SEGMENTS = { deploymentBase: 'deploymentBase', cancelAction: 'cancelAction', confirmationBase: 'confirmationBase', installedBase: 'installedBase' } as const;
const HANDLING = ['skip', 'attempt', 'forced'];
const isHttp = (href: string | undefined) => href === undefined || /^https?:\/\//i.test(href);

/** Runs `parse`; true when it returned a result that passes `check` or threw a DdiProtocolError. Anything else fails the property. */
function typedOutcome<T>(parse: () => T, check: (value: T) => boolean): boolean {
  let value: T;
  try {
    value = parse();
  } catch (error) {
    if (isDdiProtocolError(error)) return true;
    throw error;
  }
  return check(value);
}

function validDeployment(d: Deployment): boolean {
  return typeof d.id === 'string' && HANDLING.includes(d.download) && HANDLING.includes(d.update)
    && d.chunks.every((c) => typeof c.name === 'string' && typeof c.version === 'string' && c.artifacts.every((a) =>
      typeof a.filename === 'string' && (a.size === undefined || (Number.isSafeInteger(a.size) && a.size >= 0))
      && isHttp(a.links.download) && isHttp(a.links.downloadHttp) && isHttp(a.links.md5sum) && isHttp(a.links.md5sumHttp)));
}

/** What the client does with a base document: read it, parse the sleep, take the action id out of each action link. */
function readBase(reader: JsonReader): unknown {
  const base = readControllerBase(reader, FUZZ_BASE);
  const sleepMs = parsePollingSleep(base.sleep);
  const ids = Object.entries(LINK_SEGMENTS).map(([name, segment]) => {
    const href = base.links[name as keyof typeof LINK_SEGMENTS];
    return href === undefined ? undefined : actionIdFromHref(href, segment, `_links.${name}.href`);
  });
  return { sleepMs, ids, links: base.links };
}

const readers: Record<ResourceKind, [string, (reader: JsonReader) => unknown, (value: never) => boolean]> = {
  base: ['controller base', readBase, (v: { sleepMs: number; ids: unknown[]; links: Record<string, string> }) =>
    Number.isSafeInteger(v.sleepMs) && v.sleepMs >= 0 && v.ids.every((id) => id === undefined || typeof id === 'string') && Object.values(v.links).every(isHttp)],
  deployment: ['deploymentBase', (r) => readDeploymentBase(r, 'deployment', FUZZ_BASE), validDeployment],
  confirmation: ['confirmationBase/{id}', (r) => readDeploymentBase(r, 'confirmation', FUZZ_BASE), validDeployment],
  cancel: ['cancelAction', readCancel, (v: { id: unknown; stopId: unknown }) => typeof v.id === 'string' && typeof v.stopId === 'string'],
  autoConfirm: ['confirmationBase', readAutoConfirm, (v: { active: unknown }) => typeof v.active === 'boolean'],
};

for (const [kind, [what, read, check]] of Object.entries(readers) as [ResourceKind, (typeof readers)[ResourceKind]][]) {
  test(`property: random and mutated ${what} JSON gives a valid result or a DdiProtocolError`, (t) => {
    fc.assert(
      fc.property(ddiDocument(kind), (doc) => typedOutcome(() => read(new JsonReader(doc, '')), check as (v: unknown) => boolean)),
      propertyParams(400),
    );
    t.pass();
  });

  test(`property: any ${what} body text (cut short, not JSON) gives a valid result or a DdiProtocolError`, (t) => {
    fc.assert(
      fc.property(ddiBodyText(kind), (text) => typedOutcome(() => read(JsonReader.parse(text, what)), check as (v: unknown) => boolean)),
      propertyParams(200),
    );
    t.pass();
  });
}

test('a malformed percent escape in an action link is a DdiProtocolError naming the link', (t) => {
  const error = t.throws(() => actionIdFromHref(`${FUZZ_BASE}/deploymentBase/%E0%A4%A`, 'deploymentBase', '_links.deploymentBase.href'));
  t.true(isDdiProtocolError(error) && error.field === '_links.deploymentBase.href', String(error));
});
