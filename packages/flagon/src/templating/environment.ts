/**
 * One Nunjucks environment per app (Flask's `app.jinja_env`), made on first use: the
 * dispatching loader, autoescaping chosen per template name, Flask's template globals
 * (`config`, `request`, `session`, `g`, `url_for`, `get_flashed_messages`) and the
 * filters, tests and globals registered on the app.
 *
 * Nunjucks has a single `autoescape` option per environment, read when a template runs.
 * Jinja decides per template, by name; so each app gets a second, non-escaping view of
 * its environment (an object inheriting everything but `opts.autoescape`), and every
 * template is bound to one of the two when loaded — an `.html` included from a `.txt`
 * is still escaped, as in Jinja.
 */
import type { AppContext } from "../ctx.js";
import nunjucks from "nunjucks";
import { getFlashedMessages } from "../flashing.js";
import { g, request, session } from "../globals.js";
import { urlFor, type UrlForValues } from "../helpers.js";
import { TemplateNotFound } from "./errors.js";
import { DispatchingLoader, isAutoReload, type TemplateLoadingApp } from "./loader.js";

/** The app properties templating reads; a `Flagon` has them all (the optional ones are hooks). */
export interface TemplatingApp extends TemplateLoadingApp {
  readonly templateFilters: { readonly [name: string]: Function };
  readonly templateGlobals: { readonly [name: string]: Function };
  readonly templateTests: { readonly [name: string]: Function };
  /** Context processors by scope: null for the app's, a blueprint name for a blueprint's. */
  readonly templateContextProcessors: ReadonlyMap<string | null, readonly Function[]>;
  /** Merge the context processors' values for the current request into `context`. */
  updateTemplateContext(context: Record<string, unknown>, ctx?: AppContext): void | Promise<void>;
  /** Flask's `create_global_jinja_loader`: replace the loader (a Nunjucks loader or several). */
  createGlobalTemplateLoader?(): unknown;
  /** Flask's `select_jinja_autoescape`: whether a template (null: a string) is autoescaped. */
  selectTemplateAutoescape?(name: string | null): boolean;
}

/** The Nunjucks environment as Flagon uses it: the typings lack these runtime fields. */
export interface TemplateEnvironment extends nunjucks.Environment {
  opts: nunjucks.ConfigureOptions & { autoescape: boolean; dev: boolean };
  loaders: unknown[];
  filters: Record<string, Function>;
  tests: Record<string, Function>;
  globals: Record<string, unknown>;
  addTest(name: string, fn: Function): TemplateEnvironment;
  invalidateCache(): void;
}

/** A compiled template, bound to the environment that escapes (or not) for its name. */
export interface CompiledTemplate extends nunjucks.Template {
  env: TemplateEnvironment;
  path: string | undefined;
  /** The template's exported macros and top-level variables. */
  getExported(cb: (error: Error | null, exported: Record<string, unknown>) => void): void;
}

type TemplateCallback = (error: Error | null, template?: CompiledTemplate) => void;

interface EnvironmentState {
  env: TemplateEnvironment;
  sharedVersion: number;
}

const states = new WeakMap<object, EnvironmentState>();

/**
 * Whether a template name is autoescaped by default (Flask's `select_jinja_autoescape`):
 * HTML, XML and SVG files, and template strings (no name).
 *
 * @example
 * selectAutoescape("page.html"); // true
 * selectAutoescape("mail.txt");  // false
 */
export function selectAutoescape(name: string | null): boolean {
  if (name === null) return true;
  return /\.(?:html|htm|xml|xhtml|svg)$/.test(name);
}

/**
 * The app's Nunjucks environment, made on first use (`app.templates`). Filters, tests
 * and globals registered on the app since the last call are added to it.
 *
 * @example
 * templateEnvironment(app).addFilter("shout", (s: string) => s.toUpperCase());
 */
export function templateEnvironment(app: TemplatingApp): TemplateEnvironment {
  let state = states.get(app);
  if (state === undefined) states.set(app, (state = { env: createEnvironment(app), sharedVersion: -1 }));
  syncRegistered(app, state);
  return state.env;
}

