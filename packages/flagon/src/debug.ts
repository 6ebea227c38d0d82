/**
 * The debug error page (Werkzeug's debugger, without its console): with DEBUG on, an
 * unhandled error answers 500 with the error, its `cause` chain and each stack frame
 * mapped back to the TypeScript source, with a few lines of that source around it.
 *
 * Never an interactive console: the page is static HTML with no script, served under a
 * Content-Security-Policy that forbids scripts. It shows the error and the request line,
 * nothing else from the request (no headers, cookies or body). Rendering never throws:
 * a corrupt source map, an unreadable file or a hostile thrown value degrade the page,
 * never the 500 itself.
 *
 * An error raised while rendering a template also names the template, line and column
 * (as far as Nunjucks knows them) and shows the template lines around that line.
 */
import { inspect, types } from "node:util";
import { InternalServerError, Response, escapeHtml } from "@flagon/werk";
import { currentContext } from "./ctx.js";
import { SourceCache, parseStack, resolveStackFrames, type StackFrame } from "./tbtools.js";
import { describeLocation, templateLocationOf, type TemplateLocation } from "./templating/errors.js";

/** The request line shown on the page. */
export interface DebugRequestInfo {
  method: string;
  path: string;
}

const MAX_ERRORS = 16;

/** One error on the page: the thrown value, or one of its causes. */
interface ErrorSection {
  label: string | null;
  type: string;
  message: string;
  frames: StackFrame[];
  /** Where in a template the error happened, for errors raised while rendering one. */
  template: TemplateLocation | null;
}

