/**
 * Hono 4 on @hono/node-server, as its docs show it: hono/cookie's signed cookies
 * (HMAC-SHA256 through WebCrypto) holding the session as JSON, Nunjucks rendered into
 * `c.html` (Hono has no template plugin of its own besides JSX), the default
 * SmartRouter (which picks the TrieRouter for this table).
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { getSignedCookie, setSignedCookie } from "hono/cookie";
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

const templates = pageTemplates();
const app = new Hono();

app.get("/", (c) => c.text(HELLO));

app.get("/json", (c) => c.json(HELLO_JSON));

app.get("/page", async (c) => {
  const raw = await getSignedCookie(c, SECRET, SESSION_COOKIE);
  const data = (typeof raw === "string" ? JSON.parse(raw) : {}) as Record<string, unknown>;
  const count = (typeof data.count === "number" ? data.count : 0) + 1;
  data.count = count;
  await setSignedCookie(c, SESSION_COOKIE, JSON.stringify(data), SECRET, { path: "/", httpOnly: true });
  return c.html(templates.render(PAGE_TEMPLATE, pageContext(count)));
});

for (const route of TABLE_ROUTES) {
  app.on(route.method, route.path, (c) => {
    const params = c.req.param() as Record<string, string>;
    return c.text(tableBody(route.name, route.keys.map((k) => params[k]!)));
  });
}

answerMemoryQueries();
serve({ fetch: app.fetch, port: listenPort(), hostname: "127.0.0.1" });