// Nunjucks records where a function call is, for its error messages, but not where a
// filter is: an error raised in a filter named no line. Compile filters to record it the
// same way (the generated code gains two assignments). Done once, on the first
// environment, and harmless to any other Nunjucks user in the process.
const TRACKS_FILTERS = Symbol.for("flagon.nunjucksFilterPositions");
interface CompilerPrototype {
  [TRACKS_FILTERS]?: true;
  compileFilter(this: CompilerPrototype, node: { lineno: number; colno: number }, frame: unknown): void;
  _emit(this: CompilerPrototype, code: string): void;
}
function trackFilterPositions(): void {
  const proto = (nunjucks as unknown as { compiler?: { Compiler?: { prototype: CompilerPrototype } } }).compiler?.Compiler?.prototype;
  if (proto === undefined || proto[TRACKS_FILTERS] === true || typeof proto.compileFilter !== "function") return;
  const compileFilter = proto.compileFilter;
  proto.compileFilter = function positionedFilter(node, frame) {
    this._emit(`(lineno = ${Number(node.lineno)}, colno = ${Number(node.colno)}, `);
    compileFilter.call(this, node, frame);
    this._emit(")");
  };
  proto[TRACKS_FILTERS] = true;
}

// Two steps of Nunjucks' runtime cost more than they need to, on every render: each
// loop iteration sets its variables ("loop.index", "loop.first", ...) through
// Frame.set, which splits the name on "." every time; and every output is escaped by a
// regex replace with a callback even when there is nothing to escape. Both are redone
// with the same results: split names are kept (they come from template code, so there
// are few), and strings without a special character are returned as they are. Done
// once, for the whole process, like the compiler change above.
const FAST_RUNTIME = Symbol.for("flagon.nunjucksFastRuntime");
const MAX_SPLIT_NAMES = 1024;
const ESCAPED = /[&"'<>\\]/;

interface FramePrototype {
  [FAST_RUNTIME]?: true;
  variables: Record<string, any>;
  resolve(name: string, forWrite: boolean): FramePrototype | undefined;
  set(name: string, value: unknown, resolveUp?: boolean): void;
}

// Nunjucks' escapes, in one pass without a callback per character.
function escapeHtml(text: string): string {
  let out = "";
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    let entity: string;
    switch (text.charCodeAt(i)) {
      case 38: entity = "&amp;"; break; // &
      case 34: entity = "&quot;"; break; // "
      case 39: entity = "&#39;"; break; // '
      case 60: entity = "&lt;"; break; // <
      case 62: entity = "&gt;"; break; // >
      case 92: entity = "&#92;"; break; // \
      default: continue;
    }
    out += text.slice(last, i) + entity;
    last = i + 1;
  }
  return out + text.slice(last);
}

function speedUpRuntime(): void {
  const runtime = nunjucks.runtime as unknown as { Frame?: { prototype: FramePrototype } };
  const lib = (nunjucks as unknown as { lib?: { escape?: (s: string) => string } }).lib;
  const proto = runtime.Frame?.prototype;
  if (proto === undefined || proto[FAST_RUNTIME] === true || lib === undefined || typeof lib.escape !== "function") return;
  const splitNames = new globalThis.Map<string, readonly string[]>();
  const split = (name: string): readonly string[] => {
    let parts = splitNames.get(name);
    if (parts === undefined) {
      parts = name.split(".");
      if (splitNames.size < MAX_SPLIT_NAMES) splitNames.set(name, parts);
    }
    return parts;
  };
  proto.set = function set(this: FramePrototype, name: string, value: unknown, resolveUp?: boolean): void {
    const parts = split(name);
    if (resolveUp) {
      const frame = this.resolve(parts[0]!, true);
      if (frame) return frame.set(name, value);
    }
    let obj = this.variables;
    for (let i = 0; i < parts.length - 1; i++) {
      const id = parts[i]!;
      if (!obj[id]) obj[id] = {};
      obj = obj[id];
    }
    obj[parts[parts.length - 1]!] = value;
  };
  lib.escape = function fastEscape(text: string): string {
    return ESCAPED.test(text) ? escapeHtml(text) : text;
  };
  proto[FAST_RUNTIME] = true;
}

