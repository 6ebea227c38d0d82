/**
 * The matcher: a state machine compiled once per map from every rule's parts.
 *
 * Each state has static transitions (a hash lookup on the segment text) and dynamic
 * ones (converters), the latter sorted by weight. Matching walks the path segment by
 * segment, static first, backtracking into dynamic transitions, exactly in Werkzeug's
 * order. Fully static rules are also kept in one table per domain, so the common case
 * is a single lookup before any walking.
 */
import { ValidationError } from "./converters.js";
import { DuplicateRuleError } from "./exceptions.js";
import { compareWeighting, partKey, type RulePart } from "./rule-parts.js";
import type { Rule } from "./rules.js";

/** How one matching attempt ended, when it did not produce a rule. */
export interface MatchFailure {
  /** Methods that would have matched the path (for 405 responses). */
  allowed: Set<string> | null;
  /** A rule matched but its WebSocket flag did not. */
  websocketMismatch: boolean;
  /** Set when the matcher asks for a redirect to this (decoded) path. */
  redirectPath: string | undefined;
}

/** The matcher interface the map relies on, so implementations can be swapped and benchmarked. */
export interface Matcher {
  /** Add a bound rule; throws `DuplicateRuleError` when it matches exactly like another. */
  add(rule: Rule): void;
  /** Finish compilation after additions (sort transitions). */
  update(): void;
  /**
   * Match a domain part and path. On success returns the rule, with its converted values
   * in `values`; otherwise null, with details in `failure`.
   */
  match(domain: string, path: string, method: string, websocket: boolean): Rule | null;
  /** Values of the last successful match. */
  values: Record<string, unknown>;
  /** Details of the last failed match. */
  readonly failure: MatchFailure;
}

const enum Kind {
  /** Any non-empty segment (the default string converter). */
  Segment,
  /** ASCII digits only (the int converter). */
  Digits,
  /** A compiled regular expression. */
  Regex,
}

interface Transition {
  key: string;
  part: RulePart;
  state: State;
  kind: Kind;
  re: RegExp | null;
  groups: number[];
  final: boolean;
  suffixed: boolean;
}

class State {
  static: globalThis.Map<string, State> | null = null;
  dynamic: Transition[] = [];
  rules: Rule[] = [];
}

function anchored(content: string): RegExp {
  try {
    return new RegExp(`^(?:${content})$`, "u");
  } catch {
    // Converter regexes written for Python may use escapes unicode mode refuses.
    return new RegExp(`^(?:${content})$`);
  }
}

function transitionFor(part: RulePart, key: string): Transition {
  let kind = Kind.Regex;
  const single = part.converters.length === 1 && part.content === `(${part.converters[0]!.regex})`;
  if (single && !part.final) {
    const regex = part.converters[0]!.regex;
    if (regex === "[^/]+" || regex === "[^/]{1,}") kind = Kind.Segment;
    else if (regex === "\\d+") kind = Kind.Digits;
  }
  return {
    key,
    part,
    state: new State(),
    kind,
    re: kind === Kind.Regex ? anchored(part.content) : null,
    groups: part.groups,
    final: part.final,
    suffixed: part.suffixed,
  };
}

