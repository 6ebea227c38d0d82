/**
 * Class-based views (Flask's `flask.views`): subclass `View` and override
 * `dispatchRequest`, or subclass `MethodView` and write one method per HTTP method; then
 * `asView(name)` turns the class into a view function for `addUrlRule`.
 */
import { request } from "./globals.js";

/** The function `asView` builds on: called with the URL values, returns what a view may return. */
export type PlainViewFunction = (params: Record<string, unknown>) => unknown;

/** A decorator listed in `View.decorators`: takes the view function, returns the one to register. */
export type ViewDecorator = (view: PlainViewFunction) => PlainViewFunction;

/** A concrete subclass of `View`, with the class attributes `asView` reads. */
export type ViewClass = (new (...args: never[]) => View) &
  Pick<typeof View, "methods" | "provideAutomaticOptions" | "decorators" | "initEveryRequest">;

/**
 * The view function `asView` returns: its `name` is the endpoint, and it carries the class
 * it came from and the class's `methods` / `provideAutomaticOptions` for `addUrlRule`.
 */
export interface ViewFunction<C extends ViewClass = ViewClass> extends PlainViewFunction {
  /** The class instantiated per request; replace it to patch the view in tests. */
  viewClass: C;
  /** The methods the rule accepts when `addUrlRule` is given none. */
  readonly methods: string[] | undefined;
  /** Whether OPTIONS is answered automatically; undefined for the app's default. */
  readonly provideAutomaticOptions: boolean | undefined;
}

/**
 * A generic class-based view: override `dispatchRequest`, register `asView(name)`.
 *
 * @example
 * class Hello extends View {
 *   static override initEveryRequest = false;
 *   dispatchRequest({ name }: { name: string }) {
 *     return `Hello, ${name}!`;
 *   }
 * }
 * app.addUrlRule("/hello/<name>", { view: Hello.asView("hello") });
 */
export abstract class View {
  /** The methods this view is registered for; undefined for `addUrlRule`'s default (GET). */
  static methods: string[] | undefined = undefined;

  /** Whether OPTIONS is answered automatically; undefined for the app's default. */
  static provideAutomaticOptions: boolean | undefined = undefined;

  /**
   * Decorators applied, in order, to the generated view function (the first is the
   * innermost). Decorating the class itself does not decorate the view function.
   */
  static decorators: ViewDecorator[] = [];

  /**
   * Create an instance for every request (the default). Set to false to build one
   * instance in `asView` and share it, which is cheaper but makes `this` unsafe for
   * per-request data: use `g` instead.
   */
  static initEveryRequest = true;

  /** Answer the request: receives the URL values, returns what a view may return. */
  abstract dispatchRequest(params: Record<string, unknown>): unknown;

  /**
   * Turn the class into a view function named `name` (the endpoint); `ctorArgs` are
   * passed to the constructor.
   *
   * @example
   * class Greeting extends View {
   *   constructor(readonly word: string) { super(); }
   *   dispatchRequest() { return this.word; }
   * }
   * app.addUrlRule("/hi", { view: Greeting.asView("hi", "Hello") });
   */
  static asView<C extends ViewClass>(this: C, name: string, ...ctorArgs: ConstructorParameters<C>): ViewFunction<C> {
    let view: PlainViewFunction;
    if (this.initEveryRequest) {
      // Reads `viewClass` from the final (decorated) function at request time, so a test
      // can swap the class after registration, as Flask's `view.view_class` allows.
      view = (params) => (Reflect.construct(fn.viewClass, ctorArgs) as View).dispatchRequest(params);
    } else {
      const instance = Reflect.construct(this, ctorArgs) as View;
      view = (params) => instance.dispatchRequest(params);
    }
    const decorators = this.decorators;
    if (decorators.length > 0) {
      nameFunction(view, name);
      for (let i = 0; i < decorators.length; i++) {
        const decorated = decorators[i]!(view);
        if (typeof decorated !== "function") {
          throw new TypeError(
            `Decorator ${i} of ${this.name}.decorators returned ${String(decorated)} instead of a function. ` +
              "A view decorator must return the view function to register.",
          );
        }
        view = decorated;
      }
    }
    const fn = view as ViewFunction<C> & { methods: string[] | undefined; provideAutomaticOptions: boolean | undefined };
    nameFunction(fn, name);
    fn.viewClass = this;
    fn.methods = this.methods;
    fn.provideAutomaticOptions = this.provideAutomaticOptions;
    return fn;
  }
}

function nameFunction(fn: Function, name: string): void {
  Object.defineProperty(fn, "name", { value: name, configurable: true });
}

/** The instance methods `MethodView` looks for (Flask's `http_method_funcs`). */
const HTTP_METHOD_FUNCS = ["get", "post", "head", "options", "delete", "put", "trace", "patch"] as const;

/** Lower-case method names for the usual methods, so dispatch allocates no string. */
const METHOD_KEYS: Record<string, string> = Object.create(null);
for (const key of HTTP_METHOD_FUNCS) METHOD_KEYS[key.toUpperCase()] = key;

/**
 * A class-based view that sends each request to the instance method named after its HTTP
 * method (`get`, `post`, `put`, `patch`, `delete`, ...; HEAD falls back to `get`).
 * `methods` lists the methods defined on the class and its bases unless set explicitly.
 *
 * @example
 * class CounterApi extends MethodView {
 *   get() { return String(session.counter ?? 0); }
 *   post() {
 *     session.counter = Number(session.counter ?? 0) + 1;
 *     return redirect(urlFor("counter"));
 *   }
 * }
 * app.addUrlRule("/counter", { view: CounterApi.asView("counter") });
 */
export class MethodView extends View {
  /**
   * The parent's methods plus one per HTTP method function found on the prototype chain
   * (Flask computes this in `__init_subclass__`); a subclass's own `static methods`
   * replaces it, which is how a child drops a method its parent handles.
   */
  static override get methods(): string[] | undefined {
    const methods = new Set<string>();
    const parent = Object.getPrototypeOf(this) as { methods?: string[] };
    for (const method of parent.methods ?? []) methods.add(method);
    const proto = this.prototype as unknown as Record<string, unknown>;
    for (const key of HTTP_METHOD_FUNCS) {
      if (typeof proto[key] === "function") methods.add(key.toUpperCase());
    }
    return methods.size > 0 ? [...methods].sort() : undefined;
  }

  // Assigning (`Sub.methods = [...]`, or a static field compiled as an assignment) gives
  // the class its own list, as a static field declared with define semantics does.
  static override set methods(value: string[] | undefined) {
    Object.defineProperty(this, "methods", { value, writable: true, enumerable: true, configurable: true });
  }

  /** Call the method named after the request's method, with the URL values. */
  dispatchRequest(params: Record<string, unknown>): unknown {
    const method = request.method;
    const self = this as unknown as Record<string, unknown>;
    let handler = self[METHOD_KEYS[method] ?? method.toLowerCase()];
    if (handler === undefined && method === "HEAD") handler = self.get;
    if (typeof handler !== "function") {
      throw new Error(
        `Unimplemented method "${method}" on ${this.constructor.name}: define a ${method.toLowerCase()}() method, ` +
          `or leave "${method}" out of ${this.constructor.name}.methods.`,
      );
    }
    return (handler as (params: Record<string, unknown>) => unknown).call(this, params);
  }
}
