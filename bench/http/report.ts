/** The HTTP suite's Markdown report: one table per scenario, a summary, and the targets. */
import { formatOps, formatRatio, markdownTable } from "../router/format.js";
import type { LoadResult } from "./load.js";
import type { PeerSpec } from "./peers.js";
import type { Scenario, ScenarioId } from "./scenarios.js";

/** One timed run of one scenario on one peer (one round). */
export interface Measurement {
  load: LoadResult;
  /** CPU the server used during the timed run, as a fraction of one core; null without /proc. */
  serverCpu: number | null;
  /**
   * CPU that other processes of the machine used meanwhile (all cores, less the server and
   * the load generator), as a fraction of one core; null without /proc.
   */
  otherCpu: number | null;
  /** What looked wrong in the run (errors, unexpected statuses); empty when clean. */
  problems: string[];
}

/**
 * One scenario on one peer: the round with the median req/s (its figures as measured),
 * with every round's req/s beside it. Its problems are those of every round, the other
 * rounds' marked with their number.
 */
export interface Cell extends Measurement {
  /** req/s of each round, in the order they ran. */
  rounds: number[];
  /** Which round (1-based) the figures are from. */
  round: number;
}

/**
 * The cell of a peer and scenario from its rounds (in the order they ran): the round with
 * the median req/s — with an even count, the lower of the two middle ones.
 */
export function medianCell(rounds: readonly Measurement[]): Cell {
  if (rounds.length === 0) throw new Error("medianCell: no rounds");
  const byRps = rounds.map((_, i) => i).sort((a, b) => rounds[a]!.load.rps - rounds[b]!.load.rps);
  const chosen = byRps[Math.floor((rounds.length - 1) / 2)]!;
  const problems = rounds.flatMap((m, i) => (i === chosen ? m.problems : m.problems.map((p) => `round ${i + 1}: ${p}`)));
  return { ...rounds[chosen]!, problems, rounds: rounds.map((m) => m.load.rps), round: chosen + 1 };
}

/** "38.1k–41.0k (7%)": the lowest and highest round and their gap as a share of the median. */
export function roundsSpread(cell: Cell): string {
  if (cell.rounds.length < 2) return "—";
  const low = Math.min(...cell.rounds);
  const high = Math.max(...cell.rounds);
  return `${formatOps(low)}–${formatOps(high)} (${Math.round(((high - low) / cell.load.rps) * 100)}%)`;
}

/** One peer's part of the run. */
export interface PeerRun {
  peer: PeerSpec;
  versions: string;
  /** ran; skipped (not installed); aborted (wrong answer); failed (crashed, did not start). */
  status: "ran" | "skipped" | "aborted" | "failed";
  reason?: string;
  startupMs?: number;
  warmup?: LoadResult;
  cells: Partial<Record<ScenarioId, Cell>>;
}

const RAW = "node-http";
const FASTIFY = "fastify";

/** Above this share of its core, the load generator may be what limits a figure. */
export const CLIENT_BOUND = 0.9;
/** Above this much CPU used by other processes, a figure was taken on a busy machine. */
export const BUSY_MACHINE = 0.1;

/**
 * Whether autocannon's latencies agree with its throughput (Little's law: connections
 * busy = mean latency × req/s, at most the connections open). They do not for a server
 * that closes every connection (gunicorn's sync workers): autocannon's clock then runs
 * across its reconnects, and the latency it reports is not the server's.
 */
export function hasConsistentLatency(load: LoadResult): boolean {
  return (load.latencyMs.average / 1000) * load.rps <= load.connections * 1.25;
}

const ms = (value: number): string => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const percent = (value: number | null): string => (value === null ? "—" : `${Math.max(0, Math.round(value * 100))}%`);

/**
 * The table of one scenario: a row per peer, the figures of its median round and their
 * ratios to node:http's and Fastify's, and (with more than one round) the range of its
 * rounds' req/s.
 */
