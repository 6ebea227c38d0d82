/**
 * Running hooks in Flask's order. The app keeps each kind of hook in a table keyed by
 * scope: `null` for the app, a dotted blueprint name (`"parent.child"`) for a blueprint.
 * A request's scopes are `request.blueprints` (innermost first) plus the app, walked two
 * ways, as in Flask's `app.py`:
 *
 * - outermost first (`preprocess_request`, `inject_url_defaults`,
 *   `update_template_context`): the app, then `"parent"`, then `"parent.child"`;
 * - innermost first (`process_response`, `do_teardown_request`, `_find_error_handler`):
 *   `"parent.child"`, then `"parent"`, then the app.
 *
 * Everything here loops by index over the tables and the scope array: nothing is built
 * per request, and nothing awaits unless a hook returned a promise.
 */
import { HTTPException, Response } from "@flagon/werk";
import type { ErrorClass, ErrorHandler, ErrorHandlerSpec, ScopeKey } from "./scaffold.js";
import { blueprintPath } from "./wrappers.js";

/** Hooks of one kind by scope: `null` for the app, else a dotted blueprint name. */
export type HookTable = globalThis.Map<ScopeKey, Function[]>;

/** Whether `value` is a promise (or any thenable) to await. */
export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as PromiseLike<unknown>).then === "function";

// Scope `k` of `names` (innermost first) plus the app, walked from the app inwards...
const outward = (names: readonly string[], k: number): ScopeKey => (k === 0 ? null : names[names.length - k]!);
// ...and from the innermost blueprint out to the app.
const inward = (names: readonly string[], k: number): ScopeKey => (k === names.length ? null : names[k]!);

/** Whether `table` holds hooks for any of the scopes. */
export function hasHooks(table: HookTable, names: readonly string[]): boolean {
  if (table.size === 0) return false;
  if (table.has(null)) return true;
  for (let k = 0; k < names.length; k++) if (table.has(names[k]!)) return true;
  return false;
}

/** Call the URL value preprocessors with `(endpoint, values)`: the app's, then each blueprint's outside in. */
export function callUrlValuePreprocessors(table: HookTable, names: readonly string[], endpoint: string, values: Record<string, unknown>): void {
  if (table.size === 0) return;
  for (let k = 0; k <= names.length; k++) {
    const funcs = table.get(outward(names, k));
    if (funcs !== undefined) for (let i = 0; i < funcs.length; i++) funcs[i]!(endpoint, values);
  }
}

/**
 * Call the beforeRequest hooks, the app's then each blueprint's outside in; the first
 * value other than undefined or null answers the request. A promise only once a hook
 * returns one.
 */
export function runBeforeRequest(table: HookTable, names: readonly string[]): unknown {
  if (table.size === 0) return undefined;
  for (let k = 0; k <= names.length; k++) {
    const funcs = table.get(outward(names, k));
    if (funcs === undefined) continue;
    for (let i = 0; i < funcs.length; i++) {
      const rv = funcs[i]!();
      if (isThenable(rv)) return continueBeforeRequest(table, names, k, i, rv);
      if (rv !== undefined && rv !== null) return rv;
    }
  }
  return undefined;
}

/** The rest of `runBeforeRequest`, once hook `i` of scope `k` returned the promise `pending`. */
async function continueBeforeRequest(table: HookTable, names: readonly string[], k: number, i: number, pending: PromiseLike<unknown>): Promise<unknown> {
  let rv = await pending;
  if (rv !== undefined && rv !== null) return rv;
  for (i++; k <= names.length; k++, i = 0) {
    const funcs = table.get(outward(names, k));
    if (funcs === undefined) continue;
    for (; i < funcs.length; i++) {
      rv = funcs[i]!();
      if (isThenable(rv)) rv = await rv;
      if (rv !== undefined && rv !== null) return rv;
    }
  }
  return undefined;
}

/** Pass the response through the afterRequest hooks: innermost blueprint first, the app last, each scope's last registered first. */
export async function runAfterRequest(table: HookTable, names: readonly string[], response: Response): Promise<Response> {
  for (let k = 0; k <= names.length; k++) {
    const funcs = table.get(inward(names, k));
    if (funcs === undefined) continue;
    for (let i = funcs.length - 1; i >= 0; i--) {
      let rv = funcs[i]!(response);
      if (isThenable(rv)) rv = await rv;
      response = checkResponse(rv, funcs[i]!, "afterRequest");
    }
  }
  return response;
}

/** What an after-request function returned, if it is a Response; else a TypeError naming it. */
export function checkResponse(rv: unknown, fn: Function, kind: string): Response {
  if (rv instanceof Response) return rv;
  throw new TypeError(
    `The ${kind} function "${fn.name || "anonymous"}" must return the response it was given (or another Response), ` +
      `not ${rv === undefined ? "undefined" : typeof rv}.`,
  );
}

/**
 * Call the teardownRequest hooks with `error`, in afterRequest's order. Every one runs;
 * failures are thrown at the end (one as it is, several as an AggregateError).
 */
