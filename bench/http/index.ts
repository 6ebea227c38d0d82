/**
 * HTTP benchmark: Flagon against raw node:http, Fastify, Express, Hono, Koa, NestJS and
 * Flask on gunicorn, one server after another, with autocannon as the load.
 *
 *   npm run bench:http                          # every peer, every scenario (~5.5 min on 2 cores)
 *   npm run bench:http -- --duration 3          # shorter timed runs (seconds)
 *   npm run bench:http -- --only flagon,fastify --scenarios text,page
 *
 * Each server runs in its own process pinned to core 0 (`taskset -c 0`), the load
 * generator in another pinned to core 1, on 127.0.0.1 and a free port. A server is
 * checked on every scenario (status and body) before anything is timed; one that
 * answers wrongly is not timed and the run says why. Prints Markdown tables and writes
 * bench/results/http-<timestamp>.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { relative } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { TABLE_ROUTES } from "./app-spec.js";
import { environment, listFlag, numberFlag, parseFlags, progress, stamp } from "./cli.js";
import { LoadGenerator, type LoadRequestSpec, type LoadResult } from "./load.js";
import { selectPeers, startPeer, type PeerSpec } from "./peers.js";
import { canPin, cpuTimeMs, indent, installCleanup, stopAll, stopProcess, systemBusyMs } from "./processes.js";
import { BUSY_MACHINE, CLIENT_BOUND, checkTargets, hasConsistentLatency, scenarioTable, summaryTable, targetsList, type Cell, type PeerRun } from "./report.js";
import { SCENARIOS, WrongAnswer, type Scenario } from "./scenarios.js";

const USAGE =
  "usage: npm run bench:http -- [--duration S] [--warmup S] [--connections N] [--only peer,...] " +
  "[--scenarios text,json,table,404,page] [--no-pin] [--no-json]\n" +
  "peers: node-http, flagon, fastify, express, hono, koa, nestjs, flask-1w, flask-2w (substrings match)";

/** Seconds of load on each scenario right before its timed run (the JIT settles on it). */
const SETTLE_SECONDS = 1;

interface Options {
  duration: number;
  warmup: number;
  connections: number;
  only?: string[];
  scenarios: Scenario[];
  pin: boolean;
  json: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const flags = parseFlags(
    argv,
    { duration: "value", warmup: "value", connections: "value", only: "value", scenarios: "value", "no-pin": "switch", "no-json": "switch" },
    USAGE,
  );
  const wanted = listFlag(flags, "scenarios");
  const unknown = wanted?.filter((w) => !SCENARIOS.some((s) => s.id === w)) ?? [];
  if (unknown.length > 0) {
    console.error(`unknown scenario(s) ${unknown.join(", ")}\n${USAGE}`);
    process.exit(2);
  }
  return {
    duration: numberFlag(flags, "duration", 5, USAGE),
    warmup: numberFlag(flags, "warmup", 5, USAGE),
    connections: Math.round(numberFlag(flags, "connections", 50, USAGE)),
    only: listFlag(flags, "only"),
    scenarios: wanted ? SCENARIOS.filter((s) => wanted.includes(s.id)) : [...SCENARIOS],
    pin: !flags.has("no-pin"),
    json: !flags.has("no-json"),
  };
}

/** What in a timed run's answers does not fit the scenario (errors, other status classes). */
function problemsOf(scenario: Scenario, load: LoadResult): string[] {
  const problems: string[] = [];
  if (load.errors > 0) problems.push(`${load.errors} connection errors${load.timeouts > 0 ? ` (${load.timeouts} timeouts)` : ""}`);
  const expected = scenario.id === "404" ? "4xx" : "2xx";
  for (const [klass, count] of Object.entries(load.statuses)) {
    if (klass !== expected && count > 0) problems.push(`${count} × ${klass}`);
  }
  if (load.total === 0) problems.push("no answers");
  return problems;
}

