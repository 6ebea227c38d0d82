/**
 * The servers of the HTTP benchmark, in the order of the report: how to start each one
 * on a port, what versions it measures, and why it cannot run here (Flask without
 * Debian's python3-flask and gunicorn).
 */
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { pkgVersion } from "../router/routers/util.js";
import { flaskSpec } from "./app-spec.js";
import { freePort, startProcess, stopProcess, waitForHttp, type Child } from "./processes.js";

/** How long a server may take to answer its first request. */
const STARTUP_TIMEOUT_MS = 60_000;

export interface PeerCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface PeerSpec {
  /** Matched by --only (case-insensitive substrings of id or name). */
  id: string;
  /** Row label. */
  name: string;
  kind: "node" | "flask";
  /** What is measured, with versions. */
  versions(): string;
  /** Why the peer cannot run here, or null. */
  unavailable(): string | null;
  /** The command serving on 127.0.0.1:`port`; `gc` adds --expose-gc (soak mode). */
  command(port: number, opts?: { gc?: boolean }): PeerCommand;
}

const SERVERS = fileURLToPath(new URL("./servers/", import.meta.url));

/**
 * Every Node server runs the same way: its file through tsx, the frameworks as the
 * JavaScript their packages ship — Flagon's `dist/`, built by the npm script first.
 */
function nodePeer(id: string, name: string, file: string, packages: readonly string[]): PeerSpec {
  return {
    id,
    name,
    kind: "node",
    versions: () => [`node ${process.version}`, ...packages.map(pkgVersion)].join(", "),
    unavailable: () => null,
    command: (port, opts) => ({
      command: process.execPath,
      args: [...(opts?.gc ? ["--expose-gc"] : []), "--import", "tsx", `${SERVERS}${file}`],
      env: { ...process.env, PORT: String(port), NODE_ENV: "production" },
    }),
  };
}

interface Python {
  executable: string;
  versions: string;
}

let python: Python | null | undefined;

/**
 * The first Python that imports flask and gunicorn: Debian's /usr/bin/python3 (apt's
 * python3-flask and gunicorn) first, then whatever `python3` is on PATH.
 */
export function findFlaskPython(): Python | null {
  if (python !== undefined) return python;
  python = null;
  for (const executable of ["/usr/bin/python3", "python3"]) {
    const probe = spawnSync(
      executable,
      ["-c", "import sys, flask, gunicorn, jinja2; from importlib.metadata import version as v; print(f\"python {sys.version.split()[0]} ({sys.executable}), flask {v('flask')}, gunicorn {v('gunicorn')}, jinja2 {v('jinja2')}, werkzeug {v('werkzeug')}\")"],
      { encoding: "utf8", timeout: 10_000 },
    );
    if (probe.status === 0) {
      python = { executable, versions: probe.stdout.trim() };
      break;
    }
  }
  return python;
}

function flaskPeer(workers: number): PeerSpec {
  return {
    id: `flask-${workers}w`,
    name: `Flask (gunicorn ${workers}w)`,
    kind: "flask",
    versions: () => `${findFlaskPython()?.versions ?? "not installed"}, ${workers} sync worker${workers > 1 ? "s" : ""}`,
    unavailable: () =>
      findFlaskPython() === null
        ? "no Python with flask and gunicorn (install Debian's: apt-get install -y python3-flask gunicorn)"
        : null,
    command: (port) => ({
      command: findFlaskPython()!.executable,
      args: [
        "-m", "gunicorn",
        "--workers", String(workers),
        "--worker-class", "sync",
        "--bind", `127.0.0.1:${port}`,
        "--graceful-timeout", "2",
        "--log-level", "warning",
        "flask_app:app",
      ],
      env: { ...process.env, BENCH_SPEC: flaskSpec(), PYTHONDONTWRITEBYTECODE: "1" },
      cwd: SERVERS,
    }),
  };
}

export const PEERS: readonly PeerSpec[] = [
  nodePeer("node-http", "node:http", "raw.ts", ["rou3", "nunjucks"]),
  nodePeer("flagon", "Flagon", "flagon.ts", ["flagon", "@flagon/werk", "nunjucks"]),
  nodePeer("fastify", "Fastify", "fastify.ts", ["fastify", "@fastify/secure-session", "@fastify/view", "nunjucks"]),
  nodePeer("express", "Express", "express.ts", ["express", "cookie-session", "nunjucks"]),
  nodePeer("hono", "Hono", "hono.ts", ["hono", "@hono/node-server", "nunjucks"]),
  nodePeer("koa", "Koa", "koa.ts", ["koa", "@koa/router", "koa-session", "nunjucks"]),
  nodePeer("nestjs", "NestJS", "nest.ts", ["@nestjs/core", "@nestjs/platform-express", "express", "cookie-session", "nunjucks"]),
  flaskPeer(1),
  flaskPeer(2),
];

/** The peers `--only` selects (all when absent). */
export function selectPeers(only: readonly string[] | undefined): PeerSpec[] {
  if (only === undefined) return [...PEERS];
  return PEERS.filter((p) => only.some((o) => p.id.includes(o) || p.name.toLowerCase().includes(o)));
}

/** Start a peer's server on a free port (pinned to `core`) and wait for its first answer. */
export async function startPeer(
  peer: PeerSpec,
  core: number | null,
  opts: { gc?: boolean; ipc?: boolean } = {},
): Promise<{ child: Child; port: number; startupMs: number }> {
  const port = await freePort();
  const { command, args, env, cwd } = peer.command(port, { gc: opts.gc });
  const started = performance.now();
  const child = startProcess(peer.name, command, args, { env, cwd, core, ipc: opts.ipc });
  try {
    await waitForHttp(port, "/", child, STARTUP_TIMEOUT_MS);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return { child, port, startupMs: performance.now() - started };
}
