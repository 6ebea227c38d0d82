/**
 * HTTP benchmark: Flagon against raw node:http, Fastify, Express, Hono, Koa, NestJS and
 * Flask on gunicorn, with autocannon as the load, in interleaved rounds.
 *
 *   npm run bench:http                          # every peer, every scenario, 3 rounds (~8 min on 2 cores)
 *   npm run bench:http -- --duration 2          # shorter timed runs (seconds)
 *   npm run bench:http -- --rounds 1            # one measurement per peer and scenario
 *   npm run bench:http -- --only flagon,fastify --scenarios text,page
 *
 * Every server is started up front, each in its own process pinned to core 0
 * (`taskset -c 0`) on 127.0.0.1 and a free port; the load generator runs in another
 * pinned to core 1. A server is checked on every scenario (status and body) before
 * anything is timed; one that answers wrongly is not timed and the run says why. Then,
 * scenario by scenario, every peer is timed once per round, one at a time, the order
 * rotating from round to round, so a noisy spell of the machine spreads over the peers
 * instead of landing on one; each peer's figure is its median round. Prints Markdown
 * tables and writes bench/results/http-<timestamp>.json.
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
import { canPin, cpuTimeMs, indent, installCleanup, stopAll, stopProcess, systemBusyMs, type Child } from "./processes.js";
import {
  BUSY_MACHINE,
  CLIENT_BOUND,
  checkTargets,
  hasConsistentLatency,
  medianCell,
  scenarioTable,
  summaryTable,
  targetsList,
  type Measurement,
  type PeerRun,
} from "./report.js";
import { SCENARIOS, WrongAnswer, type Scenario } from "./scenarios.js";

const USAGE =
  "usage: npm run bench:http -- [--duration S] [--warmup S] [--rounds N] [--connections N] [--only peer,...] " +
  "[--scenarios text,json,table,404,page] [--no-pin] [--no-json]\n" +
  "peers: node-http, flagon, fastify, express, hono, koa, nestjs, flask-1w, flask-2w (substrings match)";

/** Seconds of load on each scenario right before each timed run (the JIT settles on it). */
const SETTLE_SECONDS = 1;
/** Rough seconds per peer to start its server and check its answers (for the time estimate). */
const STARTUP_SECONDS = 3;

