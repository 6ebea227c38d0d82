/**
 * Template errors (Jinja's `TemplateNotFound`, `TemplateSyntaxError`) and where in a
 * template an error happened. Nunjucks reports a failed render as a "Template render
 * error" whose message starts with `(path) [Line N, Column M]`; this module reads that
 * back into a {@link TemplateLocation} so the debug page can name the template, line and
 * column. It does not import Nunjucks, so the debug page can use it cheaply.
 */

/** Where in a template an error happened. Line and column are 1-based; null when unknown. */
export interface TemplateLocation {
  /** The template's name as rendered (`"admin/index.html"`), or null for a template string. */
  name: string | null;
  /** The template file, or null for a template string. */
  path: string | null;
  line: number | null;
  column: number | null;
  /** The template's text when it has no file (`renderTemplateString`), for the debug page. */
  source: string | null;
}

const LOCATION = Symbol.for("flagon.templateLocation");

/**
 * No template of that name exists in the app's or any blueprint's template folder.
 *
 * @example
 * await renderTemplate(["custom.html", "default.html"]); // throws when neither exists
 */
export class TemplateNotFound extends Error {
  /** The name looked up (the first one, when several were tried). */
  readonly templateName: string;
  /** Every name that was tried, in order. */
  readonly names: string[];

  constructor(names: string | string[], searched: string[] = []) {
    const list = typeof names === "string" ? [names] : names;
    const where = searched.length === 0 ? "" : ` Searched: ${searched.join(", ")}.`;
    super(
      list.length === 1
        ? `Template "${list[0]}" was not found.${where} Check the name, or the templateFolder of the app and its blueprints.`
        : `None of the templates ${list.map((n) => `"${n}"`).join(", ")} was found.${where}`,
    );
    this.name = "TemplateNotFound";
    this.templateName = list[0] ?? "";
    this.names = list;
  }
}

/**
 * A template that cannot be compiled or rendered because of its own text (Jinja's
 * `TemplateSyntaxError`): the message names the template, line and column.
 */
export class TemplateError extends Error {
  /** Where the error is, as far as Nunjucks knows. */
  readonly location: TemplateLocation;

  constructor(message: string, location: TemplateLocation, options?: { cause?: unknown }) {
    super(`${describeLocation(location)}: ${message}`, options);
    this.name = "TemplateError";
    this.location = location;
  }
}

/** `template "index.html", line 3, column 7` — the location in words. */
export function describeLocation(location: TemplateLocation): string {
  let text = location.name !== null ? `template "${location.name}"` : location.path !== null ? `template ${location.path}` : "template string";
  if (location.line !== null) text += `, line ${location.line}`;
  if (location.column !== null) text += `, column ${location.column}`;
  return text;
}

/**
 * The template location recorded on an error thrown while rendering (or read from a raw
 * Nunjucks render error), or null when the error did not come from a template.
 */
export function templateLocationOf(error: unknown): TemplateLocation | null {
  if (error === null || (typeof error !== "object" && typeof error !== "function")) return null;
  try {
    const recorded = (error as Record<symbol, unknown>)[LOCATION];
    if (recorded !== undefined) return recorded as TemplateLocation;
    if (error instanceof TemplateError) return error.location;
    return isNunjucksError(error) ? unwrapNunjucksError(error, () => null).location : null;
  } catch {
    return null; // A hostile Proxy: no location rather than a failing error page.
  }
}

interface NunjucksError extends Error {
  lineno?: number;
  colno?: number;
  cause?: unknown;
}

function isNunjucksError(value: unknown): value is NunjucksError {
  return value instanceof Error && value.name === "Template render error";
}

// "(path) [Line 3, Column 7]\n  " — Nunjucks prepends one such line per template the error
// crosses on its way out; only the innermost (the last) carries the position.
const PREFIX_RE = /^\s*\(([^\n]*?)\)(?: \[Line (\d+)(?:, Column (\d+))?\])?\n/;

/** The innermost template path named in a Nunjucks message, and the message without the prefixes. */
function splitMessage(message: string): { path: string | null; text: string } {
  let path: string | null = null;
  let rest = message;
  for (let match = PREFIX_RE.exec(rest); match !== null; match = PREFIX_RE.exec(rest)) {
    path = match[1] === "unknown path" ? null : match[1]!;
    rest = rest.slice(match[0].length);
  }
  return { path, text: rest.trim() };
}

/**
 * Read a Nunjucks render error: the location, and the error that caused it (what a filter
 * or global threw), or null when Nunjucks raised it itself (a syntax error).
 *
 * Nunjucks wraps a thrown error with the position of the call in progress, 0-based, and
 * `0, 0` when it knows none (filters do not record one); its own errors carry 1-based
 * positions. An error crossing an `{% include %}` may be wrapped once per template.
 */
export function unwrapNunjucksError(
  error: NunjucksError,
  nameOf: (path: string) => string | null,
): { location: TemplateLocation; cause: unknown; text: string } {
  let best: TemplateLocation | null = null;
  let text = error.message;
  let current: unknown = error;
  for (let depth = 0; isNunjucksError(current) && depth < 32; depth++) {
    const split = splitMessage(current.message);
    const hasCause = current.cause !== undefined && current.cause !== null;
    const lineno = typeof current.lineno === "number" ? current.lineno : 0;
    const colno = typeof current.colno === "number" ? current.colno : 0;
    const known = hasCause ? lineno > 0 || colno > 0 : lineno > 0;
    const location: TemplateLocation = {
      name: split.path === null ? null : (nameOf(split.path) ?? split.path),
      path: split.path,
      line: known ? (hasCause ? lineno + 1 : lineno) : null,
      column: known && colno > 0 ? (hasCause ? colno + 1 : colno) : null,
      source: null,
    };
    // The deepest wrapper knows the innermost template; keep an outer position over none.
    if (best === null || location.line !== null || best.line === null) best = location;
    text = split.text;
    if (!hasCause) {
      current = null;
      break;
    }
    current = current.cause;
  }
  return { location: best!, cause: current, text };
}

/**
 * The error to throw for a failed render: what the template's code threw (an
 * `HTTPException` from `abort`, a `BuildError`, a user error), with its template location
 * recorded for the debug page — so error handlers see the same error as in a view, as
 * with Jinja — or a {@link TemplateError} for the template's own mistakes.
 */
export function templateFailure(error: unknown, nameOf: (path: string) => string | null, source: string | null): unknown {
  if (!isNunjucksError(error)) return error;
  const { location, cause, text } = unwrapNunjucksError(error, nameOf);
  if (location.path === null) location.source = source;
  if (cause !== null && cause !== undefined && recordLocation(cause, location)) return cause;
  return new TemplateError(text, location, cause === null ? undefined : { cause });
}

function recordLocation(error: unknown, location: TemplateLocation): boolean {
  if (typeof error !== "object" && typeof error !== "function") return false;
  try {
    // The innermost template wins when the same error crosses nested renders.
    if (Object.hasOwn(error as object, LOCATION)) return true;
    return Reflect.defineProperty(error as object, LOCATION, { value: location, configurable: true });
  } catch {
    return false;
  }
}
