/**
 * The default matcher: generates JavaScript from the state tree, one function per
 * state, so that matching runs as straight-line code — static segments compared
 * character by character against literals, dynamic ones tried in weight order — with
 * exactly the order and backtracking of the reference `StateMachineMatcher`.
 *
 * Generated once per map on `update()`, like Werkzeug compiling its URL builders.
 */
import { ValidationError } from "./converters.js";
import { Kind, MatcherTree, type State } from "./matcher-tree.js";
import type { Rule } from "./rules.js";

type MatchFunction = (domain: string, path: string, method: string, websocket: boolean) => Rule | null;

/** Literal keys up to this length are compared as unrolled char codes; longer ones with startsWith. */
const UNROLL = 12;

class CodeWriter {
  states: State[] = [];
  regexes: RegExp[] = [];
  #ids = new globalThis.Map<State, number>();

  id(state: State): number {
    let id = this.#ids.get(state);
    if (id === undefined) {
      id = this.states.length;
      this.#ids.set(state, id);
      this.states.push(state);
    }
    return id;
  }
}

// `p` is where the segment starts; the key must be there, followed by "/" or the end.
function keyCondition(key: string): string {
  const n = key.length;
  const parts = [`len >= p + ${n}`, `(p + ${n} === len || path.charCodeAt(p + ${n}) === 47)`];
  if (n > UNROLL) parts.push(`path.startsWith(${JSON.stringify(key)}, p)`);
  else for (let j = 1; j < n; j++) parts.push(`path.charCodeAt(p + ${j}) === ${key.charCodeAt(j)}`);
  return parts.join(" && ");
}

function stateFunction(w: CodeWriter, state: State, id: number): string {
  const lines: string[] = [`function s${id}(p) {`];
  const empty = state.static?.get("");
  lines.push("  if (p < 0) {");
  if (state.rules.length) lines.push(`    const r = tryRules(R[${id}], false, U[${id}]); if (r !== null) return r;`);
  if (empty !== undefined && empty.rules.length) lines.push(`    return slashCheck(R[${w.id(empty)}]);`);
  else lines.push("    return null;");
  lines.push("  }");

  if (state.static !== null) {
    const byChar = new globalThis.Map<number, string[]>();
    for (const key of state.static.keys()) {
      if (key === "") continue;
      const c = key.charCodeAt(0);
      if (!byChar.has(c)) byChar.set(c, []);
      byChar.get(c)!.push(key);
    }
    if (byChar.size) {
      lines.push("  switch (path.charCodeAt(p)) {");
      for (const [c, keys] of byChar) {
        lines.push(`    case ${c}:`);
        for (const key of keys) {
          const child = w.id(state.static.get(key)!);
          lines.push(
            `      if (${keyCondition(key)}) { const r = s${child}(p + ${key.length} === len ? -1 : p + ${key.length + 1}); ` +
              "if (r !== null || slash) return r; break; }",
          );
        }
        lines.push("      break;");
      }
      lines.push("  }");
    }
    if (empty !== undefined) {
      lines.push(`  if (p === len || path.charCodeAt(p) === 47) { const r = s${w.id(empty)}(p === len ? -1 : p + 1); if (r !== null || slash) return r; }`);
    }
  }

  if (state.dynamic.length) {
    lines.push('  let e = path.indexOf("/", p); const nx = e < 0 ? -1 : e + 1; if (e < 0) e = len;');
    for (const t of state.dynamic) {
      const child = w.id(t.state);
      const next = `const r = s${child}`;
      if (t.kind === Kind.Segment || t.kind === Kind.Digits) {
        const test = t.kind === Kind.Segment ? "e !== p" : "digits(p, e)";
        lines.push(`  if (${test}) { starts[sp] = p; ends[sp] = e; sp++; ${next}(nx); if (r !== null || slash) return r; sp--; }`);
        continue;
      }
      const k = w.regexes.push(t.re!) - 1;
      const subject = t.final ? "(p === 0 ? path : path.slice(p))" : "path.slice(p, e)";
      const pushes = t.groups.map((g) => `starts[sp] = -1; texts[sp] = m[${g}]; sp++;`).join(" ");
      const remaining = !t.final ? "nx" : t.suffixed ? 'm[m.length - 1] === "/" ? len : -1' : "-1";
      lines.push(
        `  { const m = T[${k}].exec(${subject}); if (m !== null) { const mk = sp; ${pushes} ${next}(${remaining}); if (r !== null || slash) return r; sp = mk; } }`,
      );
    }
  }
  // Only a trailing slash is left: rules without strict slashes match here too.
  if (state.rules.length) lines.push(`  if (p === len) return tryRules(R[${id}], true);`);
  lines.push("  return null;", "}");
  return lines.join("\n");
}

function domainWalk(w: CodeWriter, root: State): string {
  const lines = ["function walkDomain(domain, target) {", "  path = target; len = target.length; sp = 0; slash = false;"];
  if (root.static !== null && root.static.size) {
    lines.push("  switch (domain) {");
    for (const [domain, state] of root.static) {
      const empty = state.static?.get("");
      // Every rule starts with "/", so a non-empty path can skip its leading empty segment.
      const start = empty !== undefined ? `len !== 0 ? s${w.id(empty)}(1) : s${w.id(state)}(0)` : `s${w.id(state)}(0)`;
      lines.push(`    case ${JSON.stringify(domain)}: { const r = ${start}; if (r !== null || slash) return r; break; }`);
    }
    lines.push("  }");
  }
  for (const t of root.dynamic) {
    const k = w.regexes.push(t.re ?? /^[^/]+$/) - 1;
    const pushes = t.re === null ? "starts[sp] = -1; texts[sp] = domain; sp++;" : t.groups.map((g) => `starts[sp] = -1; texts[sp] = m[${g}]; sp++;`).join(" ");
    const test = t.kind === Kind.Digits ? "/^\\d+$/.exec(domain)" : `T[${k}].exec(domain)`;
    lines.push(`  { const m = ${test}; if (m !== null) { ${pushes} const r = s${w.id(t.state)}(0); if (r !== null || slash) return r; sp = 0; } }`);
  }
  lines.push("  return null;", "}");
  return lines.join("\n");
}

