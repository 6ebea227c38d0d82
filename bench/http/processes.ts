/**
 * The processes the HTTP benchmark starts, and their end. Every child is recorded by
 * pid when spawned and ended by that pid — SIGTERM, then SIGKILL after a grace period —
 * at its end, on an error, on Ctrl-C (SIGINT/SIGTERM), and as a last resort from the
 * `exit` handler. Nothing is ever killed by name or by process group.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A child process the benchmark started, with the tail of what it printed. */
export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process has ended. */
  readonly exited: Promise<number | string>;
  /** The last few kB the process wrote to stdout and stderr. */
  output(): string;
  /** Whether the process has ended. */
  hasExited(): boolean;
}

const OUTPUT_TAIL = 4096;
const live = new Set<Child>();
/** Set on SIGINT/SIGTERM: from then on nothing new is started. */
let interrupted = false;

/**
 * Send `question` to a child started with an IPC channel and resolve with its first
 * message whose `type` is `question` (the soak's "memory", the phases' "phases").
 */
export function askOverIpc<T extends { type: string }>(child: Child, question: T["type"], timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.process.off("message", onMessage);
      reject(new Error(`${child.name} did not answer "${question}" within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onMessage = (message: unknown): void => {
      if ((message as T | null)?.type !== question) return;
      clearTimeout(timer);
      child.process.off("message", onMessage);
      resolve(message as T);
    };
    child.process.on("message", onMessage);
    child.process.send(question);
  });
}

/** Whether `taskset` can pin processes here (util-linux, and at least two cores). */
export function canPin(cores: number): boolean {
  if (cores < 2 || process.platform !== "linux") return false;
  return spawnSync("taskset", ["-c", "0", "true"], { stdio: "ignore" }).status === 0;
}

/**
 * Spawn `command args`, pinned to `core` with `taskset -c` when given. taskset execs the
 * command, so the pid recorded is the command's own. `ipc` adds a Node IPC channel.
 */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; core?: number | null; ipc?: boolean } = {},
): Child {
  if (interrupted) throw new Error(`interrupted: ${name} not started`);
  const [cmd, argv] = opts.core === undefined || opts.core === null
    ? [command, [...args]]
    : ["taskset", ["-c", String(opts.core), command, ...args]];
  const proc = spawn(cmd, argv, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: opts.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  if (proc.pid === undefined) throw new Error(`Could not start ${name} (${cmd} ${argv.join(" ")}): no pid.`);
  let tail = "";
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString("utf8")).slice(-OUTPUT_TAIL);
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  let hasExited = false;
  const exited = new Promise<number | string>((resolve) => {
    proc.on("exit", (code, signal) => {
      hasExited = true;
      resolve(code ?? signal ?? "unknown");
    });
    proc.on("error", (error) => {
      hasExited = true;
      tail += `\n${error.message}`;
      resolve("spawn error");
    });
  });
  const child: Child = {
    name,
    pid: proc.pid,
    process: proc,
    exited,
    output: () => tail.trim(),
    hasExited: () => hasExited,
  };
  live.add(child);
  void exited.then(() => live.delete(child));
  return child;
}

/** End `child` by its pid: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(child: Child, graceMs = 3000): Promise<void> {
  if (child.hasExited()) return;
  signal(child.pid, "SIGTERM");
  const ended = await Promise.race([child.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!ended) {
    signal(child.pid, "SIGKILL");
    await Promise.race([child.exited, sleep(1000)]);
  }
}

/** End every child still running (in parallel). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => stopProcess(c)));
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone (ESRCH): nothing to end.
  }
}

let cleanupInstalled = false;

/**
 * End every child on SIGINT/SIGTERM (then exit 130/143), and SIGKILL whatever is left
 * when this process exits for any other reason (an uncaught error included).
 */
export function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const onSignal = (sig: NodeJS.Signals, code: number) => () => {
    interrupted = true;
    console.error(`\n${sig}: ending ${live.size} child process(es) by pid...`);
    void stopAll().finally(() => process.exit(code));
  };
  process.once("SIGINT", onSignal("SIGINT", 130));
  process.once("SIGTERM", onSignal("SIGTERM", 143));
  process.on("exit", () => {
    for (const child of live) signal(child.pid, "SIGKILL");
  });
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** One HTTP/1.1 answer, read whole. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET `path` on 127.0.0.1:`port` on a fresh connection (no agent, no keep-alive). */
export function httpGet(port: number, path: string, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET", headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer to GET ${path} within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** Wait until the server answers GET `path`, failing early if `child` exits. */
export async function waitForHttp(port: number, path: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.hasExited()) {
      throw new Error(`${child.name} exited (${await child.exited}) before it answered on port ${port}:\n${indent(child.output())}`);
    }
    try {
      await httpGet(port, path, {}, 1000);
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new Error(`${child.name} did not answer GET ${path} on port ${port} within ${timeoutMs / 1000} s:\n${indent(child.output())}`);
      }
      await sleep(100);
    }
  }
}

/**
 * CPU time (ms) used so far by `pid` and its direct children (gunicorn's workers), read
 * from /proc; null where there is no /proc.
 */
export function cpuTimeMs(pid: number): number | null {
  try {
    const ticksPerMs = 100 / 1000; // USER_HZ is 100 on every Linux ABI Node supports
    const ticks = (p: number): number => {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15 of stat)
    };
    let total = ticks(pid);
    let children: string;
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    } catch {
      children = "";
    }
    for (const c of children ? children.split(/\s+/) : []) {
      try {
        total += ticks(Number(c));
      } catch {
        // A worker that ended in between.
      }
    }
    return total / ticksPerMs;
  } catch {
    return null;
  }
}

/**
 * CPU time (ms) every core of the machine has spent busy so far, from /proc/stat (user,
 * nice, system, irq, softirq, steal); null where there is no /proc. What the server and
 * the load generator did not use of it was used by other processes.
 */
export function systemBusyMs(): number | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) * 10; // USER_HZ = 100
  } catch {
    return null;
  }
}

export function indent(text: string, prefix = "    "): string {
  return text ? text.split("\n").map((l) => prefix + l).join("\n") : `${prefix}(no output)`;
}
