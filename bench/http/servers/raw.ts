/**
 * The ceiling: node:http with nothing a framework adds. rou3 (h3's router) looks up the
 * route table; the page signs its cookie with one HMAC-SHA256 from node:crypto and
 * renders with a bare Nunjucks environment.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { addRoute, createRouter, findRoute } from "rou3";
import {
  HELLO,
  HELLO_JSON,
  PAGE_TEMPLATE,
  SECRET,
  SESSION_COOKIE,
  TABLE_ROUTES,
  listenPort,
  pageContext,
  pageTemplates,
  tableBody,
} from "../app-spec.js";
import { answerMemoryQueries } from "./_memory.js";

type TableHandler = (params: Record<string, string> | undefined) => string;

const router = createRouter<TableHandler>();
for (const route of TABLE_ROUTES) {
  addRoute(router, route.method, route.path, (params) => tableBody(route.name, route.keys.map((k) => params![k]!)));
}

const templates = pageTemplates();
const COOKIE_PREFIX = `${SESSION_COOKIE}=`;

function sign(payload: string): string {
  return createHmac("sha256", SECRET).update(payload).digest("base64url");
}

/** The session's data from a `base64url(json).base64url(hmac)` cookie, or {} if absent or forged. */
function readSession(cookieHeader: string | undefined): Record<string, unknown> {
  if (cookieHeader === undefined) return {};
  const start = cookieHeader.indexOf(COOKIE_PREFIX);
  if (start === -1) return {};
  const end = cookieHeader.indexOf(";", start);
  const value = cookieHeader.slice(start + COOKIE_PREFIX.length, end === -1 ? undefined : end);
  const dot = value.lastIndexOf(".");
  if (dot === -1) return {};
  const payload = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), "base64url");
  const expected = Buffer.from(sign(payload), "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return {};
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function page(req: IncomingMessage, res: ServerResponse): void {
  const data = readSession(req.headers.cookie);
  const count = (typeof data.count === "number" ? data.count : 0) + 1;
  data.count = count;
  const payload = Buffer.from(JSON.stringify(data)).toString("base64url");
  const html = templates.render(PAGE_TEMPLATE, pageContext(count));
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
    "set-cookie": `${COOKIE_PREFIX}${payload}.${sign(payload)}; Path=/; HttpOnly`,
  });
  res.end(html);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  if (req.method === "GET") {
    if (path === "/") return send(res, 200, "text/plain; charset=utf-8", HELLO);
    if (path === "/json") return send(res, 200, "application/json", JSON.stringify(HELLO_JSON));
    if (path === "/page") return page(req, res);
  }
  const match = findRoute(router, req.method, path);
  if (match === undefined) return send(res, 404, "text/plain; charset=utf-8", "Not Found");
  send(res, 200, "text/plain; charset=utf-8", match.data(match.params));
});

answerMemoryQueries();
server.listen(listenPort(), "127.0.0.1");