function createEnvironment(app: TemplatingApp): TemplateEnvironment {
  trackFilterPositions();
  speedUpRuntime();
  const loader = typeof app.createGlobalTemplateLoader === "function" ? app.createGlobalTemplateLoader() : new DispatchingLoader(app);
  // dev: keep the error a filter or global threw as the render error's `cause` (without
  // it Nunjucks replaces it with a bare Error), so it can be rethrown as itself.
  const env = new nunjucks.Environment(loader as nunjucks.ILoader, { autoescape: true, dev: true }) as TemplateEnvironment;
  const plain = Object.create(env, {
    opts: { value: Object.create(env.opts, { autoescape: { value: false, enumerable: true } }) },
  }) as TemplateEnvironment;
  const escapes = (name: string): boolean =>
    typeof app.selectTemplateAutoescape === "function" ? app.selectTemplateAutoescape(name) : selectAutoescape(name);
  const baseGetTemplate = nunjucks.Environment.prototype.getTemplate as (...args: unknown[]) => CompiledTemplate | undefined;

  // Every load goes through here, including `{% include %}`/`{% extends %}` from compiled
  // templates (through either view, which inherits this own property).
  (env as { getTemplate: unknown }).getTemplate = function getTemplate(
    this: TemplateEnvironment,
    name: unknown,
    eagerCompile?: unknown,
    parentName?: unknown,
    ignoreMissing?: unknown,
    cb?: TemplateCallback,
  ): CompiledTemplate | undefined {
    if (typeof parentName === "function") [cb, parentName] = [parentName as TemplateCallback, null];
    if (typeof eagerCompile === "function") [cb, eagerCompile] = [eagerCompile as TemplateCallback, false];
    const raw = (name as { raw?: unknown } | null)?.raw;
    const key = typeof name === "string" ? name : typeof raw === "string" ? raw : null;
    if (key !== null && isAutoReload(app)) {
      for (const l of env.loaders) (l as Partial<DispatchingLoader>).dropIfStale?.(key);
    }
    const bind = (template: CompiledTemplate | undefined): CompiledTemplate | undefined => {
      if (template !== undefined && key !== null) template.env = escapes(key) ? env : plain;
      return template;
    };
    if (cb === undefined) {
      try {
        return bind(baseGetTemplate.call(this, name, eagerCompile, parentName, ignoreMissing));
      } catch (error) {
        throw notFound(error, key, env);
      }
    }
    baseGetTemplate.call(this, name, eagerCompile, parentName, ignoreMissing, (error: Error | null, template?: CompiledTemplate) =>
      cb!(error === null || error === undefined ? null : (notFound(error, key, env) as Error), bind(template)),
    );
    return undefined;
  };

  env.addGlobal("config", app.config);
  // The proxies, as Flask's globals: they resolve to the current request's objects, and
  // the session is only opened (and marked accessed) when a template reads it.
  env.addGlobal("request", request);
  env.addGlobal("session", session);
  env.addGlobal("g", g);
  env.addGlobal("urlFor", templateUrlFor);
  env.addGlobal("url_for", templateUrlFor);
  return env;
}

// Nunjucks' own "template not found: x" becomes a TemplateNotFound naming the folders.
function notFound(error: unknown, name: string | null, env: TemplateEnvironment): unknown {
  if (!(error instanceof Error) || error instanceof TemplateNotFound || name === null) return error;
  if (error.message !== `template not found: ${name}`) return error;
  const searched: string[] = [];
  for (const l of env.loaders) {
    if (l instanceof DispatchingLoader) searched.push(...l.searchPaths());
  }
  return new TemplateNotFound(name, searched);
}

