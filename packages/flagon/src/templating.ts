/**
 * Rendering templates (Flask's `flask.templating`): `renderTemplate`,
 * `renderTemplateString`, `streamTemplate`, `streamTemplateString` and
 * `getTemplateAttribute`, for the app of the current context, with Nunjucks.
 *
 * Every template sees the app's `config`, the current `request`, `session` and `g`,
 * `url_for`/`urlFor`, `get_flashed_messages`/`getFlashedMessages`, what the context
 * processors return (the app's, then those of the request's blueprints, outermost
 * first), and finally the values passed in, which win over all of them.
 */
import nunjucks from "nunjucks";
import { appContextOrThrow, type AppContext } from "./ctx.js";
import { TemplateNotFound, templateFailure } from "./templating/errors.js";
import {
  templateEnvironment,
  templateNameOf,
  type CompiledTemplate,
  type TemplateEnvironment,
  type TemplatingApp,
} from "./templating/environment.js";

export { TemplateError, TemplateNotFound, describeLocation, templateLocationOf } from "./templating/errors.js";
export type { TemplateLocation } from "./templating/errors.js";
export { registerTemplateGlobal, selectAutoescape, templateEnvironment } from "./templating/environment.js";
export type { CompiledTemplate, TemplateEnvironment, TemplatingApp } from "./templating/environment.js";
export { DispatchingLoader, isAutoReload, templateSources } from "./templating/loader.js";
export type { BlueprintTemplates, TemplateLoadingApp, TemplateSource } from "./templating/loader.js";

/** Variables passed to a template. */
export type TemplateContext = Record<string, unknown>;

/** A template name, or several to try in order (the first that exists is rendered). */
export type TemplateName = string | readonly string[];

// Streamed templates are cut into pieces of this size (Node's default stream buffer).
const STREAM_CHUNK = 16 * 1024;

/**
 * Mark a string as safe HTML, so autoescaping leaves it alone (Jinja's `Markup`).
 *
 * @example
 * await renderTemplateString("{{ x }}", { x: markSafe("<b>hi</b>") }); // "<b>hi</b>"
 */
export function markSafe(value: string): nunjucks.runtime.SafeString {
  return new nunjucks.runtime.SafeString(value);
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as PromiseLike<unknown>).then === "function";

/**
 * Render a template from the app's (or a blueprint's) template folder with `context`.
 * Given several names, renders the first that exists.
 *
 * @example
 * app.get("/hello/<name>", async ({ name }) => renderTemplate("hello.html", { name }));
 */
export function renderTemplate(name: TemplateName, context: TemplateContext = {}): Promise<string> {
  return settled(() => {
    const ctx = appContextOrThrow();
    const app = ctx.app as unknown as TemplatingApp;
    const env = templateEnvironment(app);
    const template = selectTemplate(env, name);
    return isThenable(template)
      ? template.then((t) => render(ctx, app, env, t, context, null))
      : render(ctx, app, env, template, context, null);
  });
}

/**
 * Render a template given as a string; autoescaped, as an HTML template.
 *
 * @example
 * await renderTemplateString("Hello {{ name }}!", { name: "<World>" }); // "Hello &lt;World&gt;!"
 */
export function renderTemplateString(source: string, context: TemplateContext = {}): Promise<string> {
  return settled(() => {
    const ctx = appContextOrThrow();
    const app = ctx.app as unknown as TemplatingApp;
    const env = templateEnvironment(app);
    return render(ctx, app, env, fromString(env, source), context, source);
  });
}

