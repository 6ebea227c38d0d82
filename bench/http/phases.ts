/**
 * Where Flagon's time goes under socket load: each scenario is sent to
 * `servers/flagon-phases.ts`, the benchmark's Flagon app with a timer around each phase
 * of a request, and the µs per request of every phase is printed.
 *
 *   npm run bench:phases                         # every scenario, 40,000 requests each
 *   npm run bench:phases -- --only page --requests 100000
 *
 * A diagnostic, not a comparison: the timers add ~0.1 µs per phase. It exists because
 * an in-process loop (fake request and response, no sockets) runs with warm caches and
 * understates what each piece of code costs in a real server — several times over for
 * the first JSON.parse or HMAC of a request.
 */
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { markdownTable } from "../router/format.js";
import { environment, listFlag, numberFlag, parseFlags, progress } from "./cli.js";
import { LoadGenerator } from "./load.js";
import { askOverIpc, canPin, freePort, installCleanup, startProcess, stopAll, stopProcess, waitForHttp } from "./processes.js";
import { SCENARIOS } from "./scenarios.js";
import type { PhasesReport } from "./servers/flagon-phases.js";

const USAGE = "usage: npm run bench:phases -- [--only scenario,...] [--requests N] [--connections N] [--no-pin]";
const SERVER = fileURLToPath(new URL("./servers/flagon-phases.ts", import.meta.url));

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { only: "value", requests: "value", connections: "value", "no-pin": "switch" }, USAGE);
  const amount = Math.round(numberFlag(flags, "requests", 40_000, USAGE));
  const connections = Math.round(numberFlag(flags, "connections", 50, USAGE));
  const only = listFlag(flags, "only");
  const scenarios = SCENARIOS.filter((s) => only === undefined || only.includes(s.id));
  if (scenarios.length === 0) {
    console.error(`--only names no scenario (${SCENARIOS.map((s) => s.id).join(", ")}).\n${USAGE}`);
    process.exit(2);
  }
  installCleanup();
  const pin = !flags.has("no-pin") && canPin(cpus().length);
  const port = await freePort();
  const child = startProcess("Flagon (phases)", process.execPath, ["--import", "tsx", SERVER], {
    env: { ...process.env, PORT: String(port), NODE_ENV: "production" },
    core: pin ? 0 : null,
    ipc: true,
  });
  const load = LoadGenerator.start(pin ? 1 : null);
  const env = environment();
  console.log(`## Flagon's phases under load\n`);
  console.log(`node ${process.version}, ${env.cpu} x${env.cores}, ${connections} connections, ${amount.toLocaleString("en")} requests per scenario after as many to warm up, ${pin ? "server on core 0, load on core 1" : "not pinned"}, at ${env.git}\n`);
  try {
    await waitForHttp(port, "/", child, 60_000);
    for (const scenario of scenarios) {
      const requests = await scenario.prepare(port);
      progress(`# ${scenario.id}`);
      await load.run({ port, connections, requests, amount });
      await askOverIpc<PhasesReport>(child, "phases");
      const result = await load.run({ port, connections, requests, amount });
      const report = await askOverIpc<PhasesReport>(child, "phases");
      const rows = report.phases.map((p) => [
        p.name.replace(/^ +/, (indent) => "\u00a0".repeat(indent.length * 2)),
        (p.calls / report.requests).toFixed(2),
        (p.ns / p.calls / 1000).toFixed(2),
        (p.ns / report.requests / 1000).toFixed(2),
      ]);
      console.log(`### ${scenario.label} — ${Math.round(result.rps).toLocaleString("en")} req/s with the timers\n`);
      console.log(markdownTable(["phase", "calls per request", "µs per call", "µs per request"], rows, ["l", "r", "r", "r"]));
      console.log("");
    }
  } finally {
    await stopProcess(child);
    await load.stop();
    await stopAll();
  }
}

main().catch(async (error: unknown) => {
  console.error(`phases failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await stopAll();
  process.exit(1);
});