/** The name a template file was loaded under by the app's loader, or null. */
export function templateNameOf(env: TemplateEnvironment, path: string): string | null {
  for (const l of env.loaders) {
    const name = l instanceof DispatchingLoader ? l.nameOf(path) : null;
    if (name !== null) return name;
  }
  return null;
}

function syncRegistered(app: TemplatingApp, state: EnvironmentState): void {
  const env = state.env;
  if (state.sharedVersion !== sharedVersion) {
    for (const name in sharedGlobals) env.addGlobal(name, sharedGlobals[name]);
    state.sharedVersion = sharedVersion;
  }
  const filters = app.templateFilters;
  for (const name in filters) if (env.filters[name] !== filters[name]) env.addFilter(name, filters[name] as (...args: any[]) => any);
  const tests = app.templateTests;
  for (const name in tests) if (env.tests[name] !== tests[name]) env.addTest(name, tests[name]!);
  const globals = app.templateGlobals;
  for (const name in globals) if (env.globals[name] !== globals[name]) env.addGlobal(name, globals[name]);
}

// ---- keyword arguments ---------------------------------------------------------------

function isKeywords(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && Object.hasOwn(value, "__keywords");
}

/**
 * Merge the object arguments of a template call into one options object. Nunjucks passes
 * `f(x, a=1)` as `f(x, { a: 1, __keywords: true })`; an object literal `f(x, { a: 1 })`
 * works too.
 */
function optionsOf(args: readonly unknown[], camelCase: boolean): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const arg of args) {
    if (arg === null || typeof arg !== "object") continue;
    const keywords = isKeywords(arg);
    for (const key of Object.keys(arg)) {
      if (keywords && key === "__keywords") continue;
      options[camelCase ? camelCaseKey(key) : key] = (arg as Record<string, unknown>)[key];
    }
  }
  return options;
}

// "with_categories" → "withCategories"; a leading underscore stays ("_external").
function camelCaseKey(key: string): string {
  return key.replace(/(?<=[A-Za-z0-9])_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function snakeCaseName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * `url_for` in templates: `{{ url_for("show", id=3) }}` or `{{ urlFor("show", { id: 3 }) }}`.
 * Keyword names are URL values, so they are passed as written.
 */
function templateUrlFor(endpoint: string, ...args: unknown[]): string {
  return urlFor(endpoint, optionsOf(args, false) as UrlForValues);
}

// ---- globals shared by every app -------------------------------------------------------

const sharedGlobals: Record<string, unknown> = Object.create(null);
let sharedVersion = 0;

/**
 * Make a function available in every app's templates, under `name` and, for a camelCase
 * name, its snake_case twin (`getFlashedMessages` and `get_flashed_messages`). Keyword
 * arguments reach it as a last options object with camelCase keys, so a Jinja call
 * `get_flashed_messages(with_categories=true)` calls `fn({ withCategories: true })`.
 * Positional arguments before them are passed as they are.
 *
 * @example
 * registerTemplateGlobal("getFlashedMessages", getFlashedMessages);
 */
export function registerTemplateGlobal(name: string, fn: (...args: any[]) => unknown): void {
  const call = function templateGlobal(this: unknown, ...args: unknown[]): unknown {
    const last = args[args.length - 1];
    if (!isKeywords(last)) return fn.apply(this, args);
    const positional = args.slice(0, -1);
    const options = optionsOf([last], true);
    // Keywords extend an options object given positionally: f({ a: 1 }, b=2).
    const previous = positional[positional.length - 1];
    if (previous !== null && typeof previous === "object" && !Array.isArray(previous)) {
      positional[positional.length - 1] = { ...previous, ...options };
    } else {
      positional.push(options);
    }
    return fn.apply(this, positional);
  };
  sharedGlobals[name] = call;
  const snake = snakeCaseName(name);
  if (snake !== name) sharedGlobals[snake] = call;
  sharedVersion++;
}

registerTemplateGlobal("getFlashedMessages", getFlashedMessages);
