/**
 * Where procinit's output bytes go: one ordered writer per destination, through which ALL output
 * passes (children's lines and procinit's own log records). Each `write()` is one unit: its bytes
 * reach the fd contiguously, after every earlier unit and before every later one, even when the
 * kernel accepts them in several partial writes — no other writer in procinit touches that fd.
 */
export interface OutputSink {
  /**
   * Queues `chunk` to be written whole, after everything queued before it. The sink keeps a
   * reference (no copy): the caller must not modify `chunk` afterwards. Returns false when the
   * sink holds more than its high-water mark: the caller should stop producing until
   * {@link OutputSink.onceDrain} calls back.
   */
  write(chunk: Buffer): boolean;
  /** Calls `listener` once, when the bytes held fall back below the low-water mark. */
  onceDrain(listener: () => void): void;
  /** Bytes queued or being written, not yet accepted by the kernel. */
  readonly bufferedBytes: number;
  /** Bytes thrown away because the destination failed (EPIPE, EBADF, ENOSPC…). */
  readonly droppedBytes: number;
  /** Resolves when every byte queued before the call is written (or dropped). Never rejects. */
  flush(): Promise<void>;
  /**
   * Writes everything queued, synchronously, for exit paths that cannot wait. If an asynchronous
   * write is in flight it is left to finish on libuv's thread; the bytes queued after it are
   * written now, so in that rare case they may land before it (on a regular file or a pipe with
   * room the in-flight write has in practice completed already).
   */
  flushSync(): void;
}
