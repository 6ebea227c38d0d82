/**
 * Fastify 5 with its own plugins: @fastify/secure-session (the session encrypted and
 * authenticated in one cookie, the stateless session Fastify documents) and
 * @fastify/view with Nunjucks; one `app.get` per route, no logger.
 */
import Fastify from "fastify";
import secureSession from "@fastify/secure-session";
import fastifyView from "@fastify/view";
import nunjucks from "nunjucks";
import {
  HELLO,
  HELLO_JSON,
  PAGE_TEMPLATE,
  SECRET,
  SESSION_COOKIE,
  SESSION_SALT,
  TABLE_ROUTES,
  TEMPLATES_DIR,
  listenPort,
  pageContext,
  tableBody,
} from "../app-spec.js";
import { answerMemoryQueries } from "./_memory.js";

declare module "@fastify/secure-session" {
  interface SessionData {
    count: number;
  }
}

const app = Fastify({ logger: false });
await app.register(secureSession, {
  secret: SECRET,
  salt: SESSION_SALT,
  cookieName: SESSION_COOKIE,
  cookie: { path: "/", httpOnly: true },
});
await app.register(fastifyView, { engine: { nunjucks }, root: TEMPLATES_DIR, production: true });

app.get("/", async () => HELLO);

app.get("/json", async () => HELLO_JSON);

app.get("/page", async (request, reply) => {
  const count = (request.session.get("count") ?? 0) + 1;
  request.session.set("count", count);
  return reply.view(PAGE_TEMPLATE, pageContext(count));
});

for (const route of TABLE_ROUTES) {
  app.route({
    method: route.method,
    url: route.path,
    handler: async (request) => {
      const params = request.params as Record<string, string>;
      return tableBody(route.name, route.keys.map((k) => params[k]!));
    },
  });
}

answerMemoryQueries();
await app.listen({ port: listenPort(), host: "127.0.0.1" });
