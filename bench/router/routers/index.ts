/** Every router adapter, in table-column order. Flagon loads dynamically and may be skipped. */
import type { AdapterFactory, RouterAdapter } from "../types.js";
import findMyWay from "./find-my-way.js";
import { createRegExpRouter, createTrieRouter } from "./hono.js";
import memoirist from "./memoirist.js";
import pathToRegexp from "./path-to-regexp.js";
import rou3 from "./rou3.js";

export interface RouterSpec {
  name: string;
  create: AdapterFactory;
}

export const routerSpecs: readonly RouterSpec[] = [
  { name: "Flagon", create: async () => (await import("./flagon.js")).default() },
  { name: "Flagon match()", create: async () => (await import("./flagon.js")).createThrowing() },
  { name: "find-my-way", create: findMyWay },
  { name: "rou3", create: rou3 },
  { name: "memoirist", create: memoirist },
  { name: "hono RegExpRouter", create: createRegExpRouter },
  { name: "hono TrieRouter", create: createTrieRouter },
  { name: "path-to-regexp scan", create: pathToRegexp },
];

export interface LoadedRouters {
  adapters: RouterAdapter[];
  /** Routers that could not be created or could not take the route table, with the reason. */
  skipped: Array<{ name: string; reason: string }>;
}

/** Create every router and register `routes` on it. */
export async function loadRouters(
  routes: ReadonlyArray<{ method: string; path: string; handler: string }>,
  only?: (name: string) => boolean,
): Promise<LoadedRouters> {
  const adapters: RouterAdapter[] = [];
  const skipped: LoadedRouters["skipped"] = [];
  for (const spec of routerSpecs) {
    if (only && !only(spec.name)) continue;
    let stage = "load";
    try {
      const adapter = await spec.create();
      stage = "register routes";
      for (const route of routes) adapter.add(route.method, route.path, route.handler);
      stage = "finish";
      adapter.finish?.();
      adapters.push(adapter);
    } catch (error) {
      skipped.push({ name: spec.name, reason: `${stage}: ${describeError(error)}` });
    }
  }
  return { adapters, skipped };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split("\n")[0]}`;
  return String(error);
}
