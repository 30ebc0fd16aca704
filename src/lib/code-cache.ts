import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { errorMessage, systemErrorCode } from './errors.js';

/**
 * V8's code cache for one CommonJS script (the device build's bundle): the bytecode of the functions it
 * compiled, saved once and handed back to V8 at the next start, so that Node neither parses the script
 * nor compiles those functions again. Node 22 has this built in (`NODE_COMPILE_CACHE`); on Node 20 it
 * takes `vm.Script`'s `cachedData`, hence these few lines.
 *
 * The cache file is `<dir>/code-cache/<script's file name>.v8`: a header (the format, a key, the
 * SHA-256 of the data) and V8's data. The key covers Node's version, the CPU architecture and the
 * script's text, so a new build or a new Node never meets an old cache; the data's hash catches a file
 * torn by a power cut. V8 checks its own version and the flags it runs with (`--max-semi-space-size`
 * and the like) and refuses data made under others (`rejected`); the script then compiles from its
 * source as without a cache, and the cache is written anew. Node's own options (`--require`,
 * `--import`) do not change compiled code and do not count.
 */
export type CodeCacheState =
  /** No cache directory was given. */
  | 'off'
  /** No cache file yet. */
  | 'absent'
  /** The file belongs to another script text or another Node. */
  | 'stale'
  /** The file is not a cache of this format, or its data does not match its hash. */
  | 'damaged'
  /** V8 refused the data (made by another V8 or under other V8 flags). */
  | 'rejected'
  /** V8 took the data. */
  | 'accepted';

const FORMAT = Buffer.from('hawkbit-rauc code cache 1\n');
const HASH_BYTES = 32;

export interface CachedScriptOptions {
  /** Path of the CommonJS script. */
  readonly script: string;
  /** Where the cache lives (created if missing); undefined: no cache. */
  readonly cacheDir?: string | undefined;
}

export class CachedScript {
  readonly path: string;
  readonly cacheFile: string | undefined;
  readonly cache: CodeCacheState;
  readonly #script: Script;
  readonly #key: Buffer;
  #saved = false;

  private constructor(path: string, cacheFile: string | undefined, cache: CodeCacheState, script: Script, key: Buffer) {
    this.path = path;
    this.cacheFile = cacheFile;
    this.cache = cache;
    this.#script = script;
    this.#key = key;
  }

  /** Reads the script and its cache (if any) and compiles it, with the cache when it is this script's. */
  static load(options: CachedScriptOptions): CachedScript {
    const source = readFileSync(options.script, 'utf8');
    const key = cacheKey(source);
    const cacheFile = options.cacheDir === undefined ? undefined : join(options.cacheDir, 'code-cache', `${options.script.split('/').pop()}.v8`);
    const found = cacheFile === undefined ? 'off' : readCache(cacheFile, key);
    const data = typeof found === 'string' ? undefined : found;
    // The wrapper Node puts around a CommonJS module, on the first line: line numbers stay the script's.
    // A `#!` line is a comment only at the very start of a script, so it becomes `//`.
    const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
    // No `importModuleDynamically`: an `import()` in the script rejects (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING),
    // with or without the cache (V8 does not keep that option in its cache); the device build allows none.
    const script = new Script(`(function (exports, require, module, __filename, __dirname) {${body}\n})`, {
      filename: options.script,
      ...(data ? { cachedData: data } : {}),
    });
    const cache = typeof found === 'string' ? found : script.cachedDataRejected === true ? 'rejected' : 'accepted';
    return new CachedScript(options.script, cacheFile, cache, script, key);
  }

  /** Runs the script as Node runs a CommonJS module (its own `require`, `module`, `__filename`, `__dirname`); returns its `module.exports`. */
  run(): unknown {
    const module: { exports: unknown; filename: string; id: string } = { exports: {}, filename: this.path, id: '.' };
    const wrapper = this.#script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(module.exports, module.exports, createRequire(this.path), module, this.path, dirname(this.path));
    return module.exports;
  }

  /** True when `save()` would write: there is a cache directory and V8 did not take a cache at the start. */
  get wantsSave(): boolean {
    return this.cacheFile !== undefined && this.cache !== 'accepted' && !this.#saved;
  }

  /**
   * Writes the cache with every function compiled so far (once; nothing when `wantsSave` is false):
   * a new file beside the old one, then renamed over it. Returns the error when it could not.
   */
  save(): Error | undefined {
    if (!this.wantsSave || this.cacheFile === undefined) return undefined;
    this.#saved = true;
    // Synchronous, not lib/atomic-file's writeFileAtomic: it also runs in the 'exit' handler, where
    // nothing asynchronous completes. No fsync: a file torn by a power cut fails its hash and is redone.
    const temporary = `${this.cacheFile}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.cacheFile), { recursive: true, mode: 0o700 });
      const data = this.#script.createCachedData();
      writeFileSync(temporary, Buffer.concat([FORMAT, this.#key, sha256(data), data]), { mode: 0o600 });
      renameSync(temporary, this.cacheFile);
      return undefined;
    } catch (error) {
      removeQuietly(temporary);
      return error instanceof Error ? error : new Error(errorMessage(error));
    }
  }
}

export interface StartOptions extends CachedScriptOptions {
  /** When to save the cache after the start, if V8 did not take one; at exit at the latest. Default 10 s. */
  readonly saveAfterMs?: number;
  /** Where a failed save is reported, one line. Default: stderr. */
  readonly warn?: (line: string) => void;
}

/**
 * Loads and runs the script; when it started without a usable cache, saves one `saveAfterMs` later
 * (the start and the first poll compiled by then) or when the process exits, whichever comes first.
 * The timer does not keep the process alive.
 */
export function startWithCodeCache(options: StartOptions): CachedScript {
  const loaded = CachedScript.load(options);
  if (loaded.wantsSave) {
    const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
    const save = () => {
      clearTimeout(timer);
      process.removeListener('exit', save);
      const error = loaded.save();
      if (error) warn(`hawkbit-rauc: the code cache was not saved (${loaded.cacheFile}: ${systemErrorCode(error) ?? error.message}); the next start compiles the program again`);
    };
    const timer = setTimeout(save, options.saveAfterMs ?? 10_000);
    timer.unref();
    process.once('exit', save);
  }
  loaded.run();
  return loaded;
}

function cacheKey(source: string): Buffer {
  return createHash('sha256').update(FORMAT).update(`${process.version} ${process.arch}\0`).update(source).digest();
}

/** The temporary file, if it was made; `force` alone still throws when a parent is not a directory. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing was written there.
  }
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** V8's data from the cache file when it is this script's and whole, else why not. */
function readCache(file: string, key: Buffer): Buffer | 'absent' | 'stale' | 'damaged' {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch {
    // Missing, or unreadable: either way the start compiles from the source and save() says why it cannot write.
    return 'absent';
  }
  const keyAt = FORMAT.length;
  const hashAt = keyAt + HASH_BYTES;
  const dataAt = hashAt + HASH_BYTES;
  if (content.length <= dataAt || !content.subarray(0, keyAt).equals(FORMAT)) return 'damaged';
  if (!content.subarray(keyAt, hashAt).equals(key)) return 'stale';
  const data = content.subarray(dataAt);
  return sha256(data).equals(content.subarray(hashAt, dataAt)) ? data : 'damaged';
}
