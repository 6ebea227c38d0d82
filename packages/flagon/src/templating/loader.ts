/**
 * The app's template loader (Flask's `DispatchingJinjaLoader`): a name is looked up in
 * the app's template folder, then in each blueprint's, in registration order, so the
 * app can override any blueprint template. Blueprints are read when a template is
 * looked up, so ones registered after the environment was made are searched too.
 */
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** What the loader reads from a blueprint: its template folder, relative to its rootPath. */
export interface BlueprintTemplates {
  readonly templateFolder?: string | null;
  /** Null or missing: the app's rootPath. */
  readonly rootPath?: string | null;
}

/** The app properties template loading reads (a `Flagon` has them all). */
export interface TemplateLoadingApp {
  readonly name: string;
  readonly rootPath: string;
  readonly templateFolder: string | null;
  readonly config: { readonly [key: string]: unknown };
  /** Registered blueprints by name, as a Map or a plain object; read at lookup time. */
  readonly blueprints?: ReadonlyMap<string, BlueprintTemplates> | { readonly [name: string]: BlueprintTemplates };
  readonly logger?: { info(message: string, ...args: unknown[]): void };
}

/** One folder searched for templates, and whose it is. */
export interface TemplateSource {
  /** "application 'name'" or "blueprint 'name'". */
  owner: string;
  folder: string;
}

/** What a loader hands Nunjucks for a found template. */
export interface LoadedTemplate {
  src: string;
  path: string;
  noCache: boolean;
}

/**
 * The folders searched for templates, in order: the app's template folder, then each
 * blueprint's that has one.
 */
export function templateSources(app: TemplateLoadingApp): TemplateSource[] {
  const sources: TemplateSource[] = [];
  if (app.templateFolder !== null && app.templateFolder !== undefined) {
    sources.push({ owner: `application '${app.name}'`, folder: resolve(app.rootPath, app.templateFolder) });
  }
  const blueprints = app.blueprints;
  if (blueprints !== undefined && blueprints !== null) {
    const entries = blueprints instanceof Map ? blueprints.entries() : Object.entries(blueprints);
    for (const [name, bp] of entries as Iterable<[string, BlueprintTemplates]>) {
      if (bp?.templateFolder === null || bp?.templateFolder === undefined) continue;
      sources.push({ owner: `blueprint '${name}'`, folder: resolve(bp.rootPath ?? app.rootPath, bp.templateFolder) });
    }
  }
  return sources;
}

/**
 * The path segments of a template name, or null when the name could leave the folder
 * (Jinja's `split_template_path`: names always use "/", never "..").
 */
export function splitTemplatePath(name: string): string[] | null {
  const pieces: string[] = [];
  for (const piece of name.split("/")) {
    if (piece === ".." || piece.includes("\\") || piece.includes("\0")) return null;
    if (piece !== "" && piece !== ".") pieces.push(piece);
  }
  return pieces.length === 0 ? null : pieces;
}

/** Whether templates are checked for changes on each render: TEMPLATES_AUTO_RELOAD, else DEBUG. */
export function isAutoReload(app: TemplateLoadingApp): boolean {
  const setting = app.config.TEMPLATES_AUTO_RELOAD;
  return setting === null || setting === undefined ? Boolean(app.config.DEBUG) : Boolean(setting);
}

// Jinja drops one newline at the end of a template (keep_trailing_newline=False), so a
// file ending in a newline renders without one; ported templates rely on it.
function dropTrailingNewline(text: string): string {
  if (text.endsWith("\r\n")) return text.slice(0, -2);
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}

function fileMtime(path: string): number | null {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat !== undefined && stat.isFile() ? stat.mtimeMs : null;
  } catch {
    return null; // ENOTDIR, EACCES: not a template we can load.
  }
}

/**
 * A synchronous Nunjucks loader over the app's and the blueprints' template folders.
 * Synchronous on purpose: with an asynchronous loader Nunjucks cannot `{% include %}`
 * inside a plain `{% for %}` loop, which Jinja templates do.
 */
export class DispatchingLoader {
  /** Nunjucks' template cache, by name (Nunjucks assigns and fills it). */
  cache: Record<string, unknown> = Object.create(null);
  readonly #app: TemplateLoadingApp;
  // Name → file and modification time, to notice changes when auto-reloading, and
  // path → name, so errors can name the template.
  readonly #loaded = new Map<string, { path: string; mtime: number }>();
  readonly #names = new Map<string, string>();

  constructor(app: TemplateLoadingApp) {
    this.#app = app;
  }

  /** The template's source and file, or null when no folder has it. */
  getSource(name: string): LoadedTemplate | null {
    const explain = this.#app.config.EXPLAIN_TEMPLATE_LOADING === true ? [] as string[] : null;
    const pieces = splitTemplatePath(name);
    const sources = pieces === null ? [] : templateSources(this.#app);
    let found: LoadedTemplate | null = null;
    for (let i = 0; i < sources.length && found === null; i++) {
      const path = join(sources[i]!.folder, ...pieces!);
      const mtime = fileMtime(path);
      if (mtime !== null) {
        found = { src: dropTrailingNewline(readFileSync(path, "utf8")), path, noCache: false };
        this.#loaded.set(name, { path, mtime });
        this.#names.set(path, name);
      }
      explain?.push(`${i + 1}: trying loader of ${sources[i]!.owner}\n       searchpath: ${sources[i]!.folder}\n       -> ${mtime === null ? "no match" : `found (${path})`}`);
    }
    if (explain !== null) this.#explain(name, explain, found !== null);
    return found;
  }

  /** Forget a cached template whose file changed or vanished since it was loaded. */
  dropIfStale(name: string): void {
    const loaded = this.#loaded.get(name);
    if (loaded === undefined || fileMtime(loaded.path) === loaded.mtime) return;
    this.#loaded.delete(name);
    delete this.cache[name];
  }

  /** The name a template file was loaded under, or null. */
  nameOf(path: string): string | null {
    return this.#names.get(path) ?? null;
  }

  /** The folders searched, in order (for error messages). */
  searchPaths(): string[] {
    return templateSources(this.#app).map((source) => source.folder);
  }

  // Flask's EXPLAIN_TEMPLATE_LOADING: which folders were tried, logged at info level.
  #explain(name: string, attempts: string[], found: boolean): void {
    let text = `Locating template '${name}':\n    ${attempts.join("\n    ")}`;
    if (attempts.length === 0) text += "\n    (no template folders, or an invalid name)";
    if (!found) text += "\nError: the template could not be found.";
    this.#app.logger?.info(text);
  }
}
