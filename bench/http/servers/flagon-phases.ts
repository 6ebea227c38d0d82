/**
 * The benchmark's Flagon app with a timer around each phase of a request, for
 * `npm run bench:phases`. The timers run inside the server under socket load, where
 * costs differ from a tight in-process loop: between two requests the kernel's network
 * path evicts the caches, so every distinct piece of code a request touches costs more
 * than a micro-benchmark says. Never part of the timed comparison.
 *
 * Phases nest (the session's `openSession` runs inside `dispatchRequest`); each figure
 * is inclusive. Asked over IPC with "phases", the server answers with the totals since
 * the last question and starts counting again.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Response } from "@flagon/werk";
import nunjucks from "nunjucks";
import { listenPort } from "../app-spec.js";
import { app } from "./flagon-app.js";

/** One phase's totals, as sent over IPC. */
export interface PhaseTotal {
  name: string;
  calls: number;
  ns: number;
}

/** The answer to "phases". */
export interface PhasesReport {
  type: "phases";
  requests: number;
  phases: PhaseTotal[];
}

// In the order they are declared, which is the order of the report.
const totals: PhaseTotal[] = [];
let requests = 0;

function phase(name: string): PhaseTotal {
  const total: PhaseTotal = { name, calls: 0, ns: 0 };
  totals.push(total);
  return total;
}

function record(total: PhaseTotal, started: bigint): void {
  total.calls++;
  total.ns += Number(process.hrtime.bigint() - started);
}

/** Replace `owner[method]` by the same function inside a timer named `name`. */
function time(owner: object, method: string, name: string): void {
  const target = owner as Record<string, unknown>;
  const original = target[method];
  if (typeof original !== "function") throw new Error(`${name}: ${method} is not a function`);
  const total = phase(name);
  target[method] = function timed(this: unknown, ...args: unknown[]): unknown {
    const started = process.hrtime.bigint();
    try {
      return original.apply(this, args);
    } finally {
      record(total, started);
    }
  };
}

const sessions = app.sessionInterface as unknown as {
  signer: { keyRing: object; serializer: object };
};
const whole = phase("request, synchronous part (all of it for a sync view)");
time(app, "createUrlAdapter", "context: bind the URL adapter");
time(app, "preprocessRequest", "preprocess: match the route, beforeRequest");
time(app, "dispatchRequest", "dispatch: the view (session open, template)");
time(app.sessionInterface, "openSession", "  session: open");
time(sessions.signer.keyRing, "unsign", "    verify the signature");
time(sessions.signer.serializer, "loads", "    parse tagged JSON");
time(nunjucks.Template.prototype, "render", "  template: render");
time(app, "finalizeRequest", "finalize: make the response, afterRequest, save");
time(app.sessionInterface, "saveSession", "  session: save");
time(sessions.signer.serializer, "dumps", "    write tagged JSON");
time(sessions.signer.keyRing, "sign", "    sign");
time(app.sessionInterface, "writeCookie", "    Set-Cookie header");
time(Response.prototype, "writeSync", "write: headers and body to the socket");

function listener(req: IncomingMessage, res: ServerResponse): void {
  requests++;
  const started = process.hrtime.bigint();
  void app.listener(req, res);
  record(whole, started);
}

process.on("message", (message: unknown) => {
  if (message !== "phases") return;
  const report: PhasesReport = { type: "phases", requests, phases: totals.filter((t) => t.calls > 0).map((t) => ({ ...t })) };
  for (const total of totals) total.calls = total.ns = 0;
  requests = 0;
  process.send?.(report);
});

createServer(listener).listen(listenPort(), "127.0.0.1");
