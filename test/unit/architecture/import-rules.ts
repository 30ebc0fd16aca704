import path from 'node:path';
import ts from 'typescript';

/**
 * The layer order of `src/`, top to bottom: a file may import its own layer or any layer below it.
 * Layers that share a row are siblings and never import each other. Top-level files of `src/` are
 * placed by name; every other file belongs to the folder it sits in.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['cli'],
  ['main', 'fleet'],
  ['agent'],
  ['ddi', 'download', 'rauc', 'system'],
  ['net', 'log', 'config'],
  ['lib'],
];
const TOP_LEVEL_FILES: Readonly<Record<string, string>> = { 'cli.ts': 'cli', 'device-start.ts': 'cli', 'main.ts': 'main', 'version.ts': 'lib' };
/** Only the composition (cli, main, fleet, agent) reads the app's `Config`; the layers below take the values they need. */
export const CONFIG_READERS: readonly string[] = ['cli', 'main', 'fleet', 'agent'];

/** The files of agent/ that act (download, install, clean up); the update policy (agent/policy/) only decides. */
const AGENT_STEPS = /^agent\/([a-z-]+-step|lifecycle-effects)\.ts$/;

/** One relative import: `from` and `to` are paths relative to `src/`, with the `.ts` extension. */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  /** The specifier as written, e.g. `../agent/state-store.js`. */
  readonly specifier: string;
}

/** Every relative import (static, `export … from`, `import type`, dynamic `import()`) of each source. */
export function collectImports(sources: ReadonlyMap<string, string>): { edges: ImportEdge[]; unresolved: string[] } {
  const edges: ImportEdge[] = [];
  const unresolved: string[] = [];
  for (const [file, text] of sources) {
    const info = ts.preProcessFile(text, true, true);
    for (const { fileName: specifier } of info.importedFiles) {
      if (!specifier.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
      if (sources.has(target)) edges.push({ from: file, to: target, specifier });
      else unresolved.push(`${file}: import '${specifier}' does not name a file of src/`);
    }
  }
  return { edges, unresolved };
}

/** The layer a file of `src/` belongs to, or undefined when the table above does not place it. */
export function layerOf(file: string): string | undefined {
  const slash = file.indexOf('/');
  const name = slash < 0 ? TOP_LEVEL_FILES[file] : file.slice(0, slash);
  return name !== undefined && LAYERS.some((row) => row.includes(name)) ? name : undefined;
}

function rankOf(layer: string): number {
  return LAYERS.findIndex((row) => row.includes(layer));
}

/**
 * The layer rules, one message per offending import:
 * - an import goes up the order, or sideways between siblings (e.g. ddi/ → rauc/, log/ → config/);
 * - a layer other than cli, main and agent imports config/;
 * - an import from another layer names a file inside it although that layer has an `index.ts`:
 *   its index is its public entry point, everything else is internal (`lib/` has no index: each of
 *   its files is public);
 * - the update policy (`agent/policy/`) imports a step of the agent (`*-step.ts`, or `lifecycle-effects.ts`, which runs them): checks
 *   decide, steps act.
 */
export function layerViolations(files: Iterable<string>, edges: readonly ImportEdge[]): string[] {
  const all = new Set(files);
  const problems: string[] = [];
  for (const file of all) if (layerOf(file) === undefined) problems.push(`${file}: not in any layer (add it to LAYERS)`);
  for (const { from, to, specifier } of edges) {
    if (from.startsWith('agent/policy/') && AGENT_STEPS.test(to)) problems.push(`${from}: import '${specifier}': the update policy decides, the agent's steps act`);
    const source = layerOf(from);
    const target = layerOf(to);
    if (source === undefined || target === undefined || source === target) continue;
    const where = `${from}: import '${specifier}'`;
    const up = rankOf(target) - rankOf(source);
    if (up < 0) problems.push(`${where} goes up from ${source}/ to ${target}/`);
    else if (up === 0) problems.push(`${where} goes sideways from ${source}/ to its sibling ${target}/`);
    if (target === 'config' && !CONFIG_READERS.includes(source)) {
      problems.push(`${where}: ${source}/ reads config/ (pass it the values it needs instead)`);
    }
    const index = `${target}/index.ts`;
    if (all.has(index) && to !== index) problems.push(`${where} reaches into ${target}/'s internals (import ${index})`);
  }
  return problems;
}

/** Every import cycle between files, each as the chain of files that closes it (Tarjan's strongly connected components). */
export function importCycles(files: Iterable<string>, edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const file of files) next.set(file, []);
  for (const { from, to } of edges) next.get(from)!.push(to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const to of next.get(file)!) {
      if (!index.has(to)) {
        visit(to);
        low.set(file, Math.min(low.get(file)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(file, Math.min(low.get(file)!, index.get(to)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component = new Set<string>();
    for (let member = stack.pop()!; ; member = stack.pop()!) {
      onStack.delete(member);
      component.add(member);
      if (member === file) break;
    }
    if (component.size > 1 || next.get(file)!.includes(file)) cycles.push(chainWithin(file, component, next));
  };
  for (const file of next.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

/** One concrete cycle through `start` inside its component: the shortest way back to it (breadth first). */
function chainWithin(start: string, component: ReadonlySet<string>, next: ReadonlyMap<string, string[]>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const to of next.get(file)!) {
      if (!component.has(to)) continue;
      if (to === start) {
        const chain = [start];
        for (let at = file; at !== start; at = cameFrom.get(at)!) chain.splice(1, 0, at);
        return [...chain, start];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, file);
        queue.push(to);
      }
    }
  }
  return [start, start];
}
