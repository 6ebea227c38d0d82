/**
 * Traceback tools for the debug page (Werkzeug's `debug/tbtools.py`): parse V8's stack
 * text into frames, map generated JavaScript positions back to their TypeScript sources,
 * and read the source lines around each frame.
 *
 * Stacks usually arrive already mapped: vitest, tsx and `node --enable-source-maps`
 * rewrite them. Frames that still point into `.js` files are mapped here, through the
 * maps Node registered (`module.findSourceMap`), else through the file's own
 * `//# sourceMappingURL=` comment (inline `data:` or a `.map` file). Nothing here throws:
 * an unreadable file or a corrupt map leaves the frame as V8 printed it.
 */
import { readFileSync, statSync } from "node:fs";
import { SourceMap, findSourceMap } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Lines of a source file around a frame's line. */
export interface SourceContext {
  /** The 1-based number of `lines[0]`. */
  firstLine: number;
  lines: string[];
}

/** One frame of a stack trace, parsed from V8's text and mapped to its source. */
export interface StackFrame {
  /** The frame line as V8 printed it, without "at ". */
  raw: string;
  /** The function as V8 named it ("async handler", "new Post"); "" for top-level code. */
  functionName: string;
  /** A file path, or a URL V8 gave (`node:internal/...`); null for native and eval frames. */
  file: string | null;
  /** 1-based line and column, in `file`. */
  line: number | null;
  column: number | null;
  /** Whether the position came from a source map (rather than straight from V8). */
  isMapped: boolean;
  /** Node internals, node_modules and native frames: collapsed on the page. */
  isLibrary: boolean;
  /** Up to 3 lines either side of `line`, when the source could be read. */
  context: SourceContext | null;
}

const CONTEXT_LINES = 3;
const MAX_FRAMES = 100;
// Source files past this size are not read: a minified bundle's one huge line helps no
// one, and reading is synchronous.
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
const FRAME_RE = /^\s*at\s+(.*)$/;
const LOCATION_RE = /^(.*):(\d+):(\d+)$/;
const GENERATED_RE = /\.[cm]?js$/i;
const LIBRARY_RE = /[\\/]node_modules[\\/]|^node:|^internal[\\/]/;
const MAPPING_URL_RE = /\/[/*][#@]\s*sourceMappingURL=([^\s*'"]+)\s*(?:\*\/\s*)?$/;

/**
 * Parse V8's stack text into frames (`raw`, name, file, line, column), unmapped and
 * without source; lines that are not frames (the message) are skipped.
 *
 * @example
 * parseStack("Error: x\n    at boom (/app/x.ts:4:9)")[0]; // { functionName: "boom", file: "/app/x.ts", line: 4, ... }
 */
export function parseStack(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const text of stack.split("\n")) {
    const match = FRAME_RE.exec(text);
    if (match === null) continue;
    frames.push(parseFrame(match[1]!.trim()));
    if (frames.length === MAX_FRAMES) break;
  }
  return frames;
}

function parseFrame(raw: string): StackFrame {
  let functionName = "";
  let location = raw;
  // "name (location)"; the first " (" since eval locations nest parentheses.
  const open = raw.indexOf(" (");
  if (open > 0 && raw.endsWith(")")) {
    functionName = raw.slice(0, open);
    location = raw.slice(open + 2, -1);
  } else if (raw.startsWith("async ")) {
    // An anonymous async function: "async file:///app/x.mjs:1:2".
    functionName = "async";
    location = raw.slice(6);
  }
  const frame: StackFrame = {
    raw,
    functionName,
    file: null,
    line: null,
    column: null,
    isMapped: false,
    isLibrary: true,
    context: null,
  };
  const position = location.startsWith("eval at ") ? null : LOCATION_RE.exec(location);
  if (position !== null) {
    frame.file = toPath(position[1]!);
    frame.line = Number(position[2]);
    frame.column = Number(position[3]);
    frame.isLibrary = LIBRARY_RE.test(frame.file);
  }
  return frame;
}

// ESM frames name file URLs; everything else on the page works with paths.
function toPath(location: string): string {
  if (!location.startsWith("file:")) return location;
  try {
    return fileURLToPath(location);
  } catch {
    return location;
  }
}

/**
 * Source maps and file lines looked up while rendering one page; each file is read at
 * most once per page, and again on the next (so edits show up after a reload).
 */
export class SourceCache {
  readonly #maps = new Map<string, LoadedMap | null>();
  readonly #lines = new Map<string, string[] | null>();

  /** The source position of a generated (.js) position, or null when no map covers it. */
  mapPosition(file: string, line: number, column: number): { file: string; line: number; column: number } | null {
    if (!GENERATED_RE.test(file)) return null; // V8 (or vitest, tsx) already reported source positions.
    const loaded = this.#mapFor(file);
    if (loaded === null) return null;
    const entry = loaded.map.findEntry(line - 1, column - 1) as Partial<SourceMapEntry>;
    // findEntry answers with the nearest earlier mapping, possibly lines away: not this code.
    if (entry.originalSource === undefined || entry.generatedLine !== line - 1) return null;
    const source = toPath(entry.originalSource);
    const content = loaded.contents.get(entry.originalSource);
    if (content !== undefined && !this.#lines.has(source) && !isReadable(source)) this.#lines.set(source, splitLines(content));
    return { file: source, line: (entry.originalLine ?? 0) + 1, column: (entry.originalColumn ?? 0) + 1 };
  }

  /** The lines of a source file, or null when it cannot be read. */
  linesOf(file: string): string[] | null {
    let lines = this.#lines.get(file);
    if (lines === undefined) {
      const text = readSource(file);
      lines = text === null ? null : splitLines(text);
      this.#lines.set(file, lines);
    }
    return lines;
  }

  #mapFor(file: string): LoadedMap | null {
    let loaded = this.#maps.get(file);
    if (loaded === undefined) {
      loaded = registeredMap(file) ?? commentMap(file);
      this.#maps.set(file, loaded);
    }
    return loaded;
  }
}

