/**
 * Express 5 as its guide shows it: cookie-session for a signed-cookie session (the
 * session in the cookie, with a `.sig` cookie beside it), Nunjucks as the view engine
 * (`res.render`), one `app.get` per route. NODE_ENV=production turns on the view cache.
 */
import express from "express";
import cookieSession from "cookie-session";
import nunjucks from "nunjucks";
import {
  HELLO,
  HELLO_JSON,
  PAGE_TEMPLATE,
  SECRET,
  SESSION_COOKIE,
  TABLE_ROUTES,
  TEMPLATES_DIR,
  listenPort,
  pageContext,
  tableBody,
} from "../app-spec.js";
import { answerMemoryQueries } from "./_memory.js";

const app = express();
nunjucks.configure(TEMPLATES_DIR, { autoescape: true, express: app });
app.use(cookieSession({ name: SESSION_COOKIE, keys: [SECRET] }));

app.get("/", (_req, res) => {
  res.send(HELLO);
});

app.get("/json", (_req, res) => {
  res.json(HELLO_JSON);
});

app.get("/page", (req, res) => {
  const session = req.session!;
  const count = (typeof session.count === "number" ? session.count : 0) + 1;
  session.count = count;
  res.render(PAGE_TEMPLATE, pageContext(count));
});

const methods = { GET: "get", POST: "post", PUT: "put", PATCH: "patch", DELETE: "delete" } as const;
for (const route of TABLE_ROUTES) {
  app[methods[route.method]](route.path, (req, res) => {
    const params = req.params as Record<string, string>;
    res.send(tableBody(route.name, route.keys.map((k) => params[k]!)));
  });
}

answerMemoryQueries();
app.listen(listenPort(), "127.0.0.1");