interface Options {
  duration: number;
  warmup: number;
  rounds: number;
  connections: number;
  only?: string[];
  scenarios: Scenario[];
  pin: boolean;
  json: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const flags = parseFlags(
    argv,
    { duration: "value", warmup: "value", rounds: "value", connections: "value", only: "value", scenarios: "value", "no-pin": "switch", "no-json": "switch" },
    USAGE,
  );
  const wanted = listFlag(flags, "scenarios");
  const unknown = wanted?.filter((w) => !SCENARIOS.some((s) => s.id === w)) ?? [];
  if (unknown.length > 0) {
    console.error(`unknown scenario(s) ${unknown.join(", ")}\n${USAGE}`);
    process.exit(2);
  }
  const rounds = numberFlag(flags, "rounds", 3, USAGE);
  if (!Number.isInteger(rounds)) {
    console.error(`--rounds must be a whole number, got ${flags.get("rounds")}\n${USAGE}`);
    process.exit(2);
  }
  return {
    duration: numberFlag(flags, "duration", 3, USAGE),
    warmup: numberFlag(flags, "warmup", 5, USAGE),
    rounds,
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

/** A peer whose server is up, answered every scenario right, and is being timed. */
interface LivePeer {
  run: PeerRun;
  child: Child;
  port: number;
  requests: Map<Scenario, LoadRequestSpec[]>;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Start a peer's server and check its answers to every scenario. The run comes back
 * skipped, failed or aborted (the server then stopped) or, with `live`, ready to time.
 */
async function startAndCheck(peer: PeerSpec, options: Options, serverCore: number | null): Promise<{ run: PeerRun; live?: LivePeer }> {
  const run: PeerRun = { peer, versions: peer.versions(), status: "ran", cells: {} };
  const missing = peer.unavailable();
  if (missing !== null) {
    progress(`${peer.name}: SKIPPED — ${missing}`);
    return { run: { ...run, status: "skipped", reason: missing } };
  }
  progress(`${peer.name}: starting (${run.versions})`);
  let started: Awaited<ReturnType<typeof startPeer>>;
  try {
    started = await startPeer(peer, serverCore);
  } catch (error) {
    const reason = `did not start: ${errorText(error)}`;
    progress(`${peer.name}: FAILED — ${reason}`);
    return { run: { ...run, status: "failed", reason } };
  }
  const { child, port } = started;
  run.startupMs = started.startupMs;
  const requests = new Map<Scenario, LoadRequestSpec[]>();
  for (const scenario of options.scenarios) {
    try {
      requests.set(scenario, await scenario.prepare(port));
    } catch (error) {
      await stopProcess(child);
      if (error instanceof WrongAnswer) {
        const reason = `wrong answer in the ${scenario.id} scenario — ${error.message}`;
        progress(`${peer.name}: ABORTED, not timed — ${reason}`);
        return { run: { ...run, status: "aborted", reason } };
      }
      const reason = `checking the ${scenario.id} scenario: ${errorText(error)}`;
      progress(`${peer.name}: FAILED — ${reason}`);
      return { run: { ...run, status: "failed", reason } };
    }
  }
  progress(`${peer.name}: answers checked, serving on port ${port} (pid ${child.pid})`);
  return { run, live: { run, child, port, requests } };
}

/** Take a peer out of the timing: report why and stop its server. Its finished scenarios stay. */
async function failPeer(peer: LivePeer, reason: string): Promise<void> {
  progress(`${peer.run.peer.name}: FAILED — ${reason}`);
  peer.run.status = "failed";
  peer.run.reason = reason;
  await stopProcess(peer.child);
}

/** One round of a scenario on one peer: the settle run, then the timed run and its CPU figures. */
async function timeOnce(peer: LivePeer, scenario: Scenario, options: Options, load: LoadGenerator): Promise<Measurement> {
  const { child, port } = peer;
  const job = { port, connections: options.connections, requests: peer.requests.get(scenario)! };
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
  return {
    load: result,
    serverCpu,
    otherCpu:
      serverCpu !== null && busyBefore !== null && busyAfter !== null
        ? (busyAfter - busyBefore) / wallMs - serverCpu - result.clientCpu
        : null,
    problems: problemsOf(scenario, result),
  };
}

/**
 * Time every live peer on every scenario: for each scenario, `options.rounds` rounds; in
 * each round every peer in turn (settle, then time), starting one peer further along
 * than the round before, so no peer is always first or last. One peer is under load at
 * a time; the others wait idle. Each peer's cell is its median round.
 */
async function timeAll(peers: readonly LivePeer[], options: Options, load: LoadGenerator): Promise<void> {
  const nameWidth = Math.max(...peers.map((p) => p.run.peer.name.length));
  let rotation = 0;
  for (const scenario of options.scenarios) {
    const rounds = new Map<LivePeer, Measurement[]>(peers.map((p) => [p, []]));
    for (let round = 1; round <= options.rounds; round++, rotation++) {
      const active = peers.filter((p) => p.run.status === "ran");
      if (active.length === 0) return;
      const offset = rotation % active.length;
      for (const peer of [...active.slice(offset), ...active.slice(0, offset)]) {
        let m: Measurement;
        try {
          m = await timeOnce(peer, scenario, options, load);
        } catch (error) {
          await failPeer(peer, `${scenario.id}, round ${round}: ${errorText(error)}`);
          continue;
        }
        rounds.get(peer)!.push(m);
        progress(
          `  ${scenario.id.padEnd(6)} round ${round}/${options.rounds}  ${peer.run.peer.name.padEnd(nameWidth)} ${Math.round(m.load.rps).toString().padStart(7)} req/s` +
            `  p99 ${m.load.latencyMs.p99.toFixed(2)} ms  server CPU ${m.serverCpu === null ? "?" : Math.round(m.serverCpu * 100)}%` +
            `  client CPU ${Math.round(m.load.clientCpu * 100)}%${m.problems.length ? `  ! ${m.problems.join("; ")}` : ""}`,
        );
      }
    }
    for (const peer of peers) {
      if (peer.run.status === "ran") peer.run.cells[scenario.id] = medianCell(rounds.get(peer)!);
    }
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
  const available = peers.filter((p) => p.unavailable() === null).length;
  const seconds =
    available * (STARTUP_SECONDS + options.warmup) + options.scenarios.length * options.rounds * available * (SETTLE_SECONDS + options.duration);
  progress(
    `# HTTP benchmark: ${available} peers × ${options.scenarios.length} scenarios × ${options.rounds} round${options.rounds > 1 ? "s" : ""}, ` +
      `${options.connections} connections, ${options.warmup} s warm-up per peer, then per round ${SETTLE_SECONDS} s + ${options.duration} s timed ` +
      `per peer and scenario (~${Math.ceil(seconds / 60)} min)`,
  );
  progress(`# node ${process.version}, ${env.cpu} x${env.cores}, ${pin ? "server on core 0, load on core 1 (taskset)" : "not pinned (no taskset, or one core, or --no-pin)"}`);

  const load = LoadGenerator.start(loadCore);
  const runs: PeerRun[] = [];
  const live: LivePeer[] = [];
  try {
    // Every server up and checked first (one at a time, each on its own port), then warmed up.
    for (const peer of peers) {
      const checked = await startAndCheck(peer, options, serverCore);
      runs.push(checked.run);
      if (checked.live) live.push(checked.live);
    }
    for (const peer of live) {
      progress(`${peer.run.peer.name}: warming up ${options.warmup} s on all scenarios`);
      try {
        peer.run.warmup = await load.run({ port: peer.port, connections: options.connections, requests: [...peer.requests.values()].flat(), duration: options.warmup });
        if (peer.child.hasExited()) throw new Error(`the server exited during the warm-up:\n${indent(peer.child.output())}`);
      } catch (error) {
        await failPeer(peer, `warming up: ${errorText(error)}`);
      }
    }
    await timeAll(live, options, load);
  } finally {
    for (const peer of live) await stopProcess(peer.child);
    await load.stop();
    await stopAll();
  }

  // --- report ----------------------------------------------------------------------------
  console.log(`## HTTP benchmark — Flagon and its peers, ${options.scenarios.length} scenarios\n`);
  console.log(
    `node ${process.version}, ${env.cpu} x${env.cores}, ${env.autocannon}, ${options.connections} connections, ` +
      `${options.warmup} s warm-up per server, then ${options.rounds} interleaved round${options.rounds > 1 ? "s" : ""} of ${SETTLE_SECONDS} s settling + ${options.duration} s timed ` +
      `per peer and scenario${options.rounds > 1 ? " (the median round shown)" : ""}, ` +
      `${pin ? "server pinned to core 0 and load to core 1" : "processes not pinned"}, Flagon at ${env.git}\n`,
  );
  for (const scenario of options.scenarios) {
    console.log(`### ${scenario.label}\n`);
    console.log(scenarioTable(scenario, runs));
    console.log("");
  }
  console.log(`### Summary (req/s${options.rounds > 1 ? ", median round" : ""})\n`);
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
  if (options.rounds > 1) {
    console.log(
      `Rounds: each scenario was timed ${options.rounds} times per peer, the peers taking turns (one under load at a time, the order rotating), ` +
        "so a noisy spell of the machine is spread over them; each row shows its median round (with an even count, the lower middle one), " +
        "\"rounds min–max\" the range of all its rounds' req/s and the gap as a share of the median. Problems of the other rounds are listed as \"round N: …\".",
    );
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
      // Per peer and scenario, `results` holds the median round's figures, `rounds` (req/s of every round, in order) and `round` (which one is shown).
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
