/** Command-line flags (`--name value` or `--name=value`) and the run's environment, shared by the suite and soak mode. */
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { pkgVersion } from "../router/routers/util.js";

/** `--name value` / `--name=value` / `--flag` into a map; exits with `usage` on anything else. */
export function parseFlags(argv: readonly string[], known: Record<string, "value" | "switch">, usage: string): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const kind = name.startsWith("--") ? known[name.slice(2)] : undefined;
    if (kind === undefined) fail(`unknown argument ${JSON.stringify(arg)}`, usage);
    if (kind === "switch") {
      flags.set(name.slice(2), "true");
      continue;
    }
    const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "") fail(`${name} needs a value`, usage);
    flags.set(name.slice(2), value);
  }
  return flags;
}

/** A positive number flag, or `fallback`. */
export function numberFlag(flags: Map<string, string>, name: string, fallback: number, usage: string): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/_/g, ""));
  if (!Number.isFinite(value) || value <= 0) fail(`--${name} must be a positive number, got ${JSON.stringify(raw)}`, usage);
  return value;
}

/** A comma-separated list flag, lower-cased; undefined when absent. */
export function listFlag(flags: Map<string, string>, name: string): string[] | undefined {
  const raw = flags.get(name);
  return raw === undefined ? undefined : raw.toLowerCase().split(",").map((s) => s.trim()).filter(Boolean);
}

function fail(message: string, usage: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

/** Where and on what a run happened, for the report header and the JSON. */
export function environment(): Record<string, unknown> {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? "?",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    autocannon: pkgVersion("autocannon"),
    git: gitState(),
  };
}

/** The commit and whether the work tree differs from it (Flagon is measured from its sources). */
function gitState(): string {
  try {
    const rev = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "packages"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${rev} + uncommitted changes in packages/` : rev;
  } catch {
    return "?";
  }
}

/** A progress line on stderr (a plain line, so it shows in logs too). */
export function progress(text: string): void {
  console.error(text);
}

export function stamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, "-");
}
