import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { HawkbitRaucError, systemErrorCode } from './errors.js';

/**
 * Client keys held by an OpenSSL engine (rauc-hawkbit-updater's `ssl_engine` + `ssl_key`), e.g. Debian's
 * libengine-pkcs11-openssl with `ssl_key = pkcs11:token=…;object=…`. Node.js (20, OpenSSL 3.0) loads
 * such engines through `privateKeyEngine`/`privateKeyIdentifier`; this finds the engine where the
 * system's OpenSSL would, and turns OpenSSL's failures into messages that say what to fix.
 */
export class EngineKeyError extends HawkbitRaucError {
  override readonly name = 'EngineKeyError';
  readonly code = 'ENGINE_KEY';

  /** `key` is the config key at fault: `ssl_engine` (no such engine) or `ssl_key`/`ssl_cert`. */
  constructor(readonly key: 'ssl_engine' | 'ssl_key' | 'ssl_cert', message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type Environment = Record<string, string | undefined>;

/** Where distributions put OpenSSL 3 engines (Debian's multiarch directories are listed from /usr/lib). */
function engineDirectories(): string[] {
  const multiarch = (() => {
    try {
      return readdirSync('/usr/lib').filter((entry) => /-linux-gnu/.test(entry)).map((entry) => join('/usr/lib', entry, 'engines-3'));
    } catch {
      return [];
    }
  })();
  return [...multiarch, '/usr/lib/engines-3', '/usr/lib64/engines-3', '/usr/local/lib/engines-3'];
}

/**
 * The engine id to hand to Node. An absolute path is turned into its directory and id. A name (`pkcs11`) is looked up
 * as the system's OpenSSL does: `<name>.so` in `$OPENSSL_ENGINES` when set, else in the engines-3
 * directory that holds it, which then becomes `OPENSSL_ENGINES` of this process (Node's bundled OpenSSL
 * was built with another engines directory; OpenSSL reads this variable when it loads an engine).
 */
export function resolveEngine(name: string, env: Environment = process.env): string {
  if (isAbsolute(name)) {
    if (!existsSync(name)) throw new EngineKeyError('ssl_engine', `OpenSSL engine ${name} does not exist`);
    // Loaded by path, OpenSSL makes a new engine instance each time, and a PKCS#11 engine cannot
    // initialise its module twice; by id from its directory it is loaded once and then reused.
    const directory = dirname(name);
    const id = basename(name).replace(/\.so$/, '').replace(/^lib/, '');
    if ((env.OPENSSL_ENGINES ?? directory) !== directory || !existsSync(join(directory, `${id}.so`))) return name;
    env.OPENSSL_ENGINES = directory;
    return id;
  }
  const given = env.OPENSSL_ENGINES;
  const directories = given ? [given] : engineDirectories();
  const directory = directories.find((dir) => existsSync(join(dir, `${name}.so`)));
  if (directory === undefined) {
    throw new EngineKeyError(
      'ssl_engine',
      `OpenSSL engine '${name}' not found (looked for ${name}.so in ${given ? `OPENSSL_ENGINES=${given}` : directories.join(', ')}; ` +
        `for pkcs11 on Debian: apt-get install libengine-pkcs11-openssl; or set ssl_engine to the engine's path)`,
    );
  }
  env.OPENSSL_ENGINES = directory;
  return name;
}

/** `pkcs11:…;pin-value=1234` → `pkcs11:…;pin-value=<redacted>`, for messages and `--check-config`. */
export function redactKeyId(identifier: string): string {
  return identifier.replace(/(pin-value=)[^;?&]*/gi, '$1<redacted>');
}

/** The PIN written into a key URI, if any (a secret for the log redactor). */
export function pinOf(identifier: string): string | undefined {
  const match = /pin-value=([^;?&]*)/i.exec(identifier);
  if (!match || match[1] === '') return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1];
  }
}

/**
 * A TLS context whose private key is loaded once through the engine, with `cert` (PEM) and `ca`.
 * Throws EngineKeyError naming the key at fault and what to check; never repeats a PIN.
 */
export function engineKeyContext(options: { engine: string; identifier: string; cert: string; ca?: string | string[]; env?: Environment }): SecureContext {
  const engine = resolveEngine(options.engine, options.env);
  try {
    return createSecureContext({ privateKeyEngine: engine, privateKeyIdentifier: options.identifier, cert: options.cert, ...(options.ca ? { ca: options.ca } : {}) });
  } catch (error) {
    const [key, reason] = explain(systemErrorCode(error), error instanceof Error ? error.message : String(error));
    throw new EngineKeyError(key, `cannot load the client key ${redactKeyId(options.identifier)} through OpenSSL engine '${options.engine}': ${reason}`, { cause: error });
  }
}

function explain(code: string | undefined, message: string): ['ssl_engine' | 'ssl_key' | 'ssl_cert', string] {
  switch (code) {
    case 'ERR_OSSL_OBJECT_NOT_FOUND':
      return ['ssl_key', 'no such key (check token= and object= in ssl_key, and that the token is present)'];
    case 'ERR_OSSL_PIN_INCORRECT':
      return ['ssl_key', 'the PIN is incorrect'];
    case 'ERR_OSSL_UI_PROCESSING_ERROR':
      return ['ssl_key', 'the token wants a PIN and nothing gave it (add pin-source=file:/path/to/pin to ssl_key)'];
    case 'ERR_OSSL_X509_KEY_VALUES_MISMATCH':
      return ['ssl_cert', 'ssl_cert is not the certificate of this key'];
    default:
      if (/DSO support|could not load the shared library|invalid engine|bad engine/i.test(message)) return ['ssl_engine', `the engine cannot be loaded (${message})`];
      return ['ssl_key', `${code ?? 'error'}: ${message}`];
  }
}
