/**
 * Flagon: Flask, rebuilt natively for TypeScript on Node.js.
 *
 * The application layer is being built up module by module; today this entry point
 * exports the configuration, contexts, proxies and decorators, plus werk's routing.
 */
export { Map, UrlMap, Rule } from "@flagon/werk";
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
export { g, getCurrentObject } from "./globals.js";
export * from "./decorators.js";