const RUNTIME = `
let path = "", len = 0, method = "", ws = false, sp = 0, slash = false;
const starts = [], ends = [], texts = [], captured = [];
function digits(a, b) {
  if (a === b) return false;
  for (let i = a; i < b; i++) { const c = path.charCodeAt(i); if (c < 48 || c > 57) return false; }
  return true;
}
function convert(rule) {
  for (let i = 0; i < sp; i++) { const s = starts[i]; captured[i] = s < 0 ? texts[i] : path.slice(s, ends[i]); }
  if (rule._plainValues) { OUT.values = rule._makeValues(captured); return true; }
  try { OUT.values = rule._makeValues(captured); return true; }
  catch (err) { if (err instanceof ValidationError) return false; throw err; }
}
function tryRules(rules, lax, union) {
  // A 405 is the usual way to get here with nothing matching: when no rule takes the
  // method, the state's precomputed method list is all that 405 needs.
  if (!lax && union !== undefined) {
    let any = false;
    for (let i = 0; i < rules.length; i++) { const m = rules[i].methods; if (m === undefined || m.has(method)) { any = true; break; } }
    if (!any) {
      if (F.allowed === null) F.allowed = union.slice();
      else for (let j = 0; j < union.length; j++) if (!F.allowed.includes(union[j])) F.allowed.push(union[j]);
      return null;
    }
  }
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (lax && rule.strictSlashes) continue;
    if (rule.methods !== undefined && !rule.methods.has(method)) {
      const allowed = (F.allowed ??= []); const list = rule._methodList;
      for (let j = 0; j < list.length; j++) if (!allowed.includes(list[j])) allowed.push(list[j]);
      continue;
    }
    if (rule.websocket !== ws) { F.websocketMismatch = true; continue; }
    if (convert(rule)) return rule;
  }
  return null;
}
function slashCheck(rules) {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule.websocket !== ws) continue;
    if (rule.methods !== undefined && !rule.methods.has(method)) continue;
    if (rule.strictSlashes) { slash = true; return null; }
    if (convert(rule)) return rule;
  }
  return null;
}`;

const MATCH = `
return function match(domain, target, m, w) {
  F.allowed = null; F.websocketMismatch = false; F.redirectPath = undefined; method = m; ws = w;
  const table = S.get(domain);
  if (table !== undefined) {
    const rules = table.get(target);
    if (rules !== undefined) { path = target; len = target.length; sp = 0; const r = tryRules(rules, false); if (r !== null) return r; }
  }
  let r = walkDomain(domain, target);
  if (slash) { F.redirectPath = target + "/"; return null; }
  if (r !== null || !OUT.mergeSlashes || target.indexOf("//") < 0) return r;
  const merged = target.replace(/\\/{2,}/g, "/");
  r = walkDomain(domain, merged);
  if (slash) F.redirectPath = merged + "/";
  else if (r !== null && r.mergeSlashes !== false) F.redirectPath = merged;
  return null;
};`;

// Every method the rules of a state take, in order, or undefined when one takes them all.
function methodUnion(rules: Rule[]): string[] | undefined {
  const union: string[] = [];
  for (const rule of rules) {
    if (rule.methods === undefined) return undefined;
    for (const m of rule._methodList) if (!union.includes(m)) union.push(m);
  }
  return union;
}

/** Generate the match function for a tree; exported for tests that read the code. */
export function generateMatcherSource(root: State): { source: string; states: State[]; regexes: RegExp[] } {
  const w = new CodeWriter();
  const domain = domainWalk(w, root);
  const functions: string[] = [];
  // Ids are handed out while generating, so generate until every state has a function.
  for (let i = 0; i < w.states.length; i++) functions.push(stateFunction(w, w.states[i]!, i));
  return { source: `"use strict";${RUNTIME}\n${functions.join("\n")}\n${domain}\n${MATCH}`, states: w.states, regexes: w.regexes };
}

/**
 * Werkzeug's state machine, compiled to JavaScript: the fastest matcher, and the
 * default. Falls back to nothing: where code generation is forbidden, use
 * `StateMachineMatcher` (`new Map(rules, { matcher: StateMachineMatcher })`).
 */
export class CompiledMatcher extends MatcherTree {
  #run: MatchFunction | null = null;

  override update(): void {
    super.update();
    const { source, states, regexes } = generateMatcherSource(this.root);
    const factory = new Function("R", "U", "T", "S", "F", "OUT", "ValidationError", source) as (...args: unknown[]) => MatchFunction;
    this.#run = factory(
      states.map((s) => s.rules),
      states.map((s) => methodUnion(s.rules)),
      regexes,
      this.statics,
      this.failure,
      this,
      ValidationError,
    );
  }

  override match(domain: string, path: string, method: string, websocket: boolean): Rule | null {
    if (this.#run === null) this.update();
    return this.#run!(domain, path, method, websocket);
  }
}
