/**
 * Router micro-benchmark: Flagon's Werkzeug-style router against find-my-way, rou3,
 * memoirist, Hono's RegExpRouter and TrieRouter, and an Express-style linear scan of
 * path-to-regexp matchers, on a ~300-route table modelled on the GitHub REST API.
 *
 *   npm run bench:router                 # everything (under a minute on 2 cores)
 *   npm run bench:router -- --time=200   # shorter: min CPU time per measurement, in ms
 *   npm run bench:router -- --only=flagon,find-my-way
 *   npm run bench:router -- --check      # correctness checks only, no timing
 *
 * Every router is checked on every case before anything is timed; a wrong answer
 * aborts the run (exit 1) unless --skip-wrong drops that router instead. Prints a
 * Markdown table of ops/sec and writes the raw numbers to bench/results/router-*.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { relative } from "node:path";
import { measure } from "mitata";
import { buildCase, matchCases } from "./cases.js";
import { formatOps, formatRatio, markdownTable } from "./format.js";
import { describeError, loadRouters, routerSpecs } from "./routers/index.js";
import { handlerName, routes } from "./routes.js";
import type { RouterAdapter } from "./types.js";
import { checkCases, checkTable } from "./verify.js";
import { pkgVersion } from "./routers/util.js";

interface Options {
  timeMs: number;
  only?: string[];
  check: boolean;
  json: boolean;
  skipWrong: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { timeMs: 800, check: false, json: true, skipWrong: false };
  for (const arg of argv) {
    const [flag, value] = arg.split("=", 2) as [string, string | undefined];
    if (flag === "--time" && value !== undefined && Number(value) > 0) options.timeMs = Number(value);
    else if (flag === "--only" && value) options.only = value.toLowerCase().split(",").map((s) => s.trim());
    else if (flag === "--check") options.check = true;
    else if (flag === "--no-json") options.json = false;
    else if (flag === "--skip-wrong") options.skipWrong = true;
    else {
      console.error(`unknown argument ${arg}\nusage: bench/router/index.ts [--time=MS] [--only=a,b] [--check] [--skip-wrong] [--no-json]`);
      process.exit(2);
    }
  }
  return options;
}

interface Measurement {
  opsPerSec: number;
  avgNs: number;
  p50Ns: number;
  p99Ns: number;
  minNs: number;
  maxNs: number;
  samples: number;
}

type Call = () => unknown;

/** Rounds of every case per router before timing (a few hundred ms in all). */
const WARMUP_ROUNDS = 5_000;

