import type { BuildOptions, Plugin } from 'esbuild';

/**
 * esbuild options for a single-file ES module of hawkbit-rauc that runs with plain `node` (20.19+),
 * no node_modules next to it. Shared by `npm run build:device` and the test that bundles probes.
 */
export function deviceBundleOptions(options: { entry: string; outfile: string; version: string }): BuildOptions & { metafile: true } {
  return {
    entryPoints: [options.entry],
    outfile: options.outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minifySyntax: true,
    minifyWhitespace: true,
    // Class names stay readable: error names in logs and stack traces.
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [fixedVersion(options.version), withoutFormData()],
    // Optional requires of dbus-next that are never reached here: abstract sockets (usocket, a native
    // add-on; the system bus is a socket path) and X11 session-bus autolaunch.
    external: ['usocket', 'x11'],
    // CommonJS packages in the bundle (winston, dbus-next) call require() for Node's built-ins.
    // (The entry's own #! line, src/cli.ts, stays first.)
    banner: { js: "import { createRequire as __hawkbitRaucRequire } from 'node:module';\nconst require = __hawkbitRaucRequire(import.meta.url);" },
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
 * axios imports `form-data` (and through it mime-types, mime-db and ~20 small helper packages) for
 * multipart request bodies, which hawkbit-rauc never sends (JSON only). The bundle gets a class that
 * throws if ever constructed instead: 2.6 MB less RSS for the service (docs/performance.md › Footprint).
 * Hand-written because it is the whole of it: one class, no behaviour.
 */
function withoutFormData(): Plugin {
  return {
    name: 'without-form-data',
    setup(context) {
      context.onResolve({ filter: /^form-data$/ }, () => ({ path: 'form-data', namespace: 'hawkbit-rauc-omitted' }));
      context.onLoad({ filter: /.*/, namespace: 'hawkbit-rauc-omitted' }, () => ({
        contents: "export default class FormData { constructor() { throw new Error('multipart/form-data bodies are not part of the hawkbit-rauc device build'); } }",
        loader: 'js',
      }));
    },
  };
}