async function runPeer(peer: PeerSpec, options: Options, load: LoadGenerator, serverCore: number | null): Promise<PeerRun> {
  const run: PeerRun = { peer, versions: peer.versions(), status: "ran", cells: {} };
  const missing = peer.unavailable();
  if (missing !== null) {
    progress(`${peer.name}: SKIPPED — ${missing}`);
    return { ...run, status: "skipped", reason: missing };
  }
  progress(`${peer.name}: starting (${run.versions})`);
  let started: Awaited<ReturnType<typeof startPeer>>;
  try {
    started = await startPeer(peer, serverCore);
  } catch (error) {
    const reason = `did not start: ${error instanceof Error ? error.message : String(error)}`;
    progress(`${peer.name}: FAILED — ${reason}`);
    return { ...run, status: "failed", reason };
  }
  const { child, port } = started;
  run.startupMs = started.startupMs;
  try {
    const requests = new Map<Scenario, LoadRequestSpec[]>();
    for (const scenario of options.scenarios) {
      try {
        requests.set(scenario, await scenario.prepare(port));
      } catch (error) {
        if (!(error instanceof WrongAnswer)) throw error;
        const reason = `wrong answer in the ${scenario.id} scenario — ${error.message}`;
        progress(`${peer.name}: ABORTED, not timed — ${reason}`);
        return { ...run, status: "aborted", reason };
      }
    }
    const everything = [...requests.values()].flat();
    progress(`${peer.name}: answers checked; warming up ${options.warmup} s on all scenarios`);
    run.warmup = await load.run({ port, connections: options.connections, requests: everything, duration: options.warmup });
    for (const scenario of options.scenarios) {
      const job = { port, connections: options.connections, requests: requests.get(scenario)! };
      await load.run({ ...job, duration: SETTLE_SECONDS });
      const cpuBefore = cpuTimeMs(child.pid);
      const busyBefore = systemBusyMs();
      const t0 = performance.now();
      const result = await load.run({ ...job, duration: options.duration });
      const wallMs = performance.now() - t0;
      const cpuAfter = cpuTimeMs(child.pid);
      const busyAfter = systemBusyMs();
      const serverCpu = cpuBefore !== null && cpuAfter !== null ? (cpuAfter - cpuBefore) / wallMs : null;
      if (child.hasExited()) throw new Error(`the server exited during the ${scenario.id} scenario:\n${indent(child.output())}`);
      const cell: Cell = {
        load: result,
        serverCpu,
        otherCpu:
          serverCpu !== null && busyBefore !== null && busyAfter !== null
            ? (busyAfter - busyBefore) / wallMs - serverCpu - result.clientCpu
            : null,
        problems: problemsOf(scenario, result),
      };
      run.cells[scenario.id] = cell;
      progress(
        `  ${scenario.id.padEnd(6)} ${Math.round(result.rps).toString().padStart(7)} req/s  p99 ${result.latencyMs.p99.toFixed(2)} ms` +
          `  server CPU ${serverCpu === null ? "?" : Math.round(serverCpu * 100)}%  client CPU ${Math.round(result.clientCpu * 100)}%${cell.problems.length ? `  ! ${cell.problems.join("; ")}` : ""}`,
      );
    }
    return run;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    progress(`${peer.name}: FAILED — ${reason}`);
    return { ...run, status: "failed", reason };
  } finally {
    await stopProcess(child);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  installCleanup();
  const started = new Date();
  const env = environment();
  const pin = options.pin && canPin(cpus().length);
  const [serverCore, loadCore] = pin ? [0, 1] : [null, null];
  const peers = selectPeers(options.only);
  if (peers.length === 0) {
    console.error(`--only ${options.only?.join(",")} selects no peer.\n${USAGE}`);
    process.exit(2);
  }
  const perPeer = options.warmup + options.scenarios.length * (SETTLE_SECONDS + options.duration);
  progress(
    `# HTTP benchmark: ${peers.length} peers × ${options.scenarios.length} scenarios, ${options.connections} connections, ` +
      `${options.warmup} s warm-up per peer, then ${SETTLE_SECONDS} s + ${options.duration} s timed per scenario (~${Math.ceil((peers.length * (perPeer + 3)) / 60)} min)`,
  );
  progress(`# node ${process.version}, ${env.cpu} x${env.cores}, ${pin ? "server on core 0, load on core 1 (taskset)" : "not pinned (no taskset, or one core, or --no-pin)"}`);

  const load = LoadGenerator.start(loadCore);
  const runs: PeerRun[] = [];
  try {
    for (const peer of peers) runs.push(await runPeer(peer, options, load, serverCore));
  } finally {
    await load.stop();
    await stopAll();
  }

  // --- report ----------------------------------------------------------------------------
  console.log(`## HTTP benchmark — Flagon and its peers, ${options.scenarios.length} scenarios\n`);
  console.log(
    `node ${process.version}, ${env.cpu} x${env.cores}, ${env.autocannon}, ${options.connections} connections, ` +
      `${options.duration} s timed after ${options.warmup} s warm-up (+${SETTLE_SECONDS} s per scenario), ` +
      `${pin ? "server pinned to core 0 and load to core 1" : "processes not pinned"}, Flagon at ${env.git}\n`,
  );
  for (const scenario of options.scenarios) {
    console.log(`### ${scenario.label}\n`);
    console.log(scenarioTable(scenario, runs));
    console.log("");
  }
  console.log("### Summary (req/s)\n");
  console.log(summaryTable(options.scenarios, runs));
  console.log("");
  const targets = checkTargets(runs);
  console.log("### Issue 10 targets (this run)\n");
  console.log(targetsList(targets));
  console.log("");
  if (runs.some((r) => Object.values(r.cells).some((c) => c.load.clientCpu > CLIENT_BOUND))) {
    console.log(`⚠ client CPU above ${CLIENT_BOUND * 100}%: the load generator's core was (nearly) saturated, so that figure may be a floor of what the server can do.`);
  }
  if (runs.some((r) => Object.values(r.cells).some((c) => !hasConsistentLatency(c.load)))) {
    console.log(
      "† latency not measurable: the server closes every connection (gunicorn's sync workers), and autocannon's reported " +
        "latency then disagrees with its own throughput (mean latency × req/s far above the connections open), so p99 is not shown. " +
        "Its connection errors are resets of those closed connections.",
    );
  }
  if (runs.some((r) => Object.values(r.cells).some((c) => c.otherCpu !== null && c.otherCpu > BUSY_MACHINE))) {
    console.log(`⚠ other CPU above ${BUSY_MACHINE * 100}%: other processes were busy during that figure (2 cores shared), so it is noisier than the rest; run again on a quiet machine.`);
  }
  console.log(`Route table: ${TABLE_ROUTES.length} routes. Ratios are of req/s (higher is better) and of p99 latency (lower is better).`);
  for (const run of runs) {
    if (run.status !== "ran") console.log(`n/a: ${run.peer.name} ${run.status} — ${run.reason?.split("\n")[0]}`);
  }

  if (options.json) {
    const dir = fileURLToPath(new URL("../results/", import.meta.url));
    mkdirSync(dir, { recursive: true });
    const file = `${dir}http-${stamp(started)}.json`;
    const json = {
      benchmark: "http",
      date: started.toISOString(),
      durationSeconds: (Date.now() - started.getTime()) / 1000,
      environment: { ...env, pinned: pin, serverCore, loadCore },
      options: { ...options, scenarios: options.scenarios.map((s) => s.id), settleSeconds: SETTLE_SECONDS },
      scenarios: options.scenarios.map((s) => ({ id: s.id, label: s.label, expects: s.expects })),
      tableRoutes: TABLE_ROUTES.length,
      peers: runs.map((r) => ({
        id: r.peer.id,
        name: r.peer.name,
        versions: r.versions,
        status: r.status,
        reason: r.reason ?? null,
        startupMs: r.startupMs ?? null,
        warmup: r.warmup ?? null,
        results: r.cells,
      })),
      targets,
    };
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    progress(`\nwrote ${relative(process.cwd(), file)} (${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)`);
  }
  // A peer that answered wrongly is a bug to look at: fail the run (after reporting the rest).
  if (runs.some((r) => r.status === "aborted" || r.status === "failed")) process.exitCode = 1;
}

main().catch(async (error: unknown) => {
  console.error(`HTTP benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await stopAll();
  process.exit(1);
});
