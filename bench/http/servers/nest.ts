/**
 * NestJS on its default Express platform, the decorator-based peer: the three fixed
 * routes are decorated methods of a controller, as Nest's guide writes them
 * (`@Get`, `@Session`, `@Render`); the ~300 table routes get the same decorators
 * applied in a loop to generated methods of a second controller. cookie-session and
 * Nunjucks as Express's view engine, as the Express peer.
 */
import "reflect-metadata";
import { Controller, Delete, Get, Module, Param, Patch, Post, Put, Render, Session } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { NestExpressApplication } from "@nestjs/platform-express";
import cookieSession from "cookie-session";
import type { Express } from "express";
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

@Controller()
class AppController {
  @Get()
  hello(): string {
    return HELLO;
  }

  @Get("json")
  json(): object {
    return HELLO_JSON;
  }

  @Get("page")
  @Render(PAGE_TEMPLATE)
  page(@Session() session: Record<string, unknown>): object {
    const count = (typeof session.count === "number" ? session.count : 0) + 1;
    session.count = count;
    return pageContext(count);
  }
}

class TableController {}
const METHOD_DECORATORS = { GET: Get, POST: Post, PUT: Put, PATCH: Patch, DELETE: Delete } as const;
const proto = TableController.prototype as unknown as Record<string, unknown>;
TABLE_ROUTES.forEach((route, i) => {
  const key = `route${i}`;
  proto[key] = (params: Record<string, string>): string => tableBody(route.name, route.keys.map((k) => params[k]!));
  Param()(proto, key, 0);
  METHOD_DECORATORS[route.method](route.path)(proto, key, Object.getOwnPropertyDescriptor(proto, key)!);
});
Controller()(TableController);

@Module({ controllers: [AppController, TableController] })
class AppModule {}

const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: false });
app.use(cookieSession({ name: SESSION_COOKIE, keys: [SECRET] }));
nunjucks.configure(TEMPLATES_DIR, { autoescape: true, express: app.getHttpAdapter().getInstance() as Express });

answerMemoryQueries();
await app.listen(listenPort(), "127.0.0.1");
