/** The interface every router adapter implements, so that one case file drives them all. */

/** What a router answered, normalised by its adapter. */
export type MatchResult =
  | { status: 200; handler: string; params: Readonly<Record<string, string>> }
  | { status: 404 }
  | { status: 405; allow?: readonly string[] };

/** Shared results for the answers that carry nothing (so adapters allocate nothing on a miss). */
export const NOT_FOUND: MatchResult = Object.freeze({ status: 404 });
export const METHOD_NOT_ALLOWED: MatchResult = Object.freeze({ status: 405 });
export const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

export interface RouterAdapter {
  /** Column name in the results table. */
  readonly name: string;
  /** Package and version measured, for the JSON output. */
  readonly version: string;
  /** Whether the router itself tells "path exists, wrong method" (405) from "no such path" (404). */
  readonly supports405: boolean;
  /**
   * Routes the router refused (`"GET /gists/:gist_id: reason"`); the adapter skips them
   * and the report says so. Empty or absent for routers that take the whole table.
   */
  readonly rejected?: readonly string[];
  /** Register `handler` (the endpoint name) for `method` and the neutral `path` (`/users/:username`). */
  add(method: string, path: string, handler: string): void;
  /** Called once after the last `add` (compile, bind, ...). */
  finish?(): void;
  /** Look up `method path`; params are the values the router extracted. */
  match(method: string, path: string): MatchResult;
  /** URL building, for routers that have it: the path of `handler` with `params` filled in. */
  build?(handler: string, params: Readonly<Record<string, string>>): string;
}

/** An adapter module's default export: makes a fresh, empty router. */
export type AdapterFactory = () => RouterAdapter | Promise<RouterAdapter>;
