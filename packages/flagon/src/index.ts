/**
 * Flagon: Flask, rebuilt natively for TypeScript on Node.js.
 *
 * @example
 * import { Flagon, request } from "flagon";
 * const app = new Flagon(import.meta.url);
 * app.get("/hello/<name>", ({ name }) => `Hello ${name}`);
 * app.post("/echo", () => request.json);
 * await app.run({ port: 5000 });
 */
export { Flagon } from "./app.js";
export type { FlagonOptions } from "./app.js";
export { Blueprint, BlueprintSetupState } from "./blueprints.js";
export type { BlueprintInit, DeferredSetupFunction, RegisterBlueprintOptions } from "./blueprints.js";
export { Config, DEFAULT_CONFIG } from "./config.js";
export type { ConfigValues } from "./config.js";
export {
  AppContext,
  AppCtxGlobals,
  RequestContext,
  afterThisRequest,
  copyCurrentContext,
  hasAppContext,
  hasRequestContext,
} from "./ctx.js";
export type { ContextApp, SessionLike } from "./ctx.js";
export { currentApp, g, getCurrentObject, request, session } from "./globals.js";
export { abort, jsonify, makeResponse, redirect, sendFile, sendFromDirectory, urlFor } from "./helpers.js";
export type { UrlForOptions, UrlForValues } from "./helpers.js";
export { DefaultLogger } from "./logging.js";
export type { Logger, LogLevel } from "./logging.js";
export type { ViewReturn, HeadersLike } from "./responses.js";
export { Scaffold } from "./scaffold.js";
export type { AddUrlRuleOptions, ErrorClass, ErrorHandler, ErrorHandlerSpec, MemberDecoratorArgs, RouteView, ScopeKey } from "./scaffold.js";
export { flash, getFlashedMessages } from "./flashing.js";
export type { FlashedMessage, GetFlashedMessagesOptions } from "./flashing.js";
export {
  BaseSessionInterface,
  KeyRing,
  NullSession,
  NullSessionInterface,
  SecureCookieSession,
  SecureCookieSessionInterface,
  TimedSerializer,
  createNullSession,
  deriveKey,
  isNullSession,
  sessionJsonSerializer,
} from "./sessions.js";
export type { AnySessionInterface, AsyncSessionInterface, Session, SessionApp, SessionInterface, SessionMixin } from "./sessions.js";
export { MemoryStore, RedisStore, ServerSideSession, ServerSideSessionInterface, newSessionId } from "./session-stores.js";
export type { MemoryStoreOptions, RedisStoreOptions, ServerSideSessionOptions, SessionStore } from "./session-stores.js";
export { JSONTag, TaggedJSONSerializer } from "./tag.js";
export type { JSONTagClass, RegisterTagOptions } from "./tag.js";
export { FlagonClient } from "./testing.js";
export type { SessionTransactionOptions, TestRequestContextOptions } from "./testing.js";
export type { ListenerOptions, NodeListener } from "./adapters/node.js";
export * from "./decorators.js";
export { Request } from "./wrappers.js";
export { Map, UrlMap, Rule, Response, HTTPException } from "@flagon/werk";
export { MethodView, View } from "./views.js";
export type { PlainViewFunction, ViewClass, ViewDecorator, ViewFunction } from "./views.js";
export { handleFetch } from "./adapters/fetch.js";
export type { FetchOptions } from "./adapters/fetch.js";
export { debugErrorResponse, renderDebugPage } from "./debug.js";
export type { DebugRequestInfo } from "./debug.js";
export {
  markSafe,
  registerTemplateGlobal,
  renderTemplate,
  renderTemplateString,
  selectAutoescape,
  streamTemplate,
  streamTemplateString,
  getTemplateAttribute,
  templateEnvironment,
  templateLocationOf,
  TemplateError,
  TemplateNotFound,
} from "./templating.js";
export type {
  BlueprintTemplates,
  TemplateContext,
  TemplateEnvironment,
  TemplateLocation,
  TemplateName,
  TemplatingApp,
} from "./templating.js";

