/**
 * The matcher: a state machine compiled once per map from every rule's parts.
 *
 * Each state has static transitions (looked up by the segment's text) and dynamic ones
 * (converters), the latter sorted by weight. Matching walks the path segment by
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
  /** Methods that would have matched the path (for 405 responses), without repeats. */
  allowed: string[] | null;
  /** A rule matched but its WebSocket flag did not. */
  websocketMismatch: boolean;
  /** Set when the matcher asks for a redirect to this (decoded) path. */
  redirectPath: string | undefined;
}

/** The matcher interface the map relies on, so implementations can be swapped and benchmarked. */
export interface Matcher {
  /** Add a bound rule; throws `DuplicateRuleError` when it matches exactly like another. */
  add(rule: Rule): void;
  /** Finish compilation after additions (sort transitions, index static children). */
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

/**
 * Static children of a state, indexed for lookups that neither slice nor hash the
 * segment: keys are bucketed by first character, then compared in place.
 */
class StaticIndex {
  empty: State | undefined = undefined;
  buckets: Array<Array<[string, State]> | undefined> = [];
  wide: globalThis.Map<string, State> | null = null;

  constructor(children: globalThis.Map<string, State>) {
    for (const [key, state] of children) {
      if (key.length === 0) this.empty = state;
      else if (key.charCodeAt(0) < 128) (this.buckets[key.charCodeAt(0)] ??= []).push([key, state]);
      else (this.wide ??= new globalThis.Map()).set(key, state);
    }
  }

  find(path: string, pos: number, end: number): State | undefined {
    const len = end - pos;
    if (len === 0) return this.empty;
    const c = path.charCodeAt(pos);
    if (c >= 128) return this.wide?.get(path.slice(pos, end));
    const bucket = this.buckets[c];
    if (bucket === undefined) return undefined;
    // Compared by char codes: for short keys this beats startsWith's builtin call.
    for (let i = 0; i < bucket.length; i++) {
      const entry = bucket[i]!;
      const key = entry[0];
      if (key.length !== len) continue;
      let j = 1;
      while (j < len && key.charCodeAt(j) === path.charCodeAt(pos + j)) j++;
      if (j === len) return entry[1];
    }
    return undefined;
  }
}

class State {
  static: globalThis.Map<string, State> | null = null;
  index: StaticIndex | null = null;
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

function isDigits(text: string, start: number, end: number): boolean {
  if (end === start) return false;
  for (let i = start; i < end; i++) {
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
  // Captures: a segment's start and end in the path (sliced only for the winning rule),
  // or start -1 with the text in #texts (regex captures).
  #starts: number[] = [];
  #ends: number[] = [];
  #texts: string[] = [];
  #sp = 0;
  #captured: string[] = [];
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
      state.index = state.static === null ? null : new StaticIndex(state.static);
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
        this.#sp = 0;
        const rule = this.#tryRules(rules, false);
        if (rule !== null) return rule;
      }
    }

    let rule = this.#walkDomain(domain, path);
    if (this.#slashRequired) {
      failure.redirectPath = path + "/";
      return null;
    }
    if (rule !== null || !this.mergeSlashes || path.indexOf("//") < 0) return rule;

    const merged = path.replace(/\/{2,}/g, "/");
    rule = this.#walkDomain(domain, merged);
    if (this.#slashRequired) failure.redirectPath = merged + "/";
    else if (rule !== null && rule.mergeSlashes !== false) failure.redirectPath = merged;
    return null;
  }

