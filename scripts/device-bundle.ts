import type { BuildOptions, Plugin } from 'esbuild';

/**
 * esbuild options for a single-file CommonJS script of hawkbit-rauc that runs with plain `node`
 * (20.19+), no node_modules next to it. Shared by `npm run build:device` and the test that bundles
 * probes. CommonJS, not an ES module: the start script hands it to V8 with its code cache
 * (`vm.Script`, src/lib/code-cache.ts), and Node loads no ES module machinery for it.
 */
export function deviceBundleOptions(options: { entry: string; outfile: string; version: string }): BuildOptions & { metafile: true } {
  return {
    entryPoints: [options.entry],
    outfile: options.outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minifySyntax: true,
    minifyWhitespace: true,
    // Shorter local names: less source for Node to read and parse at every start (docs/performance.md
    // › Footprint). Class and function names stay (`name`): error names, function names in stack traces.
    minifyIdentifiers: true,
    keepNames: true,
    // @dabh/diagnostics (winston's internal debug output, DEBUG=winston:*) picks its no-op build in
    // production: its colour and namespace helpers stay out of the bundle. Nothing else bundled reads it.
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [fixedVersion(options.version), omitted()],
    // Optional requires of dbus-next that are never reached here: abstract sockets (usocket, a native
    // add-on; the system bus is a socket path) and X11 session-bus autolaunch.
    external: ['usocket', 'x11'],
  };
}

/** src/version.ts reads package.json at run time; in the bundle the version is fixed at build time. */
function fixedVersion(version: string): Plugin {
  return {
    name: 'fixed-version',
    setup(context) {
      context.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, () => ({
        contents: `export function packageVersion() { return ${JSON.stringify(version)}; }`,
        loader: 'ts',
      }));
    },
  };
}

/**
 * Packages the service never uses, each replaced by a stand-in (docs/performance.md › Footprint):
 *
 * - `form-data`: axios imports it (and through it mime-types, mime-db and ~20 small helper packages)
 *   for multipart request bodies, which hawkbit-rauc never sends (JSON only). The stand-in throws if
 *   ever constructed.
 * - `xml2js` (with xmlbuilder and sax): dbus-next imports it for proxy objects (`getProxyObject`,
 *   parsing `Introspect` replies) and for answering `Introspect` about the objects a program exports.
 *   The service uses neither: it sends plain method calls (src/rauc/bus-connection.ts), parses RAUC's
 *   introspection itself (src/rauc/features.ts) and exports no object, so the only document dbus-next
 *   ever builds is the empty `<node/>`, which the stand-in returns; anything else throws.
 *
 * Hand-written because that is the whole of them: no behaviour the service relies on.
 */
const STAND_INS: Readonly<Record<string, string>> = {
  'form-data': "export default class FormData { constructor() { throw new Error('multipart/form-data bodies are not part of the hawkbit-rauc device build'); } }",
  xml2js: [
    'const unused = () => new Error("D-Bus proxy objects and exported objects are not part of the hawkbit-rauc device build");',
    'export class Builder { buildObject(xml) { if (xml?.node?.interface !== undefined || (xml?.node?.node ?? []).length > 0) throw unused(); return "<node/>"; } }',
    'export class Parser { constructor() { throw unused(); } }',
  ].join('\n'),
};

function omitted(): Plugin {
  const names = new RegExp(`^(${Object.keys(STAND_INS).join('|')})$`);
  return {
    name: 'omitted-packages',
    setup(context) {
      context.onResolve({ filter: names }, (args) => ({ path: args.path, namespace: 'hawkbit-rauc-omitted' }));
      context.onLoad({ filter: /.*/, namespace: 'hawkbit-rauc-omitted' }, (args) => ({ contents: STAND_INS[args.path], loader: 'js' }));
    },
  };
}
