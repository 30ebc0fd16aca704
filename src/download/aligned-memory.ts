/**
 * What direct I/O (O_DIRECT) needs aligned — the memory written from, the file offset and the length:
 * the page size, which covers every logical block size up to 4 KiB.
 */
export const DIRECT_IO_ALIGN = 4096;

/** WebAssembly memory grows in pages of this size. */
const WASM_PAGE = 64 * 1024;

interface SharedWasmMemory {
  readonly buffer: SharedArrayBuffer;
}
/** The part of the WebAssembly API used here (TypeScript's lib for Node has no WebAssembly values). */
type WasmApi = { readonly Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => SharedWasmMemory } | undefined;

export interface SharedMemory {
  readonly buffer: SharedArrayBuffer;
  /** `buffer` starts on a page boundary: its slices at multiples of DIRECT_IO_ALIGN may be written with O_DIRECT. */
  readonly aligned: boolean;
}

/**
 * `bytes` of zeroed shared memory, page-aligned when it can be. A SharedArrayBuffer's memory comes from
 * malloc, 16-byte aligned, and JavaScript cannot learn its address; a shared WebAssembly.Memory is
 * mapped by V8 on a page boundary — the one way to get aligned memory that worker threads can share.
 * Only for a whole number of WebAssembly pages (smaller pools gain nothing from direct I/O). V8 reserves
 * address space around it on x86-64 and arm64 (≈ 10 GiB, not memory: RSS is what is touched, as before);
 * when it cannot, or WebAssembly is off (`--jitless`; `wasm` null), the memory is a plain SharedArrayBuffer.
 */
export function sharedMemory(bytes: number, wasm: WasmApi | null = (globalThis as { WebAssembly?: WasmApi }).WebAssembly): SharedMemory {
  if (wasm && bytes > 0 && bytes % WASM_PAGE === 0) {
    const pages = bytes / WASM_PAGE;
    try {
      return { buffer: new wasm.Memory({ initial: pages, maximum: pages, shared: true }).buffer, aligned: true };
    } catch {
      // Out of address space (many pools, a 39-bit arm64 kernel): unaligned memory, buffered writes.
    }
  }
  return { buffer: new SharedArrayBuffer(bytes), aligned: false };
}
