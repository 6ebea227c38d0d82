/**
 * Parsing of rule strings into tokens, in both accepted syntaxes:
 * Werkzeug's (`/page/<int(min=1):id>`) and path-to-regexp's (`/users/:id`, `/files/*path`,
 * `/a{/:opt}`), plus Werkzeug's Python-style converter arguments.
 */
import { parse as parsePathToRegexp, type Token as PtrToken } from "path-to-regexp";
import type { ConverterKwargs } from "./converters.js";

/** One piece of a rule string: a slash, literal text, or a `<converter(args):name>` placeholder. */
export type RuleToken =
  | { type: "slash" }
  | { type: "static"; value: string }
  | { type: "variable"; converter: string; args: string | undefined; name: string };

// Werkzeug's part grammar: a slash, static text, or a placeholder. The argument list is
// lazy so that regular expressions with parentheses survive inside quoted arguments.
const PART_RE = /\/|[^</]+|<(?:([a-zA-Z_][a-zA-Z0-9_]*)(?:\((.*?)\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>/y;

// One converter argument: `name=` optionally, then True/False, a number, a bare word,
// or a quoted string; always followed by a comma (one is appended to the list).
const ARG_RE = /\s*(?:(\w+)\s*=\s*)?(True|False|\d+\.\d+|\d+\.|\d+|[\w.]+|[urUR]?("[^"]*?"|'[^']*'))\s*,/y;

const PY_CONSTANTS: Record<string, unknown> = { None: null, True: true, False: false };

function pythonize(value: string): unknown {
  if (value in PY_CONSTANTS) return PY_CONSTANTS[value];
  if (/^[+-]?\d+$/.test(value)) return Number.parseInt(value, 10);
  if (/^[+-]?(\d+\.\d*|\.\d+|\d+)(e[+-]?\d+)?$/i.test(value)) return Number.parseFloat(value);
  const q = value[0];
  if ((q === '"' || q === "'") && value.length >= 2 && value[value.length - 1] === q) return value.slice(1, -1);
  return value;
}

/**
 * Parse converter arguments in Python call syntax into positional and keyword values.
 *
 * @example
 * parseConverterArgs("test, a=1, b=3.0"); // [["test"], { a: 1, b: 3 }]
 */
export function parseConverterArgs(argstr: string): [unknown[], ConverterKwargs] {
  const text = argstr + ",";
  const args: unknown[] = [];
  const kwargs: ConverterKwargs = {};
  let pos = 0;
  ARG_RE.lastIndex = 0;
  while (pos < text.length) {
    // A lone trailing comma (from "a, b,") is allowed, as in Python calls.
    if (text.slice(pos).trim() === "," || text.slice(pos).trim() === "") break;
    ARG_RE.lastIndex = pos;
    const m = ARG_RE.exec(text);
    if (m === null) throw new SyntaxError(`Cannot parse converter argument '${argstr.slice(pos).trim()}' in "${argstr}".`);
    const value = pythonize(m[3] ?? m[2]!);
    if (m[1] === undefined) args.push(value);
    else kwargs[m[1]] = value;
    pos = ARG_RE.lastIndex;
  }
  return [args, kwargs];
}

/** Parse a rule string in Werkzeug syntax into tokens; throws on a malformed placeholder. */
export function tokenizeWerkzeugRule(rule: string): RuleToken[] {
  const tokens: RuleToken[] = [];
  let pos = 0;
  while (pos < rule.length) {
    PART_RE.lastIndex = pos;
    const m = PART_RE.exec(rule);
    if (m === null) {
      throw new SyntaxError(
        `Malformed URL rule "${rule}" at position ${pos}: a placeholder looks like <name> or <converter(args):name>.`,
      );
    }
    const text = m[0];
    if (text === "/") tokens.push({ type: "slash" });
    else if (m[3] !== undefined) tokens.push({ type: "variable", converter: m[1] ?? "default", args: m[2], name: m[3] });
    else tokens.push({ type: "static", value: text });
    pos = PART_RE.lastIndex;
  }
  return tokens;
}

// A `:name` or `*name` at the start of a segment or after punctuation, or a `{...}` group,
// marks path-to-regexp syntax; a colon inside a word (`/api/v1:batch`) stays literal.
const PTR_SYNTAX = /(?:^|[^A-Za-z0-9_])[:*][A-Za-z_$]|[{}]/;

/** Does this rule string use path-to-regexp syntax rather than Werkzeug's? */
export function isPathToRegexpSyntax(rule: string): boolean {
  return !rule.includes("<") && PTR_SYNTAX.test(rule);
}

/**
 * Parse a path-to-regexp rule string into one token list per variant: optional groups
 * (`{...}`) expand into the variants with and without them, the fullest first.
 */
export function tokenizePathToRegexpRule(rule: string): RuleToken[][] {
  let data;
  try {
    data = parsePathToRegexp(rule);
  } catch (err) {
    throw new SyntaxError(`Malformed URL rule "${rule}": ${(err as Error).message}`);
  }
  return expand(data.tokens).map(mergeStatic);
}

function expand(tokens: PtrToken[]): RuleToken[][] {
  let variants: RuleToken[][] = [[]];
  for (const token of tokens) {
    if (token.type === "group") {
      const inner = expand(token.tokens);
      const next: RuleToken[][] = [];
      for (const v of variants) for (const i of inner) next.push([...v, ...i]);
      for (const v of variants) next.push(v);
      variants = next;
      continue;
    }
    const piece = convertToken(token);
    for (const v of variants) v.push(...piece);
  }
  return variants;
}

function convertToken(token: Exclude<PtrToken, { type: "group" }>): RuleToken[] {
  if (token.type === "param") return [{ type: "variable", converter: "default", args: undefined, name: token.name }];
  if (token.type === "wildcard") return [{ type: "variable", converter: "path", args: undefined, name: token.name }];
  const out: RuleToken[] = [];
  token.value.split("/").forEach((piece, i) => {
    if (i > 0) out.push({ type: "slash" });
    if (piece) out.push({ type: "static", value: piece });
  });
  return out;
}

function mergeStatic(tokens: RuleToken[]): RuleToken[] {
  const out: RuleToken[] = [];
  for (const t of tokens) {
    const last = out[out.length - 1];
    if (t.type === "static" && last?.type === "static") out[out.length - 1] = { type: "static", value: last.value + t.value };
    else out.push(t);
  }
  return out;
}

/** Tokenize a rule string in whichever syntax it uses; path-to-regexp groups give several variants. */
export function tokenizeRule(rule: string): RuleToken[][] {
  return isPathToRegexpSyntax(rule) ? tokenizePathToRegexpRule(rule) : [tokenizeWerkzeugRule(rule)];
}