export function scenarioTable(scenario: Scenario, runs: readonly PeerRun[]): string {
  const raw = runs.find((r) => r.peer.id === RAW)?.cells[scenario.id];
  const fastify = runs.find((r) => r.peer.id === FASTIFY)?.cells[scenario.id];
  const showRounds = runs.some((r) => (r.cells[scenario.id]?.rounds.length ?? 0) > 1);
  const rows = runs.map((run) => {
    const cell = run.cells[scenario.id];
    if (cell === undefined) return [run.peer.name, run.status === "ran" ? "—" : "n/a", ...(showRounds ? [""] : []), "", "", "", "", "", "", "", "", ""];
    const { rps, latencyMs } = cell.load;
    const p99 = hasConsistentLatency(cell.load) ? latencyMs.p99 : NaN;
    const p99Ratio = (other: Cell | undefined): string =>
      other && Number.isFinite(p99) && hasConsistentLatency(other.load) ? formatRatio(p99 / other.load.latencyMs.p99) : "—";
    const notes = Number.isFinite(p99) ? cell.problems : [...cell.problems, "latency not measurable (†)"];
    return [
      run.peer.name,
      formatOps(rps),
      ...(showRounds ? [roundsSpread(cell)] : []),
      raw ? formatRatio(rps / raw.load.rps) : "—",
      fastify ? formatRatio(rps / fastify.load.rps) : "—",
      Number.isFinite(p99) ? ms(p99) : "†",
      p99Ratio(raw),
      p99Ratio(fastify),
      percent(cell.serverCpu),
      `${percent(cell.load.clientCpu)}${cell.load.clientCpu > CLIENT_BOUND ? " ⚠" : ""}`,
      `${percent(cell.otherCpu)}${cell.otherCpu !== null && cell.otherCpu > BUSY_MACHINE ? " ⚠" : ""}`,
      notes.join("; "),
    ];
  });
  const header = ["peer", "req/s", ...(showRounds ? ["rounds min–max (gap)"] : []), "÷ node:http", "÷ Fastify", "p99 ms", "p99 ÷ node:http", "p99 ÷ Fastify", "server CPU", "client CPU", "other CPU", "notes"];
  const align: Array<"l" | "r"> = ["l", "r", ...(showRounds ? ["r" as const] : []), "r", "r", "r", "r", "r", "r", "r", "r", "l"];
  return markdownTable(header, rows, align);
}

/** Requests per second of every peer in every scenario, side by side. */
export function summaryTable(scenarios: readonly Scenario[], runs: readonly PeerRun[]): string {
  const rows = runs.map((run) => [
    run.peer.name,
    ...scenarios.map((s) => {
      const cell = run.cells[s.id];
      return cell ? formatOps(cell.load.rps) : run.status === "ran" ? "—" : "n/a";
    }),
  ]);
  return markdownTable(["req/s", ...scenarios.map((s) => s.id)], rows, ["l", ...scenarios.map(() => "r" as const)]);
}

/** One of the targets for Flagon, checked against this run. */
export interface TargetCheck {
  target: string;
  /** null when a figure it needs was not measured in this run. */
  met: boolean | null;
  detail: string;
}

/** The targets of issue 10, as far as this run measured them. */
export function checkTargets(runs: readonly PeerRun[]): TargetCheck[] {
  const rps = (peerId: string, scenario: ScenarioId): number | undefined => runs.find((r) => r.peer.id === peerId)?.cells[scenario]?.load.rps;
  const checks: TargetCheck[] = [];
  const compare = (target: string, scenario: ScenarioId, otherId: string, factor: number, strict: boolean): void => {
    const flagon = rps("flagon", scenario);
    const other = rps(otherId, scenario);
    const otherName = runs.find((r) => r.peer.id === otherId)?.peer.name ?? otherId;
    if (flagon === undefined || other === undefined) {
      checks.push({ target, met: null, detail: `not measured (${flagon === undefined ? "Flagon" : otherName} has no ${scenario} figure)` });
      return;
    }
    const ratio = flagon / other;
    checks.push({ target, met: strict ? ratio > factor : ratio >= factor, detail: `${formatOps(flagon)} vs ${otherName} ${formatOps(other)}: ${formatRatio(ratio)}` });
  };
  for (const s of ["text", "json"] as const) {
    compare(`${s}: ≥ 0.85× node:http`, s, RAW, 0.85, false);
    compare(`${s}: above Fastify`, s, FASTIFY, 1, true);
  }
  for (const s of ["table", "404"] as const) compare(`${s}: above Fastify`, s, FASTIFY, 1, true);
  for (const id of ["fastify", "express", "hono", "koa", "nestjs"]) compare(`page: above ${runs.find((r) => r.peer.id === id)?.peer.name ?? id}`, "page", id, 1, true);
  compare("page: ≥ 5× Flask on gunicorn, 2 workers", "page", "flask-2w", 5, false);
  return checks;
}

export function targetsList(checks: readonly TargetCheck[]): string {
  return checks.map((c) => `- ${c.met === null ? "·" : c.met ? "✓" : "✗"} ${c.target} — ${c.detail}`).join("\n");
}
