/**
 * Koa 3 with @koa/router and koa-session (its default cookie store: the session as
 * base64 JSON in the cookie, signed with the app's keys in a `.sig` cookie), Nunjucks
 * rendered into `ctx.body`.
 */
import Router from "@koa/router";
import Koa from "koa";
import session from "koa-session";
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
const app = new Koa({ keys: [SECRET] });
app.use(session({ key: SESSION_COOKIE, maxAge: "session" }, app));

const router = new Router();

router.get("/", (ctx) => {
  ctx.body = HELLO;
});

router.get("/json", (ctx) => {
  ctx.body = HELLO_JSON;
});

router.get("/page", (ctx) => {
  const data = ctx.session!;
  const count = (typeof data.count === "number" ? data.count : 0) + 1;
  data.count = count;
  ctx.type = "html";
  ctx.body = templates.render(PAGE_TEMPLATE, pageContext(count));
});

const methods = { GET: "get", POST: "post", PUT: "put", PATCH: "patch", DELETE: "delete" } as const;
for (const route of TABLE_ROUTES) {
  router[methods[route.method]](route.path, (ctx) => {
    const params = ctx.params as Record<string, string>;
    ctx.body = tableBody(route.name, route.keys.map((k) => params[k]!));
  });
}

app.use(router.routes()).use(router.allowedMethods());

answerMemoryQueries();
app.listen(listenPort(), "127.0.0.1");
