/** Routing: rules, converters, the map and its adapter, rule factories, exceptions. */
export { MapAdapter, encodeQueryArgs, routingError } from "./adapter.js";
export type { AdapterSettings, BuildOptions, BuildValues, MatchOptions, QueryArgs, RouteLookup, RouteMatch, RouteMiss } from "./adapter.js";
export {
  AnyConverter,
  BaseConverter,
  DEFAULT_CONVERTERS,
  FloatConverter,
  IntegerConverter,
  NumberConverter,
  PathConverter,
  UnicodeConverter,
  UUIDConverter,
  ValidationError,
} from "./converters.js";
export type { ConverterClass, ConverterKwargs } from "./converters.js";
export { BuildError, DuplicateRuleError, RequestRedirect, RoutingException, WebsocketMismatch } from "./exceptions.js";
export { EndpointPrefix, RuleTemplate, RuleTemplateFactory, Subdomain, Submount } from "./factories.js";
export { Map, UrlMap } from "./map.js";
export type { BindOptions, IncomingRequestLike, MapOptions, WerkRequestLike } from "./map.js";
export { StateMachineMatcher } from "./matcher.js";
export { CompiledMatcher } from "./matcher-compiled.js";
export type { Matcher, MatcherClass, MatchFailure } from "./matcher-tree.js";
export { parseConverterArgs } from "./rule-parser.js";
export { Rule, RuleFactory } from "./rules.js";
export type { RedirectFunction, RuleOptions } from "./rules.js";
export type { RouteParams } from "./types.js";