/** A one-line progress note on a terminal; nothing when stderr is a file or pipe. */
function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${text.padEnd(70)}\r`);
}

/**
 * A fresh function per router and case: closures made from one source literal share
 * V8's type feedback, so a shared `() => adapter.match(m, p)` would see every adapter
 * class and go megamorphic, taxing every router the same unfair way.
 */
function makeCall(body: string, ...args: unknown[]): Call {
  const factory = new Function("a", "b", "c", `return function bench() { return ${body}; };`) as (...a: unknown[]) => Call;
  return factory(...args);
}

async function time(call: Call, timeMs: number): Promise<Measurement> {
  const stats = await measure(call, { min_cpu_time: timeMs * 1e6 });
  return {
    opsPerSec: 1e9 / stats.avg,
    avgNs: stats.avg,
    p50Ns: stats.p50,
    p99Ns: stats.p99,
    minNs: stats.min,
    maxNs: stats.max,
    samples: stats.samples.length,
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const table = routes.map((route) => ({ ...route, handler: handlerName(route) }));
  const only = options.only;
  const { adapters, skipped } = await loadRouters(
    table,
    only ? (name) => only.some((o) => name.toLowerCase().includes(o)) : undefined,
  );

  console.error(`# Router benchmark: ${routes.length} routes (GitHub REST API), node ${process.version}, ${cpus()[0]?.model ?? "?"} x${cpus().length}`);
  for (const adapter of adapters) {
    const refused = adapter.rejected?.length ? ` — refused ${adapter.rejected.length} routes, timed on the other ${routes.length - adapter.rejected.length}` : "";
    console.error(`  ${adapter.name.padEnd(20)} ${adapter.version}${refused}`);
  }
  for (const s of skipped) console.error(`  ${s.name.padEnd(20)} SKIPPED — ${s.reason}`);

  // --- correctness, before any timing ---------------------------------------------------
  const wrong: Array<{ name: string; failures: string[] }> = [];
  const tableProblems: Record<string, string[]> = {};
  for (const adapter of adapters) {
    const failures = checkCases(adapter);
    if (failures.length > 0) wrong.push({ name: adapter.name, failures });
    const misrouted = checkTable(adapter, routes);
    if (misrouted.length > 0) tableProblems[adapter.name] = misrouted;
  }
  for (const [name, problems] of Object.entries(tableProblems)) {
    console.error(`\nWARNING: ${name} misroutes ${problems.length} of ${routes.length} table routes (sample request per route):`);
    for (const p of problems.slice(0, 10)) console.error(`  - ${p}`);
    if (problems.length > 10) console.error(`  ... and ${problems.length - 10} more`);
  }
  if (wrong.length > 0) {
    for (const { name, failures } of wrong) {
      console.error(`\n${options.skipWrong ? "DROPPED" : "ABORT"}: ${name} answers benchmark cases wrongly:`);
      for (const f of failures) console.error(`  - ${f}`);
    }
    if (!options.skipWrong) {
      console.error("\nNo timings taken: fix the router (or pass --skip-wrong to bench the others).");
      process.exit(1);
    }
    for (const { name, failures } of wrong) {
      adapters.splice(adapters.findIndex((a) => a.name === name), 1);
      skipped.push({ name, reason: `wrong answers: ${failures.join("; ")}` });
    }
  }
  console.error(`\nAll ${adapters.length} routers answer every case correctly${Object.keys(tableProblems).length ? " (see table warnings above)" : ""}.`);
  if (options.check) return;

  // --- warm-up: every router sees every case (mixed traffic) before the first timing, so
  // the first cells are not timed while the JIT is still compiling the router's code.
  for (const adapter of adapters) {
    progress(`warming up ${adapter.name}`);
    for (let i = 0; i < WARMUP_ROUNDS; i++) {
      for (const c of matchCases) adapter.match(c.method, c.path);
      adapter.build?.(buildCase.handler, buildCase.params);
    }
  }

  // --- timing ----------------------------------------------------------------------------
  const results: Record<string, Record<string, Measurement>> = {};
  for (const c of matchCases) {
    results[c.id] = {};
    for (const adapter of adapters) {
      progress(`timing ${c.id} / ${adapter.name}`);
      results[c.id]![adapter.name] = await time(makeCall("a.match(b, c)", adapter, c.method, c.path), options.timeMs);
    }
  }
  results[buildCase.id] = {};
  for (const adapter of adapters) {
    if (!adapter.build) continue;
    progress(`timing build / ${adapter.name}`);
    results[buildCase.id]![adapter.name] = await time(
      makeCall("a.build(b, c)", adapter, buildCase.handler, buildCase.params),
      options.timeMs,
    );
  }
  progress("");

  // --- report ----------------------------------------------------------------------------
  const names = adapters.map((a) => a.name);
  // Registry order (Flagon first), skipped routers included as "n/a" columns.
  const columns = routerSpecs.map((s) => s.name).filter((n) => names.includes(n) || skipped.some((s) => s.name === n));
  const no405 = new Set(adapters.filter((a) => !a.supports405).map((a) => a.name));
  const rows: string[][] = [];
  const fastest: Record<string, string> = {};
  for (const c of [...matchCases, buildCase]) {
    const row = results[c.id]!;
    const cells = columns.map((name) => {
      const m = row[name];
      if (m === undefined) return names.includes(name) ? "—" : "n/a";
      return `${formatOps(m.opsPerSec)}${c.id === "405" && no405.has(name) ? " †" : ""}`;
    });
    const flagon = row["Flagon"]?.opsPerSec ?? NaN;
    const fmw = row["find-my-way"]?.opsPerSec ?? NaN;
    // On the 405 row only routers that really answer 405 compete for "fastest".
    const contenders = Object.entries(row).filter(([name]) => c.id !== "405" || !no405.has(name));
    const best = contenders.sort((a, b) => b[1].opsPerSec - a[1].opsPerSec)[0];
    fastest[c.id] = best?.[0] ?? "—";
    rows.push([c.label, ...cells, c.id === buildCase.id ? "—" : formatRatio(flagon / fmw), fastest[c.id]!]);
  }
  const header = ["case (ops/sec)", ...columns, "Flagon ÷ find-my-way", "fastest"];
  console.log(`## Router benchmark — ${routes.length} routes modelled on the GitHub REST API\n`);
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? "?"} x${cpus().length}, ${pkgVersion("mitata")}, min CPU time ${options.timeMs} ms per cell\n`);
  console.log(markdownTable(header, rows, ["l", ...columns.map(() => "r" as const), "r", "l"]));
  console.log("");
  if (no405.size > 0) {
    console.log(`† no 405 semantics (${[...no405].join(", ")}): the wrong-method request is answered as a plain 404; the same lookup is timed. "fastest" on that row counts only routers that answer 405.`);
  }
  console.log(`build: URL building for the 3-value route — Flagon \`adapter.build(endpoint, values)\`, path-to-regexp \`compile()\`d function looked up by name; the other routers cannot build URLs.`);
  for (const a of adapters) {
    if (!a.rejected?.length) continue;
    const first = a.rejected.slice(0, 3).map((r) => r.slice(0, r.indexOf(": "))).join(", ");
    console.log(`${a.name}: refused ${a.rejected.length}/${routes.length} routes (UnsupportedPathError for a param beside a static segment, e.g. ${first}); timed on the other ${routes.length - a.rejected.length}. Hono's default SmartRouter would fall back to TrieRouter for this table.`);
  }
  for (const s of skipped) console.log(`n/a: ${s.name} not benchmarked — ${s.reason}`);
  for (const [name, problems] of Object.entries(tableProblems)) {
    console.log(`warning: ${name} misroutes ${problems.length}/${routes.length} table routes (first: ${problems[0]})`);
  }

  if (options.json) {
    const stamp = new Date(started).toISOString().replace(/[:.]/g, "-");
    const dir = fileURLToPath(new URL("../results/", import.meta.url));
    mkdirSync(dir, { recursive: true });
    const file = `${dir}router-${stamp}.json`;
    const json = {
      benchmark: "router",
      date: new Date(started).toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      environment: { node: process.version, platform: `${process.platform}-${process.arch}`, cpu: cpus()[0]?.model, cores: cpus().length, mitata: pkgVersion("mitata") },
      options: { minCpuTimeMs: options.timeMs, only: options.only ?? null },
      routes: routes.length,
      routers: adapters.map((a) => ({
        name: a.name,
        version: a.version,
        supports405: a.supports405,
        builds: a.build !== undefined,
        rejectedRoutes: a.rejected ?? [],
      })),
      skipped,
      tableProblems,
      cases: [
        ...matchCases.map((c) => ({ id: c.id, label: c.label, method: c.method, path: c.path, expect: c.expect })),
        { id: buildCase.id, label: buildCase.label, handler: buildCase.handler, params: buildCase.params, expect: buildCase.expect },
      ],
      results,
      fastest,
    };
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    console.error(`\nwrote ${relative(process.cwd(), file)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
}

main().catch((error: unknown) => {
  console.error(`router benchmark failed: ${describeError(error)}`);
  if (error instanceof Error && error.stack) console.error(error.stack);
  process.exit(1);
});

export type { RouterAdapter };
