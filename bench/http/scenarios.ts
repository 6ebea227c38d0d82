/**
 * The five scenarios. Each checks a freshly started server once — status and body, with
 * the answer every peer must give — and hands back the requests to time. A server that
 * answers anything else is not timed: `prepare` throws a `WrongAnswer` saying what
 * differed.
 */
import { isDeepStrictEqual } from "node:util";
import {
  HELLO,
  HELLO_JSON,
  MISSING_PATH,
  PAGE_TEMPLATE,
  SESSION_COOKIE,
  TABLE_URLS,
  pageContext,
  pageTemplates,
} from "./app-spec.js";
import type { LoadRequestSpec } from "./load.js";
import { httpGet, type HttpAnswer } from "./processes.js";

export type ScenarioId = "text" | "json" | "table" | "404" | "page";

export interface Scenario {
  id: ScenarioId;
  /** Heading of the scenario's table. */
  label: string;
  /** What every peer must answer, in one line (for the README-style notes). */
  expects: string;
  /** Check the server's answers once; the requests to time, sent round-robin. */
  prepare(port: number): Promise<LoadRequestSpec[]>;
}

/** A server answered a scenario's request differently from what every peer must answer. */
export class WrongAnswer extends Error {
  override name = "WrongAnswer";
}

const shown = (text: string, max = 160): string => JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);

/** Where two strings first differ, for the error message. */
function firstDifference(expected: string, got: string): string {
  let i = 0;
  while (i < expected.length && expected[i] === got[i]) i++;
  const from = Math.max(0, i - 30);
  return `first difference at character ${i}: expected ${shown(expected.slice(from, i + 50))}, got ${shown(got.slice(from, i + 50))}`;
}

function expectStatus(what: string, answer: HttpAnswer, status: number): void {
  if (answer.status !== status) {
    throw new WrongAnswer(`${what}: status ${answer.status}, expected ${status} (body ${shown(answer.body)})`);
  }
}

function expectBody(what: string, answer: HttpAnswer, body: string): void {
  if (answer.body !== body) {
    throw new WrongAnswer(`${what}: wrong body (${answer.body.length} characters, expected ${body.length}); ${firstDifference(body, answer.body)}`);
  }
}

function expectType(what: string, answer: HttpAnswer, pattern: RegExp): void {
  const type = String(answer.headers["content-type"] ?? "");
  if (!pattern.test(type)) throw new WrongAnswer(`${what}: Content-Type ${JSON.stringify(type)}, expected ${pattern}`);
}

/** `Set-Cookie` headers turned into the `Cookie` header a browser would send back. */
function cookieHeader(answer: HttpAnswer): string {
  const setCookie = answer.headers["set-cookie"];
  const list = Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie];
  return list.map((c) => c.split(";", 1)[0]!.trim()).join("; ");
}

const templates = pageTemplates();

/** The page every peer must render for a session counter of `count`. */
export function expectedPage(count: number): string {
  return templates.render(PAGE_TEMPLATE, pageContext(count));
}

const get = (path: string, headers?: Record<string, string>): LoadRequestSpec => ({ method: "GET", path, ...(headers ? { headers } : {}) });

export const SCENARIOS: readonly Scenario[] = [
  {
    id: "text",
    label: "plain text `GET /`",
    expects: `200, body "${HELLO}" (Content-Type text/plain or text/html, each framework's default for a string)`,
    async prepare(port) {
      const answer = await httpGet(port, "/");
      expectStatus("GET /", answer, 200);
      expectBody("GET /", answer, HELLO);
      expectType("GET /", answer, /^text\/(plain|html)\b/);
      return [get("/")];
    },
  },
  {
    id: "json",
    label: "JSON `GET /json`",
    expects: `200, application/json, a body that parses to ${JSON.stringify(HELLO_JSON)} (Flask adds a newline)`,
    async prepare(port) {
      const answer = await httpGet(port, "/json");
      expectStatus("GET /json", answer, 200);
      expectType("GET /json", answer, /^application\/json\b/);
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer.body);
      } catch {
        throw new WrongAnswer(`GET /json: body is not JSON: ${shown(answer.body)}`);
      }
      if (!isDeepStrictEqual(parsed, HELLO_JSON)) throw new WrongAnswer(`GET /json: body ${shown(answer.body)}, expected ${JSON.stringify(HELLO_JSON)}`);
      return [get("/json")];
    },
  },
  {
    id: "table",
    label: `route table (${TABLE_URLS.length} URLs round-robin)`,
    expects: `200 and "<route> <values>" for each of ${TABLE_URLS.length} parametric GET URLs of the ~300-route table`,
    async prepare(port) {
      for (const url of TABLE_URLS) {
        const answer = await httpGet(port, url.path);
        expectStatus(`GET ${url.path}`, answer, 200);
        expectBody(`GET ${url.path}`, answer, url.body);
      }
      return TABLE_URLS.map((url) => get(url.path));
    },
  },
  {
    id: "404",
    label: "404 `GET /repos/octocat/Hello-World/wiki/Home`",
    expects: "404 (the body is each framework's own not-found page, not compared)",
    async prepare(port) {
      const answer = await httpGet(port, MISSING_PATH);
      expectStatus(`GET ${MISSING_PATH}`, answer, 404);
      return [get(MISSING_PATH)];
    },
  },
  {
    id: "page",
    label: "real page (signed-cookie session + Nunjucks loop)",
    expects: "200, the page rendered for counter 2, a new session cookie (the client sends the counter-1 cookie)",
    async prepare(port) {
      const first = await httpGet(port, "/page");
      expectStatus("GET /page (no cookie)", first, 200);
      expectBody("GET /page (no cookie)", first, expectedPage(1));
      const cookie = cookieHeader(first);
      if (!cookie.includes(`${SESSION_COOKIE}=`)) {
        throw new WrongAnswer(`GET /page (no cookie): no "${SESSION_COOKIE}" cookie set (Set-Cookie: ${JSON.stringify(first.headers["set-cookie"] ?? null)})`);
      }
      const second = await httpGet(port, "/page", { cookie });
      expectStatus("GET /page (counter-1 cookie)", second, 200);
      expectBody("GET /page (counter-1 cookie)", second, expectedPage(2));
      if (!cookieHeader(second).includes(`${SESSION_COOKIE}=`)) {
        throw new WrongAnswer("GET /page (counter-1 cookie): the session cookie was not set again");
      }
      expectType("GET /page", second, /^text\/html\b/);
      return [get("/page", { cookie })];
    },
  },
];
