/**
 * The application's configuration: an object of UPPER_CASE keys with Flask's defaults
 * and loaders for objects, JSON (or any) files, mappings and prefixed environment
 * variables.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";

/** Flask's configuration keys, with the types Flagon uses for them. */
export interface ConfigValues {
  DEBUG: boolean;
  TESTING: boolean;
  /** Let errors reach the caller instead of a 500 page (defaults to TESTING || DEBUG). */
  PROPAGATE_EXCEPTIONS: boolean | null;
  SECRET_KEY: string | Buffer | null;
  /** Old keys still accepted for reading signed data, newest last. */
  SECRET_KEY_FALLBACKS: Array<string | Buffer> | null;
  /** Lifetime of permanent sessions, in seconds (Flask: 31 days). */
  PERMANENT_SESSION_LIFETIME: number;
  /** Host names requests may use (`.example.com` matches subdomains); others get 400. */
  TRUSTED_HOSTS: string[] | null;
  SERVER_NAME: string | null;
  APPLICATION_ROOT: string;
  SESSION_COOKIE_NAME: string;
  SESSION_COOKIE_DOMAIN: string | null;
  SESSION_COOKIE_PATH: string | null;
  SESSION_COOKIE_HTTPONLY: boolean;
  SESSION_COOKIE_SECURE: boolean;
  SESSION_COOKIE_PARTITIONED: boolean;
  SESSION_COOKIE_SAMESITE: "Strict" | "Lax" | "None" | null;
  SESSION_REFRESH_EACH_REQUEST: boolean;
  /** Largest request body accepted, in bytes; larger bodies get 413. */
  MAX_CONTENT_LENGTH: number | null;
  MAX_FORM_MEMORY_SIZE: number | null;
  MAX_FORM_PARTS: number | null;
  /** Cache max-age for static files, in seconds (null: no-cache with conditional requests). */
  SEND_FILE_MAX_AGE_DEFAULT: number | null;
  TRAP_BAD_REQUEST_ERRORS: boolean | null;
  TRAP_HTTP_EXCEPTIONS: boolean;
  EXPLAIN_TEMPLATE_LOADING: boolean;
  PREFERRED_URL_SCHEME: string;
  TEMPLATES_AUTO_RELOAD: boolean | null;
  MAX_COOKIE_SIZE: number;
  PROVIDE_AUTOMATIC_OPTIONS: boolean;
}

/** Flask's defaults, Flagon-typed: durations in seconds, `None` as null. */
export const DEFAULT_CONFIG: Readonly<ConfigValues> = Object.freeze({
  DEBUG: false,
  TESTING: false,
  PROPAGATE_EXCEPTIONS: null,
  SECRET_KEY: null,
  SECRET_KEY_FALLBACKS: null,
  PERMANENT_SESSION_LIFETIME: 31 * 24 * 60 * 60,
  TRUSTED_HOSTS: null,
  SERVER_NAME: null,
  APPLICATION_ROOT: "/",
  SESSION_COOKIE_NAME: "session",
  SESSION_COOKIE_DOMAIN: null,
  SESSION_COOKIE_PATH: null,
  SESSION_COOKIE_HTTPONLY: true,
  SESSION_COOKIE_SECURE: false,
  SESSION_COOKIE_PARTITIONED: false,
  SESSION_COOKIE_SAMESITE: null,
  SESSION_REFRESH_EACH_REQUEST: true,
  MAX_CONTENT_LENGTH: null,
  MAX_FORM_MEMORY_SIZE: 500_000,
  MAX_FORM_PARTS: 1_000,
  SEND_FILE_MAX_AGE_DEFAULT: null,
  TRAP_BAD_REQUEST_ERRORS: null,
  TRAP_HTTP_EXCEPTIONS: false,
  EXPLAIN_TEMPLATE_LOADING: false,
  PREFERRED_URL_SCHEME: "http",
  TEMPLATES_AUTO_RELOAD: null,
  MAX_COOKIE_SIZE: 4093,
  PROVIDE_AUTOMATIC_OPTIONS: true,
});

const isUpper = (key: string): boolean => key === key.toUpperCase() && /[A-Z]/.test(key);

/**
 * Configuration values by UPPER_CASE key, as Flask's `app.config`. Only upper-case keys
 * are loaded from objects and files, so helpers and lower-case names can live beside them.
 *
 * @example
 * app.config.fromObject({ SECRET_KEY: "dev", DEBUG: true });
 * app.config.fromPrefixedEnv(); // FLAGON_SECRET_KEY=... sets SECRET_KEY
 * app.config.SECRET_KEY;        // "dev"
 */
export class Config implements ConfigValues {
  [key: string]: unknown;
  declare DEBUG: boolean;
  declare TESTING: boolean;
  declare PROPAGATE_EXCEPTIONS: boolean | null;
  declare SECRET_KEY: string | Buffer | null;
  declare SECRET_KEY_FALLBACKS: Array<string | Buffer> | null;
  declare PERMANENT_SESSION_LIFETIME: number;
  declare TRUSTED_HOSTS: string[] | null;
  declare SERVER_NAME: string | null;
  declare APPLICATION_ROOT: string;
  declare SESSION_COOKIE_NAME: string;
  declare SESSION_COOKIE_DOMAIN: string | null;
  declare SESSION_COOKIE_PATH: string | null;
  declare SESSION_COOKIE_HTTPONLY: boolean;
  declare SESSION_COOKIE_SECURE: boolean;
  declare SESSION_COOKIE_PARTITIONED: boolean;
  declare SESSION_COOKIE_SAMESITE: "Strict" | "Lax" | "None" | null;
  declare SESSION_REFRESH_EACH_REQUEST: boolean;
  declare MAX_CONTENT_LENGTH: number | null;
  declare MAX_FORM_MEMORY_SIZE: number | null;
  declare MAX_FORM_PARTS: number | null;
  declare SEND_FILE_MAX_AGE_DEFAULT: number | null;
  declare TRAP_BAD_REQUEST_ERRORS: boolean | null;
  declare TRAP_HTTP_EXCEPTIONS: boolean;
  declare EXPLAIN_TEMPLATE_LOADING: boolean;
  declare PREFERRED_URL_SCHEME: string;
  declare TEMPLATES_AUTO_RELOAD: boolean | null;
  declare MAX_COOKIE_SIZE: number;
  declare PROVIDE_AUTOMATIC_OPTIONS: boolean;

