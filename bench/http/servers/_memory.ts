/**
 * Soak mode's memory probe. The soak runner starts a server with an IPC channel and
 * sends it "memory"; the server answers with `process.memoryUsage()`, then again after a
 * full GC when node runs with --expose-gc. Without an IPC channel (the timed runs) this
 * does nothing, so the servers carry no extra route or listener while they are measured.
 */

/** What a server sends back for "memory". */
export interface MemoryReport {
  type: "memory";
  usage: NodeJS.MemoryUsage;
  /** After `gc()`; null when node was started without --expose-gc. */
  afterGc: NodeJS.MemoryUsage | null;
}

/** Answer the soak runner's "memory" messages, if there is an IPC channel. */
export function answerMemoryQueries(): void {
  const send = process.send?.bind(process);
  if (send === undefined) return;
  process.on("message", (message: unknown) => {
    if (message !== "memory") return;
    const usage = process.memoryUsage();
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc !== undefined) gc();
    const report: MemoryReport = { type: "memory", usage, afterGc: gc !== undefined ? process.memoryUsage() : null };
    send(report);
  });
}
