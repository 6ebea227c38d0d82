/**
 * Soak mode: 1M requests of the real-page scenario (session cookie read and re-signed,
 * Nunjucks loop rendered) against one server, Flagon by default, to show that nothing
 * grows per request — contexts, sessions, templates.
 *
 *   npm run bench:soak                            # Flagon, 1,000,000 requests (~3-5 min)
 *   npm run bench:soak -- --requests 200000 --first 50000
 *   npm run bench:soak -- --only fastify          # the same soak on another Node peer
 *
 * The server runs with --expose-gc and an IPC channel; at each checkpoint the load stops,
 * and the server reports `process.memoryUsage()`, then the same after a full GC. The
 * figure that matters is RSS after all requests over RSS after the first 100k (target:
 * at most 1.10); heap used after GC is the sharper leak signal.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { formatOps, formatRatio, markdownTable } from "../router/format.js";
import { environment, listFlag, numberFlag, parseFlags, progress, stamp } from "./cli.js";
import { LoadGenerator, type LoadResult } from "./load.js";
import { selectPeers, startPeer } from "./peers.js";
import { askOverIpc, canPin, installCleanup, stopAll, stopProcess } from "./processes.js";
import { SCENARIOS, WrongAnswer } from "./scenarios.js";
import type { MemoryReport } from "./servers/_memory.js";

const USAGE = "usage: npm run bench:soak -- [--requests N] [--first N] [--every N] [--connections N] [--only peer] [--no-pin] [--no-json]";

/** RSS after all requests may exceed RSS after the first checkpoint by this factor at most. */
const RSS_TARGET = 1.1;

interface Checkpoint {
  /** Requests answered so far. */
  requests: number;
  memory: MemoryReport;
  /** The load run that led here (none for the idle checkpoint). */
  load: LoadResult | null;
}

const mib = (bytes: number | undefined): string => (bytes === undefined ? "—" : (bytes / 2 ** 20).toFixed(1));

