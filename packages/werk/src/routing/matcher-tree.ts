/**
 * The state tree every matcher walks, built from rules' parts: static transitions keyed
 * by segment text, dynamic ones (converters) sorted by weight, and the rules that end
 * at each state. Fully static rules are also kept in one table per domain.
 */
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
  /** Redirect paths with repeated slashes to their merged form. */
  mergeSlashes: boolean;
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

/** A matcher class, as `Map` takes one. */
export type MatcherClass = new (mergeSlashes: boolean) => Matcher;

export const enum Kind {
  /** Any non-empty segment (the default string converter). */
  Segment,
  /** ASCII digits only (the int converter). */
  Digits,
  /** A compiled regular expression. */
  Regex,
}

export interface Transition {
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
export class StaticIndex {
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

  /**
   * The child whose key is the segment starting at `pos`, found without looking for the
   * segment's end first: a key matches when its characters are there and a slash or the
   * end of the path follows. Returns the key's length through `found.length`.
   */
  match(path: string, pos: number, found: { length: number }): State | undefined {
    const length = path.length;
    const c = pos < length ? path.charCodeAt(pos) : 47;
    if (c === 47) {
      found.length = 0;
      return this.empty;
    }
    if (c >= 128) {
      if (this.wide === null) return undefined;
      const slash = path.indexOf("/", pos);
      const segment = slash < 0 ? path.slice(pos) : path.slice(pos, slash);
      found.length = segment.length;
      return this.wide.get(segment);
    }
    const bucket = this.buckets[c];
    if (bucket === undefined) return undefined;
    for (let i = 0; i < bucket.length; i++) {
      const entry = bucket[i]!;
      const key = entry[0];
      const len = key.length;
      const end = pos + len;
      if (end > length || (end < length && path.charCodeAt(end) !== 47)) continue;
      // Compared by char codes: for short keys this beats startsWith's builtin call.
      let j = 1;
      while (j < len && key.charCodeAt(j) === path.charCodeAt(pos + j)) j++;
      if (j === len) {
        found.length = len;
        return entry[1];
      }
    }
    return undefined;
  }
}

export class State {
  static: globalThis.Map<string, State> | null = null;
  index: StaticIndex | null = null;
  dynamic: Transition[] = [];
  rules: Rule[] = [];
}

export function anchored(content: string): RegExp {
  try {
    return new RegExp(`^(?:${content})$`, "u");
  } catch {
    // Converter regexes written for Python may use escapes unicode mode refuses.
    return new RegExp(`^(?:${content})$`);
  }
}

export function transitionFor(part: RulePart, key: string): Transition {
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

export function isDigits(text: string, start: number, end: number): boolean {
  if (end === start) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The shared tree: building and sorting; subclasses decide how to walk it. */
export abstract class MatcherTree implements Matcher {
  mergeSlashes: boolean;
  values: Record<string, unknown> = {};
  readonly failure: MatchFailure = { allowed: null, websocketMismatch: false, redirectPath: undefined };
  protected readonly root = new State();
  /** Fully static rules by domain, then path. */
  protected readonly statics = new globalThis.Map<string, globalThis.Map<string, Rule[]>>();

  constructor(mergeSlashes: boolean) {
    this.mergeSlashes = mergeSlashes;
  }

  add(rule: Rule): void {
    let state = this.root;
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
      let table = this.statics.get(rule._staticDomain);
      if (table === undefined) this.statics.set(rule._staticDomain, (table = new globalThis.Map()));
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
    visit(this.root);
  }

  abstract match(domain: string, path: string, method: string, websocket: boolean): Rule | null;
}
