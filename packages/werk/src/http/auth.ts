/**
 * HTTP authentication headers: `Authorization` (request credentials) and
 * `WWW-Authenticate` (the server's challenge). A scheme carries either a token
 * (`Bearer abc`, and Basic's base64 `user:pass`) or `key=value` parameters (`Digest`).
 */
import { isToken, setOwn, titleCase } from "./_internal.js";
import { dumpHeader, parseDictHeader, quoteHeaderValue } from "./header-values.js";

/** Auth parameters: a key without a value maps to `null`. */
export type AuthParameters = Record<string, string | null>;

const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

// Strict base64: Node's decoder silently accepts bad padding and stray characters.
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function splitScheme(value: string): [scheme: string, rest: string] | undefined {
  const space = value.indexOf(" ");
  const scheme = (space < 0 ? value : value.slice(0, space)).toLowerCase();
  if (!isToken(scheme)) return undefined;
  return [scheme, space < 0 ? "" : value.slice(space + 1).trim()];
}

// An "=" that is not base64 padding means parameters; otherwise the rest is a token.
function hasParameters(rest: string): boolean {
  return rest.replace(/=+$/, "").includes("=");
}

function copyParameters(parameters: Readonly<AuthParameters> | undefined): AuthParameters {
  const copy: AuthParameters = {};
  if (parameters) for (const key of Object.keys(parameters)) setOwn(copy, key, parameters[key] ?? null);
  return copy;
}

function sameParameters(a: Readonly<AuthParameters>, b: Readonly<AuthParameters>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/** What `Authorization` and `WWW-Authenticate` share: a scheme with a token or parameters. */
abstract class AuthHeader {
  /** The scheme, lower-cased: "basic", "bearer", "digest", ... */
  type: string;
  /** The parameters (Basic's `username` and `password`, Digest's fields, `realm`, ...). */
  parameters: AuthParameters;
  /** The token of token schemes such as Bearer, else `undefined`. */
  token: string | undefined;

  constructor(type: string, parameters?: Readonly<AuthParameters> | null, token?: string | null) {
    this.type = type.toLowerCase();
    this.parameters = copyParameters(parameters ?? undefined);
    this.token = token ?? undefined;
  }

  /** A parameter's value; `undefined` when absent, `null` when given without a value. */
  get(key: string): string | null | undefined {
    return Object.hasOwn(this.parameters, key) ? this.parameters[key] : undefined;
  }

  /** True if the same scheme, token and parameters. */
  equals(other: AuthHeader): boolean {
    return other.type === this.type && other.token === this.token && sameParameters(other.parameters, this.parameters);
  }

  /** The header value. */
  abstract toHeader(): string;

  /** Same as `toHeader()`. */
  toString(): string {
    return this.toHeader();
  }
}

/**
 * The credentials of an `Authorization` header.
 *
 * @example
 * const auth = Authorization.fromHeader("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
 * auth?.type;      // "basic"
 * auth?.username;  // "Aladdin"
 * Authorization.fromHeader("Bearer abc.def")?.token; // "abc.def"
 */
export class Authorization extends AuthHeader {
  /**
   * Parse an `Authorization` header. Missing, empty or malformed values (bad base64 or
   * UTF-8 in Basic, a scheme that is not a token) give `undefined`; never throws.
   */
  static fromHeader(value: string | null | undefined): Authorization | undefined {
    if (!value) return undefined;
    const parts = splitScheme(value.trim());
    if (parts === undefined) return undefined;
    const [scheme, rest] = parts;
    if (scheme === "basic") {
      if (!BASE64_RE.test(rest)) return undefined;
      let decoded: string;
      try {
        decoded = utf8Fatal.decode(Buffer.from(rest, "base64"));
      } catch {
        return undefined;
      }
      const colon = decoded.indexOf(":");
      const username = colon < 0 ? decoded : decoded.slice(0, colon);
      const password = colon < 0 ? "" : decoded.slice(colon + 1);
      return new Authorization(scheme, { username, password });
    }
    if (hasParameters(rest)) return new Authorization(scheme, parseDictHeader(rest));
    return new Authorization(scheme, null, rest || undefined);
  }

  /** Basic's user name, or the `username` parameter of other schemes. */
  get username(): string | undefined {
    return this.parameters.username ?? undefined;
  }

  /** Basic's password. */
  get password(): string | undefined {
    return this.parameters.password ?? undefined;
  }

  /** The header value: `Basic <base64>`, `Bearer <token>` or `Digest k=v, ...`. */
  toHeader(): string {
    if (this.type === "basic") {
      const credentials = Buffer.from(`${this.username ?? ""}:${this.password ?? ""}`, "utf8").toString("base64");
      return `Basic ${credentials}`;
    }
    const scheme = titleCase(this.type);
    if (this.token !== undefined) return `${scheme} ${this.token}`;
    return Object.keys(this.parameters).length === 0 ? scheme : `${scheme} ${dumpHeader(this.parameters)}`;
  }
}

// Digest fields RFC 7616 always sends quoted.
const DIGEST_QUOTED = new Set(["realm", "domain", "nonce", "opaque", "qop"]);

/**
 * A `WWW-Authenticate` challenge, sent with a 401.
 *
 * @example
 * new WWWAuthenticate("basic", { realm: "Login Required" }).toHeader();
 * // 'Basic realm="Login Required"'
 */
export class WWWAuthenticate extends AuthHeader {
  /** Parse a `WWW-Authenticate` header (one challenge); missing or malformed gives `undefined`. */
  static fromHeader(value: string | null | undefined): WWWAuthenticate | undefined {
    if (!value) return undefined;
    const parts = splitScheme(value.trim());
    if (parts === undefined) return undefined;
    const [scheme, rest] = parts;
    if (hasParameters(rest)) return new WWWAuthenticate(scheme, parseDictHeader(rest));
    return new WWWAuthenticate(scheme, null, rest || undefined);
  }

  /** The `realm` parameter. */
  get realm(): string | undefined {
    return this.parameters.realm ?? undefined;
  }

  set realm(value: string | undefined) {
    this.set("realm", value);
  }

  /** Set a parameter; `undefined` removes it. */
  set(key: string, value: string | null | undefined): void {
    if (value === undefined) delete this.parameters[key];
    else setOwn(this.parameters, key, value);
  }

  /** The header value, e.g. `Basic realm="x"` or `Bearer`. */
  toHeader(): string {
    const scheme = titleCase(this.type);
    if (this.token !== undefined) return `${scheme} ${this.token}`;
    const keys = Object.keys(this.parameters);
    if (keys.length === 0) return scheme;
    if (this.type === "digest") {
      const items = keys.map((key) => {
        const value = this.parameters[key];
        if (value === null || value === undefined) return key;
        return `${key}=${quoteHeaderValue(value, !DIGEST_QUOTED.has(key))}`;
      });
      return `Digest ${items.join(", ")}`;
    }
    return `${scheme} ${dumpHeader(this.parameters)}`;
  }
}
