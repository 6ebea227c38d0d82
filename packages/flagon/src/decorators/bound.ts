/**
 * The app's own decorators (`app.route`, `app.get`, `app.beforeRequest`, ...): unlike the
 * standalone ones they register at once, so they must work out the `this` of the method
 * they decorate themselves.
 */
import { adoptingInitializer, lazyView, pendingOwner, sharedInstance } from "./owners.js";
import { className, keyName, methodSite } from "./site.js";
import type { BoundDecorator } from "./types.js";

/** What `boundDecorator` tells its `register` callback about the decorated function. */
export interface BoundTarget {
  /** The function or method name: the default endpoint or template helper name. */
  name: string;
  /** A plain function, a static method, or an instance method. */
  kind: "function" | "static" | "instance";
  /**
   * The `this` the function runs with: the class for static methods, the class's shared
   * instance for instance methods (created on first call), undefined for plain functions.
   * It may throw for TC39 instance methods whose class is still unknown (see `controller`).
   */
  owner: () => object | undefined;
  /**
   * The function ready to call: it calls the decorated function with `owner()` as `this`,
   * resolved on its first call. The decorated function itself for plain functions.
   */
  // Views and hooks differ in their parameters, so no narrower type fits all of them.
  bound: (...args: any[]) => unknown;
}

/**
 * Build a decorator that hands what it decorates to `register`: a plain function
 * (`deco(fn)` returns `fn`), or a static or instance method in either TypeScript decorator
 * mode. `label` names the decorator in error messages.
 *
 * Legacy decorators register at once. TC39 static methods register when the class is
 * defined (an initializer, where `this` is the class); TC39 instance methods register at
 * once with an owner found later: the first instance constructed, or the class marked with
 * `@controller()` or registered with `applyController`.
 *
 * @example
 * route(rule: string, opts: RouteOptions = {}) {
 *   return boundDecorator((fn, info) =>
 *     this.addUrlRule(rule, { ...opts, endpoint: opts.endpoint ?? info.name, view: info.bound }),
 *     `app.route("${rule}")`);
 * }
 */
export function boundDecorator(
  register: (fn: Function, info: BoundTarget) => void,
  label = "this decorator",
): BoundDecorator {
  return function decorate(...args: unknown[]): unknown {
    const [fn] = args;
    if (args.length === 1 && typeof fn === "function") {
      if (isClass(fn)) {
        throw new TypeError(
          `${label} decorates functions and methods, not the class ${className(fn)}: decorate ` +
            `its methods, or register a class of standalone-decorated methods with app.register().`,
        );
      }
      register(fn, { name: fn.name, kind: "function", owner: () => undefined, bound: fn as (...a: unknown[]) => unknown });
      return fn;
    }
    const site = methodSite(label, args);
    const name = keyName(site.key);
    const method = site.method;
    if (site.context === undefined) {
      const cls = site.cls!;
      const owner = site.isStatic ? () => cls : () => sharedInstance(cls);
      register(method, { name, kind: site.isStatic ? "static" : "instance", owner, bound: lazyView(name, owner, method) });
    } else if (site.isStatic) {
      site.context.addInitializer(function (this: unknown) {
        const cls = this as Function;
        const owner = () => cls;
        register(method, { name, kind: "static", owner, bound: lazyView(name, owner, method) });
      });
    } else {
      site.context.addInitializer(adoptingInitializer(site.metadata));
      const owner = pendingOwner(site.metadata, name, label);
      register(method, { name, kind: "instance", owner, bound: lazyView(name, owner, method) });
    }
    return undefined;
  } as BoundDecorator;
}

// Class constructors cannot be called, so registering one as a view could only fail later.
function isClass(fn: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}