  #walkDomain(domain: string, path: string): Rule | null {
    this.#path = path;
    this.#sp = 0;
    this.#slashRequired = false;
    const root = this.#root;
    const child = root.static?.get(domain);
    if (child !== undefined) {
      // Every rule starts with "/", so a non-empty path can skip its leading empty segment.
      const start = path.length !== 0 ? child.index?.empty : undefined;
      const rule = start !== undefined ? this.#walk(start, 1) : this.#walk(child, 0);
      if (rule !== null || this.#slashRequired) return rule;
    }
    for (let i = 0; i < root.dynamic.length; i++) {
      const t = root.dynamic[i]!;
      const mark = this.#sp;
      if (!this.#captureDomain(t, domain)) continue;
      const rule = this.#walk(t.state, 0);
      if (rule !== null || this.#slashRequired) return rule;
      this.#sp = mark;
    }
    return null;
  }

  // `pos` is where the next segment starts, or -1 when the path is used up.
  #walk(state: State, pos: number): Rule | null {
    if (pos < 0) return this.#atEnd(state);

    const path = this.#path;
    const length = path.length;
    const slash = path.indexOf("/", pos);
    const segEnd = slash < 0 ? length : slash;
    const next = slash < 0 ? -1 : slash + 1;

    const index = state.index;
    if (index !== null) {
      const child = index.find(path, pos, segEnd);
      if (child !== undefined) {
        const rule = this.#walk(child, next);
        if (rule !== null || this.#slashRequired) return rule;
      }
    }

    const dynamic = state.dynamic;
    for (let i = 0; i < dynamic.length; i++) {
      const t = dynamic[i]!;
      const mark = this.#sp;
      let remaining = next;
      if (t.kind === Kind.Segment) {
        if (segEnd === pos) continue;
        this.#push(pos, segEnd);
      } else if (t.kind === Kind.Digits) {
        if (!isDigits(path, pos, segEnd)) continue;
        this.#push(pos, segEnd);
      } else {
        const m = t.re!.exec(t.final ? (pos === 0 ? path : path.slice(pos)) : path.slice(pos, segEnd));
        if (m === null) continue;
        const groups = t.groups;
        for (let g = 0; g < groups.length; g++) this.#pushText(m[groups[g]!]!);
        // A final part consumes the rest; a captured trailing slash leaves one empty segment.
        if (t.final) remaining = t.suffixed && m[m.length - 1] === "/" ? length : -1;
      }
      const rule = this.#walk(t.state, remaining);
      if (rule !== null || this.#slashRequired) return rule;
      this.#sp = mark;
    }

    // Only a trailing slash is left: rules without strict slashes match here too.
    if (pos === length) return this.#tryRules(state.rules, true);
    return null;
  }

  #atEnd(state: State): Rule | null {
    const rule = this.#tryRules(state.rules, false);
    if (rule !== null) return rule;
    // The path would match with a trailing slash: redirect there, or match directly
    // when the branch rule does not insist on the slash.
    const slash = state.index?.empty;
    if (slash === undefined) return null;
    for (const candidate of slash.rules) {
      if (candidate.websocket !== this.#websocket) continue;
      if (candidate.methods !== undefined && !candidate.methods.has(this.#method)) continue;
      if (candidate.strictSlashes) {
        this.#slashRequired = true;
        return null;
      }
      if (this.#convert(candidate)) return candidate;
    }
    return null;
  }

  #captureDomain(t: Transition, domain: string): boolean {
    if (t.kind !== Kind.Regex) {
      if (t.kind === Kind.Segment ? domain.length === 0 : !isDigits(domain, 0, domain.length)) return false;
      this.#pushText(domain);
      return true;
    }
    const m = t.re!.exec(domain);
    if (m === null) return false;
    for (let g = 0; g < t.groups.length; g++) this.#pushText(m[t.groups[g]!]!);
    return true;
  }

  #push(start: number, end: number): void {
    const sp = this.#sp++;
    this.#starts[sp] = start;
    this.#ends[sp] = end;
  }

  #pushText(text: string): void {
    const sp = this.#sp++;
    this.#starts[sp] = -1;
    this.#texts[sp] = text;
  }

  #tryRules(rules: Rule[], onlyLax: boolean): Rule | null {
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (onlyLax && rule.strictSlashes) continue;
      if (rule.methods !== undefined && !rule.methods.has(this.#method)) {
        const allowed = (this.failure.allowed ??= []);
        const list = rule._methodList;
        for (let j = 0; j < list.length; j++) if (!allowed.includes(list[j]!)) allowed.push(list[j]!);
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

  // A ValidationError from a converter means this rule does not match after all, and
  // matching goes on with the next candidate.
  #convert(rule: Rule): boolean {
    const captured = this.#captured;
    const path = this.#path;
    for (let i = 0; i < this.#sp; i++) {
      const start = this.#starts[i]!;
      captured[i] = start < 0 ? this.#texts[i]! : path.slice(start, this.#ends[i]);
    }
    if (rule._plainValues) {
      this.values = rule._makeValues(captured);
      return true;
    }
    try {
      this.values = rule._makeValues(captured);
      return true;
    } catch (err) {
      if (err instanceof ValidationError) return false;
      throw err;
    }
  }
}