function isDigits(text: string): boolean {
  const n = text.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Werkzeug's state machine, compiled: static transitions first, then weighted dynamic ones. */
export class StateMachineMatcher implements Matcher {
  mergeSlashes: boolean;
  values: Record<string, unknown> = {};
  readonly failure: MatchFailure = { allowed: null, websocketMismatch: false, redirectPath: undefined };

  #root = new State();
  #statics = new globalThis.Map<string, globalThis.Map<string, Rule[]>>();
  // Per-match scratch state; matching is synchronous, so one set per matcher suffices.
  #path = "";
  #method = "";
  #websocket = false;
  #stack: string[] = [];
  #slashRequired = false;

  constructor(mergeSlashes: boolean) {
    this.mergeSlashes = mergeSlashes;
  }

  add(rule: Rule): void {
    let state = this.#root;
    for (const part of rule._parts) {
      if (part.static) {
        state.static ??= new globalThis.Map();
        let next = state.static.get(part.content);
        if (next === undefined) state.static.set(part.content, (next = new State()));
        state = next;
      } else {
        const key = partKey(part);
        let t = state.dynamic.find((d) => d.key === key);
        if (t === undefined) state.dynamic.push((t = transitionFor(part, key)));
        state = t.state;
      }
    }
    for (const existing of state.rules) {
      if (rule.isDuplicate(existing)) throw new DuplicateRuleError(existing, rule);
    }
    state.rules.push(rule);
    if (rule._staticDomain !== undefined && rule._staticPath !== undefined) {
      let table = this.#statics.get(rule._staticDomain);
      if (table === undefined) this.#statics.set(rule._staticDomain, (table = new globalThis.Map()));
      const list = table.get(rule._staticPath);
      if (list === undefined) table.set(rule._staticPath, [rule]);
      else list.push(rule);
    }
  }

  update(): void {
    const visit = (state: State): void => {
      state.dynamic.sort((a, b) => compareWeighting(a.part.weight, b.part.weight));
      if (state.static) for (const next of state.static.values()) visit(next);
      for (const t of state.dynamic) visit(t.state);
    };
    visit(this.#root);
  }

  match(domain: string, path: string, method: string, websocket: boolean): Rule | null {
    const failure = this.failure;
    failure.allowed = null;
    failure.websocketMismatch = false;
    failure.redirectPath = undefined;
    this.#method = method;
    this.#websocket = websocket;

    const table = this.#statics.get(domain);
    if (table !== undefined) {
      const rules = table.get(path);
      if (rules !== undefined) {
        this.#stack.length = 0;
        const rule = this.#tryRules(rules, false);
        if (rule !== null) return rule;
      }
    }

    let rule = this.#walkDomain(domain, path);
    if (this.#slashRequired) {
      failure.redirectPath = path + "/";
      return null;
    }
    if (rule !== null || !this.mergeSlashes) return rule;

    const merged = path.replace(/\/{2,}/g, "/");
    if (merged === path) return null;
    rule = this.#walkDomain(domain, merged);
    if (this.#slashRequired) failure.redirectPath = merged + "/";
    else if (rule !== null && rule.mergeSlashes !== false) failure.redirectPath = merged;
    return null;
  }

  #walkDomain(domain: string, path: string): Rule | null {
    this.#path = path;
    this.#stack.length = 0;
    this.#slashRequired = false;
    const root = this.#root;
    const child = root.static?.get(domain);
    if (child !== undefined) {
      const rule = this.#walk(child, 0);
      if (rule !== null || this.#slashRequired) return rule;
    }
    for (let i = 0; i < root.dynamic.length; i++) {
      const t = root.dynamic[i]!;
      const mark = this.#stack.length;
      if (this.#test(t, domain) < 0) continue;
      const rule = this.#walk(t.state, 0);
      if (rule !== null || this.#slashRequired) return rule;
      this.#stack.length = mark;
    }
    return null;
  }

  // `pos` is where the next segment starts, or -1 when the path is used up.
  #walk(state: State, pos: number): Rule | null {
    if (pos < 0) {
      const rule = this.#tryRules(state.rules, false);
      if (rule !== null) return rule;
      // The path would match with a trailing slash: redirect there, or match directly
      // when the branch rule does not insist on the slash.
      const slash = state.static?.get("");
      if (slash !== undefined) {
        for (const candidate of slash.rules) {
          if (candidate.websocket !== this.#websocket) continue;
          if (candidate.methods !== undefined && !candidate.methods.has(this.#method)) continue;
          if (candidate.strictSlashes) {
            this.#slashRequired = true;
            return null;
          }
          if (this.#convert(candidate)) return candidate;
        }
      }
      return null;
    }

    const path = this.#path;
    const end = path.indexOf("/", pos);
    const segment = end < 0 ? path.slice(pos) : path.slice(pos, end);
    const next = end < 0 ? -1 : end + 1;

    if (state.static !== null) {
      const child = state.static.get(segment);
      if (child !== undefined) {
        const rule = this.#walk(child, next);
        if (rule !== null || this.#slashRequired) return rule;
      }
    }

    const dynamic = state.dynamic;
    for (let i = 0; i < dynamic.length; i++) {
      const t = dynamic[i]!;
      const mark = this.#stack.length;
      let remaining: number;
      if (t.final) {
        const rest = this.#test(t, path.slice(pos));
        if (rest < 0) continue;
        // A captured trailing slash leaves one empty segment to match.
        remaining = rest === 1 ? path.length : -1;
      } else {
        if (this.#test(t, segment) < 0) continue;
        remaining = next;
      }
      const rule = this.#walk(t.state, remaining);
      if (rule !== null || this.#slashRequired) return rule;
      this.#stack.length = mark;
    }

    // Only a trailing slash is left: rules without strict slashes match here too.
    if (pos === path.length) return this.#tryRules(state.rules, true);
    return null;
  }

  // Pushes the converter values; returns -1 on no match, 1 when a suffix slash was captured.
  #test(t: Transition, text: string): number {
    if (t.kind === Kind.Segment) {
      if (text.length === 0) return -1;
      this.#stack.push(text);
      return 0;
    }
    if (t.kind === Kind.Digits) {
      if (!isDigits(text)) return -1;
      this.#stack.push(text);
      return 0;
    }
    const m = t.re!.exec(text);
    if (m === null) return -1;
    const groups = t.groups;
    for (let g = 0; g < groups.length; g++) this.#stack.push(m[groups[g]!]!);
    return t.suffixed && m[m.length - 1] === "/" ? 1 : 0;
  }

  #tryRules(rules: Rule[], onlyLax: boolean): Rule | null {
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (onlyLax && rule.strictSlashes) continue;
      if (rule.methods !== undefined && !rule.methods.has(this.#method)) {
        const allowed = (this.failure.allowed ??= new Set());
        for (const m of rule.methods) allowed.add(m);
        continue;
      }
      if (rule.websocket !== this.#websocket) {
        this.failure.websocketMismatch = true;
        continue;
      }
      if (this.#convert(rule)) return rule;
    }
    return null;
  }

  // Converts the captured texts with the rule's converters; a ValidationError means
  // this rule does not match after all, and matching goes on with the next candidate.
  #convert(rule: Rule): boolean {
    const converters = rule._converters;
    const stack = this.#stack;
    const values: Record<string, unknown> = {};
    try {
      for (let i = 0; i < converters.length; i++) {
        const entry = converters[i]!;
        values[entry[0]] = entry[1].toValue(stack[i]!);
      }
    } catch (err) {
      if (err instanceof ValidationError) return false;
      throw err;
    }
    const defaults = rule.defaults;
    if (defaults !== undefined) for (const key in defaults) values[key] = defaults[key];
    this.values = values;
    return true;
  }
}