interface SourceMapEntry {
  generatedLine: number;
  originalSource: string;
  originalLine: number;
  originalColumn: number;
}

/** A source map, and the sources it embeds (`sourcesContent`) by their resolved URL. */
interface LoadedMap {
  map: SourceMap;
  contents: Map<string, string>;
}

// Node keeps the maps of modules it loaded with --enable-source-maps (or after
// process.setSourceMapsEnabled, as tsx does), with sources already resolved to URLs.
function registeredMap(file: string): LoadedMap | null {
  try {
    const map = findSourceMap(file) ?? findSourceMap(pathToFileURL(file).href);
    return map === undefined ? null : withContents(map, map.payload as unknown as RawSourceMap);
  } catch {
    return null;
  }
}

interface RawSourceMap {
  version?: number;
  sources?: unknown[];
  sourceRoot?: string;
  sourcesContent?: unknown[];
  mappings?: string;
  names?: string[];
}

// Without Node's registry, the generated file's own `//# sourceMappingURL=` comment: an
// inline `data:` map (tsx, esbuild, `inlineSourceMap`) or a `.map` file next to it (tsc).
function commentMap(file: string): LoadedMap | null {
  try {
    const text = readSource(file);
    if (text === null) return null;
    const tail = text.slice(Math.max(0, text.length - 512 * 1024)).trimEnd();
    const lastLine = tail.slice(tail.lastIndexOf("\n") + 1);
    const match = MAPPING_URL_RE.exec(lastLine);
    if (match === null) return null;
    const fileUrl = pathToFileURL(file);
    let mapUrl: URL;
    let json: string;
    if (match[1]!.startsWith("data:")) {
      mapUrl = fileUrl;
      json = decodeDataUrl(match[1]!);
    } else {
      mapUrl = new URL(match[1]!, fileUrl);
      if (mapUrl.protocol !== "file:") return null;
      const mapText = readSource(fileURLToPath(mapUrl));
      if (mapText === null) return null;
      json = mapText;
    }
    const raw = JSON.parse(json) as RawSourceMap;
    if (raw === null || typeof raw !== "object" || !Array.isArray(raw.sources) || typeof raw.mappings !== "string") return null;
    // Node's registry resolves sources against the map's URL; a hand-built SourceMap does not.
    const root = typeof raw.sourceRoot === "string" && raw.sourceRoot !== "" ? raw.sourceRoot.replace(/\/?$/, "/") : "";
    const sources = raw.sources.map((source) => new URL(root + String(source), mapUrl).href);
    const payload = { ...raw, version: 3, sources, names: Array.isArray(raw.names) ? raw.names : [] };
    return withContents(new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]), payload);
  } catch {
    return null; // A corrupt map is as good as none: the raw frame is shown.
  }
}

function withContents(map: SourceMap, payload: RawSourceMap): LoadedMap {
  const contents = new Map<string, string>();
  const sources = payload.sources ?? [];
  const embedded = payload.sourcesContent ?? [];
  for (let i = 0; i < sources.length; i++) {
    if (typeof embedded[i] === "string") contents.set(String(sources[i]), embedded[i] as string);
  }
  return { map, contents };
}

function decodeDataUrl(url: string): string {
  const comma = url.indexOf(",");
  if (comma < 0) throw new Error("Malformed data: URL in sourceMappingURL.");
  const meta = url.slice(5, comma);
  const data = url.slice(comma + 1);
  return meta.endsWith(";base64") ? Buffer.from(data, "base64").toString("utf8") : decodeURIComponent(data);
}

function isReadable(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function readSource(file: string): string | null {
  if (!file.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(file)) return null; // node:, eval, native
  try {
    if (statSync(file).size > MAX_SOURCE_BYTES) return null;
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/**
 * Map each frame to its source (through source maps when V8 reported generated code)
 * and attach the surrounding source lines; library frames are left as V8 printed them.
 * Pass one `SourceCache` for several stacks (an error and its causes) so each file is
 * read once.
 */
export function resolveStackFrames(frames: StackFrame[], cache: SourceCache = new SourceCache()): StackFrame[] {
  for (const frame of frames) {
    if (frame.isLibrary || frame.file === null || frame.line === null || frame.column === null) continue;
    const mapped = cache.mapPosition(frame.file, frame.line, frame.column);
    if (mapped !== null) {
      frame.file = mapped.file;
      frame.line = mapped.line;
      frame.column = mapped.column;
      frame.isMapped = true;
      frame.isLibrary = LIBRARY_RE.test(mapped.file);
    }
    const lines = cache.linesOf(frame.file);
    if (lines !== null && frame.line <= lines.length) {
      const first = Math.max(1, frame.line - CONTEXT_LINES);
      const last = Math.min(lines.length, frame.line + CONTEXT_LINES);
      frame.context = { firstLine: first, lines: lines.slice(first - 1, last) };
    }
  }
  return frames;
}
