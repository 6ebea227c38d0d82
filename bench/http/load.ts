/**
 * The load generator: autocannon in a process of its own, pinned to the load core by
 * the runner (`taskset -c 1`), driven over IPC. Each message is one run (a warm-up or a
 * measurement); the answer is autocannon's summary plus the CPU this process used, so
 * the report can tell when the client, not the server, was the limit.
 *
 * Started by `LoadGenerator.start()`; not meant to be run by hand.
 */
import { createHistogram, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { startProcess, stopProcess, type Child } from "./processes.js";

/** One request of a run's round-robin sequence. */
export interface LoadRequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
}

/** What to run: `duration` seconds, or exactly `amount` requests. */
export interface LoadJob {
  port: number;
  connections: number;
  requests: readonly LoadRequestSpec[];
  duration?: number;
  amount?: number;
}

/** The figures the report uses from one autocannon run. */
export interface LoadResult {
  /** Completed responses (any status). */
  total: number;
  /** Seconds the run took, as autocannon measured it. */
  seconds: number;
  /** total ÷ seconds. */
  rps: number;
  latencyMs: { average: number; p50: number; p90: number; p99: number; max: number };
  /** Connection errors (timeouts included) and timeouts. */
  errors: number;
  timeouts: number;
  /** Responses by status class. */
  statuses: { "2xx": number; "3xx": number; "4xx": number; "5xx": number };
  /** CPU the load generator used, as a fraction of one core (1 = saturated). */
  clientCpu: number;
  connections: number;
}

interface Message {
  id: number;
  job: LoadJob;
}

/**
 * One autocannon run. Latency comes from autocannon's per-response event into a
 * microsecond histogram: its own histogram keeps whole milliseconds, too coarse for
 * sub-millisecond answers.
 */
async function run(job: LoadJob): Promise<LoadResult> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const latencyUs = createHistogram();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${job.port}`,
        connections: job.connections,
        pipelining: 1,
        requests: job.requests.map((r) => ({ method: r.method as autocannon.Request["method"], path: r.path, headers: r.headers })),
        ...(job.amount !== undefined ? { amount: job.amount } : { duration: job.duration ?? 5 }),
        timeout: 10,
      },
      (error: Error | null, summary: autocannon.Result) => (error ? reject(error) : resolve(summary)),
    );
    instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
      latencyUs.record(Math.max(1, Math.round(responseTimeMs * 1000)));
    });
  });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const r = result as autocannon.Result & Record<"2xx" | "3xx" | "4xx" | "5xx", number>;
  const msAt = (p: number): number => latencyUs.percentile(p) / 1000;
  return {
    total: r.requests.total,
    seconds: r.duration,
    rps: r.requests.total / r.duration,
    latencyMs: { average: latencyUs.mean / 1000, p50: msAt(50), p90: msAt(90), p99: msAt(99), max: latencyUs.max / 1000 },
    errors: r.errors,
    timeouts: r.timeouts,
    statuses: { "2xx": r["2xx"], "3xx": r["3xx"], "4xx": r["4xx"], "5xx": r["5xx"] },
    clientCpu: (cpu.user + cpu.system) / 1000 / wallMs,
    connections: job.connections,
  };
}

/** The runner's handle on the load-generator process. */
export class LoadGenerator {
  readonly child: Child;
  #nextId = 1;
  #pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();

  private constructor(child: Child) {
    this.child = child;
    child.process.on("message", (message: { id: number; result?: LoadResult; error?: string }) => {
      const waiter = this.#pending.get(message.id);
      if (waiter === undefined) return;
      this.#pending.delete(message.id);
      if (message.result !== undefined) waiter.resolve(message.result);
      else waiter.reject(new Error(`load generator: ${message.error ?? "no result"}`));
    });
    void child.exited.then((code) => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error(`the load generator exited (${code}):\n${child.output()}`));
      this.#pending.clear();
    });
  }

  /** Start the load process on `core` (null: unpinned). */
  static start(core: number | null): LoadGenerator {
    const self = fileURLToPath(import.meta.url);
    const child = startProcess("load generator (autocannon)", process.execPath, [...process.execArgv, self], {
      core,
      ipc: true,
      env: { ...process.env, FLAGON_BENCH_LOAD_CHILD: "1" },
    });
    return new LoadGenerator(child);
  }

  /** Run `job` and wait for its figures. */
  run(job: LoadJob): Promise<LoadResult> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.child.process.send({ id, job } satisfies Message);
    });
  }

  async stop(): Promise<void> {
    await stopProcess(this.child);
  }
}

// In the child: answer each job in turn.
if (process.env.FLAGON_BENCH_LOAD_CHILD === "1" && typeof process.send === "function") {
  const send = process.send.bind(process);
  process.on("message", (message: Message) => {
    run(message.job).then(
      (result) => send({ id: message.id, result }),
      (error: unknown) => send({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.on("disconnect", () => process.exit(0));
}
