/**
 * Correctness checks run before any timing: a router that answers a case wrongly is
 * not benchmarked (the run aborts), and one that misroutes part of the full table is
 * reported.
 */
import { buildCase, matchCases, type MatchCase } from "./cases.js";
import { describeError } from "./routers/index.js";
import { handlerName, paramNames, type Route } from "./routes.js";
import type { MatchResult, RouterAdapter } from "./types.js";

/** Methods some routers add on their own (Werkzeug adds HEAD to GET rules); ignored in `allow`. */
const IMPLICIT_METHODS = new Set(["HEAD", "OPTIONS"]);

function show(result: MatchResult | undefined): string {
  if (result === undefined) return "undefined";
  if (result.status === 200) return `200 ${result.handler} ${JSON.stringify({ ...result.params })}`;
  if (result.status === 405) return `405 allow=${JSON.stringify(result.allow ?? null)}`;
  return "404";
}

function sameParams(actual: Readonly<Record<string, unknown>>, expected: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(actual);
  if (keys.length !== Object.keys(expected).length) return false;
  return keys.every((key) => Object.hasOwn(expected, key) && actual[key] === expected[key]);
}

/** Why `actual` is not `expected`, or undefined when it is. */
export function mismatch(actual: MatchResult, expected: MatchResult, supports405: boolean): string | undefined {
  // A router without 405 semantics must answer the wrong-method case as a plain miss.
  const want: MatchResult = expected.status === 405 && !supports405 ? { status: 404 } : expected;
  if (actual?.status !== want.status) return `expected ${show(want)}, got ${show(actual)}`;
  if (actual.status === 200 && want.status === 200) {
    if (actual.handler !== want.handler) return `expected handler ${want.handler}, got ${actual.handler}`;
    if (!sameParams(actual.params, want.params)) {
      return `expected params ${JSON.stringify(want.params)}, got ${JSON.stringify({ ...actual.params })}`;
    }
  }
  if (actual.status === 405 && want.status === 405 && want.allow !== undefined && actual.allow !== undefined) {
    const got = [...new Set(actual.allow.filter((m) => !IMPLICIT_METHODS.has(m)))].sort();
    if (got.join(",") !== [...want.allow].sort().join(",")) {
      return `expected allow ${JSON.stringify(want.allow)}, got ${JSON.stringify(actual.allow)}`;
    }
  }
  return undefined;
}

function tryMatch(adapter: RouterAdapter, method: string, path: string): MatchResult | string {
  try {
    return adapter.match(method, path);
  } catch (error) {
    return `threw ${describeError(error)}`;
  }
}

/** Check every benchmark case (and URL building where the router has it); returns the failures. */
export function checkCases(adapter: RouterAdapter, cases: readonly MatchCase[] = matchCases): string[] {
  const failures: string[] = [];
  for (const c of cases) {
    const result = tryMatch(adapter, c.method, c.path);
    const problem = typeof result === "string" ? result : mismatch(result, c.expect, adapter.supports405);
    if (problem !== undefined) failures.push(`${c.id} (${c.method} ${c.path}): ${problem}`);
  }
  if (adapter.build) {
    try {
      const url = adapter.build(buildCase.handler, buildCase.params);
      if (url !== buildCase.expect) failures.push(`build: expected ${buildCase.expect}, got ${url}`);
    } catch (error) {
      failures.push(`build: threw ${describeError(error)}`);
    }
  }
  return failures;
}

/** A concrete request path for a route: every `:name` filled with a value no static segment uses. */
export function samplePath(route: Route): { path: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  for (const name of paramNames(route.path)) params[name] = `${name.replace(/_/g, "-")}-1`;
  const path = route.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => params[name]!);
  return { path, params };
}

/**
 * Request every route of the table with a sample path and its own method, and check the
 * router answers with that route and its params. Returns the failures (all of them);
 * routes the adapter refused to register are left out.
 */
export function checkTable(adapter: RouterAdapter, routes: readonly Route[]): string[] {
  const failures: string[] = [];
  const rejected = new Set(adapter.rejected?.map((r) => r.slice(0, r.indexOf(": "))));
  for (const route of routes) {
    if (rejected.has(handlerName(route))) continue; // reported on its own
    const { path, params } = samplePath(route);
    const expected: MatchResult = { status: 200, handler: handlerName(route), params };
    const result = tryMatch(adapter, route.method, path);
    const problem = typeof result === "string" ? result : mismatch(result, expected, adapter.supports405);
    if (problem !== undefined) failures.push(`${route.method} ${path}: ${problem}`);
  }
  return failures;
}