// Rendering runs synchronously whenever Nunjucks does (its file loader, no async
// filters): one settled promise for the caller instead of a chain of them.
function settled(run: () => string | Promise<string>): Promise<string> {
  try {
    const rv = run();
    return isThenable(rv) ? rv : Promise.resolve(rv);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * A template rendered as a stream a view can return (Flask's `stream_template`). The
 * template renders, in this request's context, when the response body is first read,
 * and its output is sent in 16 KiB pieces: Nunjucks produces a template's text in one
 * piece, so this saves holding the response in a second copy, not time to first byte.
 *
 * @example
 * app.get("/report", () => streamTemplate("report.html", { rows }));
 */
export function streamTemplate(name: TemplateName, context: TemplateContext = {}): AsyncIterable<string> {
  const ctx = appContextOrThrow();
  return streamed(ctx, async () => {
    const app = ctx.app as unknown as TemplatingApp;
    const env = templateEnvironment(app);
    return render(ctx, app, env, await selectTemplate(env, name), context, null);
  });
}

/** `streamTemplate` for a template given as a string. */
export function streamTemplateString(source: string, context: TemplateContext = {}): AsyncIterable<string> {
  const ctx = appContextOrThrow();
  return streamed(ctx, async () => {
    const app = ctx.app as unknown as TemplatingApp;
    const env = templateEnvironment(app);
    return render(ctx, app, env, fromString(env, source), context, source);
  });
}

/**
 * A macro or variable a template exports (Flask's `get_template_attribute`), to call a
 * macro from code.
 *
 * @example
 * const hello = await getTemplateAttribute("_macros.html", "hello");
 * String((hello as (n: string) => unknown)("World")); // "Hello World!"
 */
export async function getTemplateAttribute(name: string, attribute: string): Promise<unknown> {
  const ctx = appContextOrThrow();
  const env = templateEnvironment(ctx.app as unknown as TemplatingApp);
  const template = await selectTemplate(env, name);
  return new Promise((resolve, reject) => {
    template.getExported((error: Error | null, exported: Record<string, unknown>) => {
      if (error) reject(templateFailure(error, (path) => templateNameOf(env, path), null));
      else resolve(exported[attribute]);
    });
  });
}

/**
 * The variables a template sees: the context processors' values (the app's, then the
 * request's blueprints'), then `context`, which wins. The app's `updateTemplateContext`
 * is the one implementation; a promise only when a processor returns one.
 */
export function updateTemplateContext(app: TemplatingApp, ctx: AppContext, context: TemplateContext): TemplateContext | Promise<TemplateContext> {
  const rv: TemplateContext = { ...context };
  const pending = app.updateTemplateContext(rv, ctx);
  return isThenable(pending) ? Promise.resolve(pending).then(() => rv) : rv;
}

function render(
  ctx: AppContext,
  app: TemplatingApp,
  env: TemplateEnvironment,
  template: CompiledTemplate,
  context: TemplateContext,
  source: string | null,
): string | Promise<string> {
  const variables = updateTemplateContext(app, ctx, context);
  if (isThenable(variables)) return variables.then((v) => renderWith(env, template, v, source));
  return renderWith(env, template, variables, source);
}

function renderWith(env: TemplateEnvironment, template: CompiledTemplate, variables: TemplateContext, source: string | null): string | Promise<string> {
  return callback<string>((done) => {
    // A parent frame keeps Nunjucks from deferring a synchronous result to the next tick;
    // it isolates writes, as the top-level frame of a render without one does.
    (template.render as (ctx: object, frame: object, cb: (error: Error | null, output?: string | null) => void) => void)(
      variables,
      new (nunjucks.runtime as unknown as { Frame: new () => object }).Frame(),
      (error, output) => done(error ? templateFailure(error, (path) => templateNameOf(env, path), source) : null, output ?? ""),
    );
  });
}

function fromString(env: TemplateEnvironment, source: string): CompiledTemplate {
  // Bound to the escaping environment: template strings are autoescaped, as in Flask.
  return new nunjucks.Template(source, env) as CompiledTemplate;
}

/**
 * The value a callback-style call gives: returned (or thrown) when the callback ran before
 * the call returned, else a promise of it.
 */
function callback<T>(start: (done: (error: unknown, value?: T) => void) => void): T | Promise<T> {
  let state = 0 as 0 | 1 | 2; // pending, fulfilled, rejected
  let result: unknown;
  let settle: ((error: unknown, value?: T) => void) | null = null;
  start((error, value) => {
    if (settle !== null) return settle(error, value);
    if (state !== 0) return;
    state = error ? 2 : 1;
    result = error ? error : value;
  });
  if (state === 1) return result as T;
  if (state === 2) throw result;
  return new Promise<T>((resolve, reject) => {
    settle = (error, value) => (error ? reject(error) : resolve(value as T));
  });
}

function getTemplate(env: TemplateEnvironment, name: string): CompiledTemplate | Promise<CompiledTemplate> {
  return callback<CompiledTemplate>((done) => {
    (env.getTemplate as (name: string, eager: boolean, parent: null, ignoreMissing: boolean, cb: (e: Error | null, t?: CompiledTemplate) => void) => void)(
      name,
      false,
      null,
      false,
      (error, template) => done(error ? templateFailure(error, (path) => templateNameOf(env, path), null) : null, template),
    );
  });
}

// Jinja's get_or_select_template: the first name that exists.
function selectTemplate(env: TemplateEnvironment, name: TemplateName): CompiledTemplate | Promise<CompiledTemplate> {
  if (typeof name === "string") return getTemplate(env, name);
  return selectFirst(env, name);
}

async function selectFirst(env: TemplateEnvironment, names: readonly string[]): Promise<CompiledTemplate> {
  for (const candidate of names) {
    try {
      return await getTemplate(env, candidate);
    } catch (error) {
      if (!(error instanceof TemplateNotFound) || error.templateName !== candidate) throw error;
    }
  }
  throw new TemplateNotFound([...names]);
}

function streamed(ctx: AppContext, produce: () => Promise<string>): AsyncIterable<string> {
  return {
    async *[Symbol.asyncIterator]() {
      const text = await ctx.enter(produce);
      for (let i = 0; i < text.length; i += STREAM_CHUNK) yield text.slice(i, i + STREAM_CHUNK);
    },
  };
}
