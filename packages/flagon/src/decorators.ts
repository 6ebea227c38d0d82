/**
 * The decorator layer every registration path ends in. Standalone decorators (`@route`,
 * `@get`, `@beforeRequest`, `@errorHandler(404)`, `@blueprint(...)`) record entries on a
 * class, which `applyController` registers into a `ScaffoldLike` (the app or a Blueprint);
 * `boundDecorator` builds the app's own `app.route(...)`-style decorators. Both TypeScript
 * decorator modes work: legacy (`experimentalDecorators`) and standard TC39.
 *
 * `./decorators/metadata.js` comes first: it installs the `Symbol.metadata` polyfill that
 * TypeScript's TC39 output needs by the time the first decorated class is defined.
 */
export { METADATA } from "./decorators/metadata.js";
export type {
  AnyClass,
  BlueprintDeclaration,
  BlueprintOptions,
  BoundDecorator,
  ClassDecoratorBoth,
  ControllerEntry,
  HookDecorator,
  HookEntry,
  HookKind,
  MemberDecorator,
  MethodRouteOptions,
  RouteEntry,
  RouteOptions,
  ScaffoldLike,
  TemplateHelperDecorator,
} from "./decorators/types.js";
export {
  afterAppRequest,
  afterRequest,
  appContextProcessor,
  appErrorHandler,
  appTemplateFilter,
  appTemplateGlobal,
  appTemplateTest,
  appUrlDefaults,
  appUrlValuePreprocessor,
  beforeAppRequest,
  beforeFirstRequest,
  beforeRequest,
  blueprint,
  contextProcessor,
  del,
  errorHandler,
  get,
  patch,
  post,
  put,
  route,
  teardownAppcontext,
  teardownAppRequest,
  teardownRequest,
  templateFilter,
  templateGlobal,
  templateTest,
  urlDefaults,
  urlValuePreprocessor,
} from "./decorators/standalone.js";
export { applyController, controller, getBlueprintOptions, getControllerEntries } from "./decorators/controller.js";
export { boundDecorator, type BoundTarget } from "./decorators/bound.js";
