/**
 * Reading what the standalone decorators recorded on a class, and registering it into a
 * scaffold: the step behind `app.register(Class)` and decorated Blueprint classes.
 */
import { metadataOf, readBlueprint, readEntries } from "./metadata.js";
import { adoptInstance, lazyView, linkClass, sharedInstance } from "./owners.js";
import { classSite, className, keyName } from "./site.js";
import type { AnyClass, BlueprintDeclaration, ClassDecoratorBoth, ControllerEntry, RouteOptions, ScaffoldLike } from "./types.js";

/**
 * The routes and hooks recorded on `cls` by the standalone decorators: a parent class's
 * first, then the class's own, each in the order its decorators were applied.
 *
 * @example
 * class Home { @get("/") index() { return "hi"; } }
 * getControllerEntries(Home);
 * // [{ kind: "route", rule: "/", options: { methods: ["GET"] }, key: "index", isStatic: false }]
 */
export function getControllerEntries(cls: AnyClass): ControllerEntry[] {
  // Copies: changing the result must not change what applyController registers.
  return readEntries(metadataOf(cls)).map((entry) =>
    entry.kind === "route" ? { ...entry, options: copyOptions(entry.options) } : { ...entry },
  );
}

/**
 * The `@blueprint(name, options)` declaration of `cls` itself, or undefined: a subclass of
 * a blueprint class declares its own (blueprint names are unique within an app).
 *
 * @example
 * @blueprint("admin", { urlPrefix: "/admin" }) class Admin {}
 * getBlueprintOptions(Admin); // { urlPrefix: "/admin", name: "admin" }
 */
export function getBlueprintOptions(cls: AnyClass): BlueprintDeclaration | undefined {
  return readBlueprint(cls);
}

/**
 * Register everything the standalone decorators recorded on `cls` into `scaffold`. Static
 * methods run on the class; instance methods on one instance, `instance` when given, else
 * created with `new cls()` on the first call and shared with the class's other decorated
 * methods. Endpoints and template helper names default to the method names.
 *
 * @example
 * class Blog { @get("/") index() { return this.title(); } title() { return "Blog"; } }
 * applyController(app, Blog); // app.addUrlRule("/", { methods: ["GET"], endpoint: "index", view })
 */
export function applyController(scaffold: ScaffoldLike, cls: AnyClass, instance?: object): void {
  if (typeof cls !== "function") {
    throw new TypeError(`applyController expects a class whose methods carry @route/@get/... decorators; got ${typeof cls}.`);
  }
  const entries = readEntries(metadataOf(cls));
  if (entries.length === 0) {
    throw new TypeError(
      `${className(cls)} has nothing to register: none of its methods carries a Flagon ` +
        `decorator. Decorate them with @route("/path"), @get/@post/@put/@patch/@del, ` +
        `@beforeRequest, @errorHandler(404), @templateFilter... (from "flagon").`,
    );
  }
  if (instance !== undefined) {
    if (!(instance instanceof cls)) {
      throw new TypeError(`applyController: the instance given for ${className(cls)} is not an instance of it.`);
    }
    adoptInstance(cls, instance);
  }
  linkClass(cls);
  const resolveInstance = instance !== undefined ? () => instance : () => sharedInstance(cls);
  const resolveClass = () => cls;
  // One view per method, so a method with stacked routes registers the same function each
  // time, which the app accepts under one endpoint (a different function there is an error).
  const views = new Map<string | symbol, (...args: unknown[]) => unknown>();
  const staticViews = new Map<string | symbol, (...args: unknown[]) => unknown>();
  for (const entry of entries) {
    const byKey = entry.isStatic ? staticViews : views;
    let view = byKey.get(entry.key);
    if (view === undefined) {
      view = lazyView(keyName(entry.key), entry.isStatic ? resolveClass : resolveInstance, entry.key);
      byKey.set(entry.key, view);
    }
    if (entry.kind === "route") {
      const options = copyOptions(entry.options);
      scaffold.addUrlRule(entry.rule, { ...options, endpoint: options.endpoint ?? keyName(entry.key), view });
    } else {
      scaffold.registerHook(entry.hook, view, entry.arg);
    }
  }
}

function copyOptions(options: RouteOptions): RouteOptions {
  const copy = { ...options };
  if (copy.methods !== undefined) copy.methods = [...copy.methods];
  return copy;
}

/**
 * Mark a class as a controller. Optional, except for one case: with standard (TC39)
 * decorators, instance methods decorated with the app's decorators (`@app.get("/")`) need
 * it (or a first `new`) for Flagon to find their class. Bare or called.
 *
 * @example
 * @controller()
 * class Home { @app.get("/") index() { return "hi"; } }
 */
export function controller(): ClassDecoratorBoth;
/** `@controller` used bare. */
export function controller<C extends AnyClass>(value: C, context?: ClassDecoratorContext<C>): void;
export function controller(...args: unknown[]): ClassDecoratorBoth | void {
  if (args.length === 0) return decorateController as ClassDecoratorBoth;
  decorateController(...args);
}

function decorateController(...args: unknown[]): void {
  const site = classSite("@controller", args);
  linkClass(site.cls, site.metadata);
}