  /** The folder relative file names are resolved against. */
  declare readonly rootPath: string;

  constructor(rootPath: string = process.cwd(), defaults: Partial<ConfigValues> & Record<string, unknown> = DEFAULT_CONFIG) {
    Object.defineProperty(this, "rootPath", { value: rootPath, enumerable: false });
    Object.assign(this, defaults);
  }

  /**
   * Copy the upper-case keys of an object (a module namespace, a class with static
   * fields, or a plain object) into the configuration.
   */
  fromObject(obj: object): this {
    // Static class fields and module namespaces are own properties; class instances may
    // carry getters on their prototype, so walk the chain up to Object.prototype.
    const seen = new Set<string>();
    for (let o: object | null = obj; o !== null && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
      for (const key of Object.getOwnPropertyNames(o)) {
        if (seen.has(key) || !isUpper(key)) continue;
        seen.add(key);
        this[key] = (obj as Record<string, unknown>)[key];
      }
    }
    return this;
  }

  /**
   * Load a file (relative to `rootPath`); JSON unless `load` parses the text. Only
   * upper-case keys are kept. With `silent`, a missing file returns false.
   */
  fromFile(filename: string, load: (text: string) => unknown = JSON.parse, opts: { silent?: boolean } = {}): boolean {
    const path = isAbsolute(filename) ? filename : resolve(this.rootPath, filename);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (opts.silent && (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR")) return false;
      (err as Error).message = `Unable to load configuration file (${(err as Error).message})`;
      throw err;
    }
    const data = load(text);
    if (data === null || typeof data !== "object") {
      throw new TypeError(`The configuration file "${path}" must hold an object of settings, not ${data === null ? "null" : typeof data}.`);
    }
    return this.fromMapping(data as Record<string, unknown>);
  }

  /** Load the file named by an environment variable (false with `silent` if unset). */
  fromEnvvar(variableName: string, opts: { silent?: boolean } = {}): boolean {
    const filename = process.env[variableName];
    if (!filename) {
      if (opts.silent) return false;
      throw new Error(
        `The environment variable "${variableName}" is not set and as such configuration could not be loaded. ` +
          "Set it to the path of a configuration file.",
      );
    }
    return this.fromFile(filename, JSON.parse, opts);
  }

  /** Copy upper-case keys of a mapping (object or Map) and of `extra`. */
  fromMapping(mapping?: Record<string, unknown> | globalThis.Map<string, unknown> | null, extra: Record<string, unknown> = {}): boolean {
    const entries = mapping instanceof globalThis.Map ? [...mapping] : Object.entries(mapping ?? {});
    for (const [key, value] of [...entries, ...Object.entries(extra)]) if (isUpper(key)) this[key] = value;
    return true;
  }

  /**
   * Load environment variables starting with `prefix_` (FLAGON_ by default), without the
   * prefix; values are parsed as JSON when they parse, and `__` nests objects
   * (`FLAGON_DB__HOST` sets `config.DB.HOST`).
   */
  fromPrefixedEnv(prefix = "FLAGON", loads: (text: string) => unknown = JSON.parse, env: NodeJS.ProcessEnv = process.env): boolean {
    const start = `${prefix}_`;
    for (const envKey of Object.keys(env).sort()) {
      if (!envKey.startsWith(start)) continue;
      const raw = env[envKey]!;
      let value: unknown = raw;
      try {
        value = loads(raw);
      } catch {
        // Not JSON: keep the string, as Flask does.
      }
      const parts = envKey.slice(start.length).split("__");
      const tail = parts.pop()!;
      let current: Record<string, unknown> = this;
      for (const part of parts) {
        const next = current[part];
        if (next === null || typeof next !== "object") current[part] = {};
        current = current[part] as Record<string, unknown>;
      }
      current[tail] = value;
    }
    return true;
  }

  /**
   * The keys starting with a namespace, e.g. `getNamespace("IMAGE_STORE_")` gives
   * `{ type: ..., path: ... }` for IMAGE_STORE_TYPE and IMAGE_STORE_PATH.
   */
  getNamespace(namespace: string, opts: { lowercase?: boolean; trimNamespace?: boolean } = {}): Record<string, unknown> {
    const { lowercase = true, trimNamespace = true } = opts;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (!key.startsWith(namespace)) continue;
      let name = trimNamespace ? key.slice(namespace.length) : key;
      if (lowercase) name = name.toLowerCase();
      out[name] = value;
    }
    return out;
  }

  /** A plain copy of every key. */
  toObject(): Record<string, unknown> {
    return { ...this };
  }

  toString(): string {
    return `<Config ${JSON.stringify(this.toObject())}>`;
  }
}
