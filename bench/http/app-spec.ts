/**
 * What every server of the HTTP benchmark serves, byte for byte where it can: the
 * fixed answers, the route table, the session secret and the page's data. The Node
 * servers import it; the Flask server gets the same data as JSON (`flaskSpec`) in its
 * environment, so there is one source of truth.
 */
import { fileURLToPath } from "node:url";
import nunjucks from "nunjucks";
import { paramNames, routes, type Method } from "../router/routes.js";

export const HELLO = "Hello, World!";
export const HELLO_JSON = Object.freeze({ message: "Hello, World!" });

/** Signs (or encrypts) every peer's session cookie; 32+ bytes for @fastify/secure-session. */
export const SECRET = "flagon-bench: not a secret, 32+ bytes long";
/** @fastify/secure-session derives its key from SECRET with this salt (16 bytes). */
export const SESSION_SALT = "flagon-bench-slt";
/** The session cookie's name in every peer (Flask's default). */
export const SESSION_COOKIE = "session";

/** Folder of `page.html`, one template read by Nunjucks in Node and by Jinja in Flask. */
export const TEMPLATES_DIR = fileURLToPath(new URL("./templates/", import.meta.url));
export const PAGE_TEMPLATE = "page.html";

/** A bare autoescaping Nunjucks environment over TEMPLATES_DIR, for peers without a template plugin. */
export function pageTemplates(): nunjucks.Environment {
  return new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES_DIR), { autoescape: true });
}

export interface PageItem {
  name: string;
  price: string;
}

/**
 * Rendered by the page's loop. Quotes are avoided on purpose: Jinja escapes `"` as
 * `&#34;` and Nunjucks as `&quot;`; `&` and `<` escape the same in both.
 */
export const PAGE_ITEMS: readonly PageItem[] = Object.freeze([
  { name: "Earl Grey", price: "3.50" },
  { name: "Fish & Chips", price: "9.90" },
  { name: "Scone <jam first>", price: "2.80" },
  { name: "Sticky toffee pudding", price: "5.20" },
  { name: "Cornish pasty", price: "4.75" },
  { name: "Ploughman's lunch", price: "8.40" },
  { name: "Bakewell tart", price: "3.10" },
  { name: "Welsh rarebit", price: "6.30" },
  { name: "Eton mess", price: "4.90" },
  { name: "Ginger beer", price: "2.60" },
]);
export const PAGE_TITLE = "Flagon benchmark";

/** The template's variables for a session counter of `count`. */
export function pageContext(count: number): { title: string; count: number; items: readonly PageItem[] } {
  return { title: PAGE_TITLE, count, items: PAGE_ITEMS };
}

/** One route of the ~300-route table, in every syntax the peers need. */
export interface TableRoute {
  method: Method;
  /** `/repos/:owner/:repo`: Express, Koa, Fastify, Hono, NestJS, rou3. */
  path: string;
  /** `/repos/<owner>/<repo>`: Flask and Flagon. */
  flaskPath: string;
  /** Param names in path order. */
  keys: readonly string[];
  /** `"GET /repos/:owner/:repo"`: the start of the route's answer. */
  name: string;
}

/**
 * The router benchmark's table, less `GET /` (the plain-text scenario's route, which
 * every app registers first).
 */
export const TABLE_ROUTES: readonly TableRoute[] = routes
  .filter((r) => !(r.method === "GET" && r.path === "/"))
  .map((r) => ({
    method: r.method,
    path: r.path,
    flaskPath: r.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "<$1>"),
    keys: paramNames(r.path),
    name: `${r.method} ${r.path}`,
  }));

/** A table route's answer: its name, then the values of its params in path order. */
export function tableBody(name: string, values: readonly string[]): string {
  return values.length === 0 ? name : `${name} ${values.join(" ")}`;
}

/** [route path, its values]: the 20 parametric URLs requested round-robin. */
const TABLE_HITS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["/users/:username", ["octocat"]],
  ["/users/:username/repos", ["octocat"]],
  ["/orgs/:org/members/:username", ["github", "octocat"]],
  ["/orgs/:org/teams/:team_slug/repos/:owner/:repo", ["github", "justice-league", "octocat", "Hello-World"]],
  ["/gists/:gist_id", ["aa5a315d61ae9438b18d"]],
  ["/gists/:gist_id/comments/:comment_id", ["aa5a315d61ae9438b18d", "1"]],
  ["/repos/:owner/:repo", ["octocat", "Hello-World"]],
  ["/repos/:owner/:repo/contents/:path", ["octocat", "Hello-World", "README.md"]],
  ["/repos/:owner/:repo/branches/:branch/protection", ["octocat", "Hello-World", "main"]],
  ["/repos/:owner/:repo/issues/:issue_number", ["octocat", "Hello-World", "1347"]],
  ["/repos/:owner/:repo/issues/:issue_number/comments", ["octocat", "Hello-World", "1347"]],
  ["/repos/:owner/:repo/pulls/:pull_number/reviews/:review_id", ["octocat", "Hello-World", "1347", "80"]],
  ["/repos/:owner/:repo/commits/:ref/status", ["octocat", "Hello-World", "6dcb09b5b57875f334f61aebed695e2e4193db5e"]],
  ["/repos/:owner/:repo/compare/:basehead", ["octocat", "Hello-World", "main...topic"]],
  ["/repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt_number", ["octocat", "Hello-World", "30433642", "1"]],
  ["/repos/:owner/:repo/actions/workflows/:workflow_id/runs", ["octocat", "Hello-World", "161335"]],
  ["/repos/:owner/:repo/releases/tags/:tag", ["octocat", "Hello-World", "v1.0.0"]],
  ["/repos/:owner/:repo/releases/:release_id", ["octocat", "Hello-World", "1"]],
  ["/repos/:owner/:repo/git/commits/:commit_sha", ["octocat", "Hello-World", "7638417db6d59f3c431d3e1f261cc637155684cd"]],
  ["/repos/:owner/:repo/git/trees/:tree_sha", ["octocat", "Hello-World", "9fb037999f264ba9a7fc6274d15fa3ae2ab98312"]],
];

/** The table scenario's URLs (all GET) with the body each must answer. */
export const TABLE_URLS: ReadonlyArray<{ path: string; body: string }> = TABLE_HITS.map(([path, values]) => {
  let i = 0;
  const url = path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, () => values[i++]!);
  if (!TABLE_ROUTES.some((r) => r.method === "GET" && r.path === path)) {
    throw new Error(`bench/http/app-spec.ts: ${path} is not a GET route of bench/router/routes.ts; pick another URL.`);
  }
  return { path: url, body: tableBody(`GET ${path}`, values) };
});

/** Matches no route of the table (the router benchmark's miss case). */
export const MISSING_PATH = "/repos/octocat/Hello-World/wiki/Home";

/** The port a server listens on, from `PORT` (always 127.0.0.1). */
export function listenPort(): number {
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`Set PORT to the port to listen on (got ${JSON.stringify(process.env.PORT)}).`);
  return port;
}

/** The data the Flask server needs, as the JSON it reads from `BENCH_SPEC`. */
export function flaskSpec(): string {
  return JSON.stringify({
    hello: HELLO,
    json: HELLO_JSON,
    secret: SECRET,
    title: PAGE_TITLE,
    items: PAGE_ITEMS,
    templates: TEMPLATES_DIR,
    template: PAGE_TEMPLATE,
    cookie: SESSION_COOKIE,
    routes: TABLE_ROUTES.map((r) => ({ method: r.method, rule: r.flaskPath, keys: r.keys, name: r.name })),
  });
}