async function main(): Promise<void> {
  const flags = parseFlags(
    process.argv.slice(2),
    { requests: "value", first: "value", every: "value", connections: "value", only: "value", "no-pin": "switch", "no-json": "switch" },
    USAGE,
  );
  const total = Math.round(numberFlag(flags, "requests", 1_000_000, USAGE));
  const first = Math.min(total, Math.round(numberFlag(flags, "first", 100_000, USAGE)));
  const every = Math.round(numberFlag(flags, "every", 100_000, USAGE));
  const connections = Math.round(numberFlag(flags, "connections", 50, USAGE));
  const only = listFlag(flags, "only") ?? ["flagon"];
  const peers = selectPeers(only).filter((p) => p.kind === "node");
  if (peers.length !== 1) {
    console.error(`--only must select exactly one Node peer (the soak needs its IPC memory report); ${only.join(",")} selects ${peers.map((p) => p.name).join(", ") || "none"}.\n${USAGE}`);
    process.exit(2);
  }
  const peer = peers[0]!;
  installCleanup();
  const started = new Date();
  const env = environment();
  const pin = !flags.has("no-pin") && canPin(cpus().length);
  const page = SCENARIOS.find((s) => s.id === "page")!;

  progress(`# Soak: ${total.toLocaleString("en")} real-page requests against ${peer.name} (${peer.versions()}), ${connections} connections`);
  const load = LoadGenerator.start(pin ? 1 : null);
  const { child, port } = await startPeer(peer, pin ? 0 : null, { gc: true, ipc: true });
  const checkpoints: Checkpoint[] = [];
  try {
    let requests: Awaited<ReturnType<typeof page.prepare>>;
    try {
      requests = await page.prepare(port);
    } catch (error) {
      if (error instanceof WrongAnswer) throw new Error(`${peer.name} answers the page wrongly, nothing soaked: ${error.message}`);
      throw error;
    }
    checkpoints.push({ requests: 0, memory: await askOverIpc<MemoryReport>(child, "memory"), load: null });
    let done = 0;
    while (done < total) {
      const amount = Math.min(done === 0 ? first : every, total - done);
      const result = await load.run({ port, connections, requests, amount });
      if (child.hasExited()) throw new Error(`${peer.name} exited during the soak:\n${child.output()}`);
      done += result.total;
      const bad = result.errors + result.statuses["3xx"] + result.statuses["4xx"] + result.statuses["5xx"];
      if (bad > 0) progress(`  ! ${bad} requests failed or answered other than 200 in this stretch`);
      const memory = await askOverIpc<MemoryReport>(child, "memory");
      checkpoints.push({ requests: done, memory, load: result });
      progress(
        `  ${done.toLocaleString("en").padStart(9)} requests  ${formatOps(result.rps)} req/s  rss ${mib(memory.usage.rss)} MiB  ` +
          `heap used ${mib(memory.usage.heapUsed)} MiB (${mib(memory.afterGc?.heapUsed)} after GC)`,
      );
    }
  } finally {
    await stopProcess(child);
    await load.stop();
    await stopAll();
  }

  // --- report ----------------------------------------------------------------------------
  const base = checkpoints[1]!;
  const last = checkpoints[checkpoints.length - 1]!;
  const rssRatio = last.memory.usage.rss / base.memory.usage.rss;
  const heapRatio = (last.memory.afterGc?.heapUsed ?? NaN) / (base.memory.afterGc?.heapUsed ?? NaN);
  const rows = checkpoints.map((c) => [
    c.requests === 0 ? "0 (idle, after the check)" : c.requests.toLocaleString("en"),
    c.load ? formatOps(c.load.rps) : "—",
    c.load ? c.load.latencyMs.p99.toFixed(2) : "—",
    mib(c.memory.usage.rss),
    mib(c.memory.usage.heapTotal),
    mib(c.memory.usage.heapUsed),
    mib(c.memory.usage.external),
    mib(c.memory.afterGc?.rss),
    mib(c.memory.afterGc?.heapUsed),
  ]);
  console.log(`## Soak — ${peer.name}, ${last.requests.toLocaleString("en")} real-page requests\n`);
  console.log(`node ${process.version}, ${env.cpu} x${env.cores}, ${connections} connections, ${pin ? "server on core 0, load on core 1" : "not pinned"}, at ${env.git}\n`);
  console.log(
    markdownTable(
      ["requests", "req/s", "p99 ms", "RSS MiB", "heap total", "heap used", "external", "RSS after GC", "heap used after GC"],
      rows,
      ["l", "r", "r", "r", "r", "r", "r", "r", "r"],
    ),
  );
  console.log("");
  console.log(
    `RSS after ${last.requests.toLocaleString("en")} ÷ RSS after ${base.requests.toLocaleString("en")}: ${rssRatio.toFixed(3)} ` +
      `(${rssRatio <= RSS_TARGET ? "✓ within" : "✗ above"} the ${Math.round((RSS_TARGET - 1) * 100)}% target); ` +
      `heap used after GC: ${Number.isFinite(heapRatio) ? heapRatio.toFixed(3) : "—"} (${formatRatio(heapRatio)}).`,
  );

  if (!flags.has("no-json")) {
    const dir = fileURLToPath(new URL("../results/", import.meta.url));
    mkdirSync(dir, { recursive: true });
    const file = `${dir}soak-${stamp(started)}.json`;
    const json = {
      benchmark: "soak",
      date: started.toISOString(),
      durationSeconds: (Date.now() - started.getTime()) / 1000,
      environment: { ...env, pinned: pin },
      options: { requests: total, first, every, connections, peer: peer.id },
      peer: { id: peer.id, name: peer.name, versions: peer.versions() },
      checkpoints,
      rssRatio,
      heapUsedAfterGcRatio: Number.isFinite(heapRatio) ? heapRatio : null,
      target: RSS_TARGET,
      met: rssRatio <= RSS_TARGET,
    };
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    progress(`\nwrote ${relative(process.cwd(), file)} (${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)`);
  }
}

main().catch(async (error: unknown) => {
  console.error(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await stopAll();
  process.exit(1);
});