export async function runTeardownRequest(table: HookTable, names: readonly string[], error: unknown): Promise<void> {
  let errors: unknown[] | null = null;
  for (let k = 0; k <= names.length; k++) {
    const funcs = table.get(inward(names, k));
    if (funcs !== undefined) errors = await callTeardowns(funcs, error, errors);
  }
  throwCollected(errors, "Errors during request teardown");
}

/** Call teardown functions last registered first; all run, failures are thrown at the end. */
export async function runTeardowns(funcs: Function[], error: unknown, message: string): Promise<void> {
  throwCollected(await callTeardowns(funcs, error, null), message);
}

async function callTeardowns(funcs: Function[], error: unknown, errors: unknown[] | null): Promise<unknown[] | null> {
  for (let i = funcs.length - 1; i >= 0; i--) {
    try {
      const rv = funcs[i]!(error);
      if (isThenable(rv)) await rv;
    } catch (err) {
      (errors ??= []).push(err);
    }
  }
  return errors;
}

function throwCollected(errors: unknown[] | null, message: string): void {
  if (errors === null) return;
  throw errors.length === 1 ? errors[0] : new AggregateError(errors, message);
}

/**
 * The handler for `error` (Flask's `_find_error_handler`): handlers for its status code
 * before handlers for its class, the innermost blueprint's before its parents' and the
 * app's, and within one table the nearest class of the error's prototype chain.
 */
export function findErrorHandler(spec: ErrorHandlerSpec, error: unknown, names: readonly string[]): ErrorHandler | undefined {
  if (!(error instanceof Error) || spec.size === 0) return undefined;
  const code = error instanceof HTTPException ? (error.code ?? null) : null;
  if (code !== null) {
    for (let k = 0; k <= names.length; k++) {
      const handler = handlerByClass(spec.get(inward(names, k))?.get(code), error);
      if (handler !== undefined) return handler;
    }
  }
  for (let k = 0; k <= names.length; k++) {
    const handler = handlerByClass(spec.get(inward(names, k))?.get(null), error);
    if (handler !== undefined) return handler;
  }
  return undefined;
}

/** The nearest class of `error`'s prototype chain with a handler in `handlers`. */
function handlerByClass(handlers: globalThis.Map<ErrorClass, ErrorHandler> | undefined, error: Error): ErrorHandler | undefined {
  if (handlers === undefined) return undefined;
  for (let cls: unknown = error.constructor; typeof cls === "function" && cls !== Object; cls = Object.getPrototypeOf(cls)) {
    const handler = handlers.get(cls as ErrorClass);
    if (handler !== undefined) return handler;
  }
  return undefined;
}

/**
 * Let the urlDefaults functions fill in `values`: the app's, then those of each blueprint
 * the endpoint lies in, outside in. The endpoint, not the request, names the blueprints:
 * URLs are built outside requests too.
 */
export function callUrlDefaults(table: HookTable, endpoint: string, values: Record<string, unknown>): void {
  if (table.size === 0) return;
  const app = table.get(null);
  if (app !== undefined) for (let i = 0; i < app.length; i++) app[i]!(endpoint, values);
  // Only blueprint-scoped functions make the endpoint's blueprints worth working out.
  if (table.size === (app === undefined ? 0 : 1)) return;
  const names = blueprintPath(endpoint);
  for (let k = names.length - 1; k >= 0; k--) {
    const funcs = table.get(names[k]!);
    if (funcs !== undefined) for (let i = 0; i < funcs.length; i++) funcs[i]!(endpoint, values);
  }
}

/**
 * Merge what the context processors return into `context`, the app's then each
 * blueprint's outside in; values already in `context` (passed to the render call) win.
 * A promise only once a processor returns one.
 */
export function runContextProcessors(table: HookTable, names: readonly string[], context: Record<string, unknown>): void | Promise<void> {
  if (!hasHooks(table, names)) return;
  const given = { ...context };
  for (let k = 0; k <= names.length; k++) {
    const funcs = table.get(outward(names, k));
    if (funcs === undefined) continue;
    for (let i = 0; i < funcs.length; i++) {
      const rv = funcs[i]!();
      if (isThenable(rv)) return continueContextProcessors(table, names, context, given, k, i, rv);
      mergeProcessed(context, rv, funcs[i]!);
    }
  }
  Object.assign(context, given);
}

// A processor gives an object of template variables, or nothing.
function mergeProcessed(context: Record<string, unknown>, values: unknown, fn: Function): void {
  if (values === undefined || values === null) return;
  if (typeof values !== "object") {
    throw new TypeError(`The context processor "${fn.name || "anonymous"}" must return an object of template variables, not ${typeof values}.`);
  }
  Object.assign(context, values);
}

async function continueContextProcessors(
  table: HookTable,
  names: readonly string[],
  context: Record<string, unknown>,
  given: Record<string, unknown>,
  k: number,
  i: number,
  pending: PromiseLike<unknown>,
): Promise<void> {
  mergeProcessed(context, await pending, table.get(outward(names, k))![i]!);
  for (i++; k <= names.length; k++, i = 0) {
    const funcs = table.get(outward(names, k));
    if (funcs === undefined) continue;
    for (; i < funcs.length; i++) {
      let rv = funcs[i]!();
      if (isThenable(rv)) rv = await rv;
      mergeProcessed(context, rv, funcs[i]!);
    }
  }
  Object.assign(context, given);
}
