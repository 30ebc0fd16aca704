import type { Readable } from 'node:stream';

/** Where a response body goes. `write()` gets a view valid only during the call; false: pause until `drained()`. */
export interface BodySink {
  write(bytes: Uint8Array, start: number, end: number): boolean;
  drained(): Promise<void>;
  /**
   * Optional: memory of the sink where the next socket read may land, so that its body bytes need no
   * copy (`write()` then gets a view of that memory). Undefined when the sink cannot take bytes now.
   * The view stays the sink's until the next `write()`, which must be the bytes read into it.
   */
  target?(): Uint8Array | undefined;
}

/** The body of an opened response, read once into a sink. */
export interface ResponseBody {
  /**
   * Delivers the whole body to `sink`, honouring its back-pressure. Resolves when the body is complete
   * as framed; rejects with the transport's or the sink's error, or with `signal`'s reason.
   */
  pipeTo(sink: BodySink, signal: AbortSignal): Promise<void>;
  /** Drops the body and the connection (idempotent). */
  destroy(): void;
}

/**
 * A body read from a Node stream (the HTTP client's response, used for connections through a proxy):
 * each chunk goes to the sink; while the sink is full the stream is paused.
 */
export function streamBody(stream: Readable): ResponseBody {
  return {
    destroy: () => stream.destroy(),
    pipeTo: (sink, signal) =>
      new Promise<void>((resolve, reject) => {
        let settled = false;
        const settle = (error?: unknown): void => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          stream.off('data', onData).off('end', onEnd).off('error', settle).off('close', onClose);
          if (error === undefined) return resolve();
          stream.destroy();
          reject(error);
        };
        const onAbort = (): void => settle(signal.reason);
        const onEnd = (): void => settle();
        const onClose = (): void => {
          if (!stream.readableEnded) settle(Object.assign(new Error('premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
        };
        const onData = (chunk: Buffer): void => {
          try {
            if (sink.write(chunk, 0, chunk.length)) return;
          } catch (error) {
            return settle(error);
          }
          stream.pause();
          sink.drained().then(() => {
            if (!settled) stream.resume();
          }, settle);
        };
        if (signal.aborted) return settle(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        stream.on('data', onData).on('end', onEnd).on('error', settle).on('close', onClose);
      }),
  };
}