function safeGet(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function safeString(value: unknown): string {
  try {
    return typeof value === "string" ? value : inspect(value, { depth: 3, breakLength: 100 });
  } catch {
    return "[a value that cannot be printed]";
  }
}

// `instanceof` misses errors from other realms (vm) and runs a Proxy's traps, which may throw.
function isError(value: unknown): value is Error {
  try {
    return types.isNativeError(value) || value instanceof Error;
  } catch {
    return false;
  }
}

function describe(value: unknown, label: string | null, cache: SourceCache): ErrorSection {
  if (!isError(value)) {
    const kind = value === null ? "null" : typeof value;
    return { label, type: `Non-error thrown (${kind})`, message: safeString(value), frames: [], template: null };
  }
  const name = safeGet(value, "name");
  const message = safeGet(value, "message");
  const code = safeGet(value, "code");
  const stack = safeGet(value, "stack");
  let type = typeof name === "string" && name !== "" ? name : String(safeGet(safeGet(value, "constructor") ?? {}, "name") ?? "Error");
  if (typeof code === "string" || typeof code === "number") type += ` [${code}]`;
  const frames = typeof stack === "string" ? resolveStackFrames(parseStack(stack), cache) : [];
  return { label, type, message: typeof message === "string" ? message : safeString(message), frames, template: templateLocationOf(value) };
}

// The error, then its causes and an AggregateError's errors, depth first, each once.
function collectSections(error: unknown, cache: SourceCache): ErrorSection[] {
  const sections: ErrorSection[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, label: string | null): void => {
    if (sections.length >= MAX_ERRORS || (typeof value === "object" && value !== null && seen.has(value))) return;
    seen.add(value);
    sections.push(describe(value, label, cache));
    if (!isError(value)) return;
    const errors = safeGet(value, "errors");
    if (Array.isArray(errors)) {
      for (let i = 0; i < errors.length; i++) visit(errors[i], `Error ${i + 1} of ${errors.length} in the group above`);
    }
    if ("cause" in value) visit(safeGet(value, "cause"), "The above was caused by");
  };
  visit(error, null);
  return sections;
}

function renderFrames(frames: StackFrame[]): string {
  if (frames.length === 0) return "<p class=empty>No stack trace.</p>\n";
  let html = "<ol class=frames>\n";
  let i = 0;
  while (i < frames.length) {
    if (!frames[i]!.isLibrary) {
      html += renderFrame(frames[i]!);
      i++;
      continue;
    }
    // Library frames (node:, node_modules, native) fold into one line per run.
    let j = i;
    while (j < frames.length && frames[j]!.isLibrary) j++;
    const count = j - i;
    html += `<li class=library><details><summary>${count} library frame${count === 1 ? "" : "s"}</summary><ul>`;
    for (let k = i; k < j; k++) html += `<li><code>${escapeHtml(frames[k]!.raw)}</code></li>`;
    html += "</ul></details></li>\n";
    i = j;
  }
  return html + "</ol>\n";
}

// The template the error happened in, with its lines around the error's line.
function renderTemplateLocation(location: TemplateLocation, cache: SourceCache): string {
  let html = `<div class=template><p>Error in ${escapeHtml(describeLocation(location))}`;
  if (location.path !== null && location.name !== location.path) html += ` <small>(${escapeHtml(location.path)})</small>`;
  html += "</p>";
  const lines = location.path !== null ? cache.linesOf(location.path) : location.source !== null ? location.source.split(/\r?\n/) : null;
  if (lines !== null && lines.length > 0) {
    const line = location.line;
    const first = line === null ? 1 : Math.max(1, line - TEMPLATE_CONTEXT_LINES);
    const last = line === null ? Math.min(lines.length, 2 * TEMPLATE_CONTEXT_LINES + 1) : Math.min(lines.length, line + TEMPLATE_CONTEXT_LINES);
    html += "<pre class=source>";
    for (let number = first; number <= last; number++) {
      const text = `<span class=ln>${String(number).padStart(5)}</span> ${escapeHtml(lines[number - 1]!)}`;
      html += number === line ? `<mark class=current aria-current=true>${text}</mark>\n` : `${text}\n`;
    }
    html += "</pre>";
  }
  return html + "</div>\n";
}

const TEMPLATE_CONTEXT_LINES = 3;

function renderFrame(frame: StackFrame): string {
  const name = frame.functionName === "" ? "<top level>" : frame.functionName;
  const where =
    frame.file === null
      ? escapeHtml(frame.raw)
      : `<span class=file>${escapeHtml(frame.file)}</span>:<span class=line>${frame.line}</span>:${frame.column}`;
  let html = `<li class=frame><div class=where><code class=fn>${escapeHtml(name)}</code> in ${where}`;
  if (frame.isMapped) html += " <small>(source map)</small>";
  html += "</div>";
  const context = frame.context;
  if (context !== null) {
    html += "<pre class=source>";
    for (let k = 0; k < context.lines.length; k++) {
      const number = context.firstLine + k;
      const text = `<span class=ln>${String(number).padStart(5)}</span> ${escapeHtml(context.lines[k]!)}`;
      html += number === frame.line ? `<mark class=current aria-current=true>${text}</mark>\n` : `${text}\n`;
    }
    html += "</pre>";
  }
  return html + "</li>\n";
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#b22;color:#fff;padding:16px 24px}header h1{margin:4px 0 0;font-size:20px;white-space:pre-wrap;word-break:break-word}
.request{margin:0;opacity:.85;font-family:ui-monospace,monospace}
section{padding:8px 24px}h2{font-size:16px;margin:16px 0 4px}h2 .msg{font-weight:normal;white-space:pre-wrap}
.frames{list-style:none;padding:0;margin:0}.frames>li{margin:6px 0;background:#fff;border:1px solid #ddd;border-radius:4px;padding:6px 10px}
.library{color:#777;font-size:12px}.library ul{margin:4px 0;padding-left:16px}
.template{margin:6px 0;background:#fff;border:1px solid #e0b050;border-radius:4px;padding:6px 10px}.template p{margin:0}
.file{color:#135}.line{font-weight:bold}
pre.source{margin:6px 0 0;padding:6px;background:#f4f4f4;overflow:auto;font:12px/1.4 ui-monospace,monospace}
pre.source mark{display:block;background:#fde3a7}.ln{color:#999;user-select:none}
footer{padding:16px 24px;color:#777;font-size:12px}`;

/**
 * The debug page's HTML for an error (any thrown value), with the request line when
 * given (by default the current request's, if there is one).
 */
export function renderDebugPage(error: unknown, request: DebugRequestInfo | null = currentRequestInfo()): string {
  const cache = new SourceCache();
  const sections = collectSections(error, cache);
  const top = sections[0]!;
  let html =
    "<!doctype html>\n<html lang=en>\n<meta charset=utf-8>\n<title>" +
    escapeHtml(`${top.type}: ${firstLine(top.message)}`) +
    " // Flagon debug</title>\n<style>" +
    STYLE +
    "</style>\n<header>";
  if (request !== null) html += `<p class=request>${escapeHtml(`${request.method} ${request.path}`)}</p>`;
  html += `<h1>${escapeHtml(top.type)}: ${escapeHtml(top.message)}</h1></header>\n`;
  for (const section of sections) {
    html += "<section>";
    if (section.label !== null) {
      html += `<h2>${escapeHtml(section.label)}: ${escapeHtml(section.type)}: <span class=msg>${escapeHtml(section.message)}</span></h2>`;
    } else {
      html += "<h2>Traceback <small>(most recent call first)</small></h2>";
    }
    if (section.template !== null) html += renderTemplateLocation(section.template, cache);
    html += renderFrames(section.frames) + "</section>\n";
  }
  return (
    html +
    "<footer>This page is shown because DEBUG is on. It shows your source code: never turn DEBUG on in production.</footer>\n"
  );
}

function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return end < 0 ? text : text.slice(0, end);
}

function currentRequestInfo(): DebugRequestInfo | null {
  try {
    const ctx = currentContext();
    if (ctx === undefined || !ctx.hasRequest) return null;
    const request = ctx.request as { method?: unknown; path?: unknown };
    return { method: String(request.method), path: String(request.path) };
  } catch {
    return null;
  }
}

// Debug pages are built for one person; no cache may keep them, no script may run in them.
const DEBUG_HEADERS: Array<[string, string]> = [
  ["Cache-Control", "no-store"],
  ["Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"],
  ["X-Content-Type-Options", "nosniff"],
];

/**
 * A 500 response showing the error, its causes and its stack mapped to the source
 * (debug mode only). Never throws: if the full page cannot be built, a plainer one is.
 *
 * @example
 * const response = app.debug ? debugErrorResponse(error) : new InternalServerError().getResponse();
 */
export function debugErrorResponse(error: unknown, request?: DebugRequestInfo | null): Response {
  const status = InternalServerError.code ?? 500;
  let body: string;
  try {
    body = renderDebugPage(error, request === undefined ? currentRequestInfo() : request);
  } catch (renderError) {
    body = plainPage(error, renderError);
  }
  return new Response(body, { status, headers: DEBUG_HEADERS });
}

// The page of last resort: the error's own text, then why the full page failed.
function plainPage(error: unknown, renderError: unknown): string {
  let text: string;
  try {
    const stack = isError(error) ? safeGet(error, "stack") : undefined;
    text = typeof stack === "string" ? stack : safeString(error);
  } catch {
    text = "[the error cannot be printed]";
  }
  return (
    "<!doctype html>\n<html lang=en>\n<meta charset=utf-8>\n<title>Internal Server Error // Flagon debug</title>\n" +
    `<h1>Internal Server Error</h1>\n<pre>${escapeHtml(text)}</pre>\n` +
    `<p>The debug page could not be rendered: ${escapeHtml(safeString(renderError))}</p>\n`
  );
}
