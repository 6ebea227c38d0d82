/**
 * The reference matcher: walks the state tree segment by segment, static transitions
 * first, backtracking into dynamic ones in weight order — Werkzeug's algorithm,
 * interpreted. `CompiledMatcher` generates code from the same tree and must agree with
 * it on every case; this one also serves runtimes that forbid code generation.
 */
import { ValidationError } from "./converters.js";
import { isDigits, Kind, MatcherTree, type State, type Transition } from "./matcher-tree.js";
import type { Rule } from "./rules.js";

export type { Matcher, MatcherClass, MatchFailure } from "./matcher-tree.js";

/** Werkzeug's state machine, interpreted: static transitions first, then weighted dynamic ones. */
export class StateMachineMatcher extends MatcherTree {
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
  #found = { length: 0 };

  override match(domain: string, path: string, method: string, websocket: boolean): Rule | null {
    const failure = this.failure;
    failure.allowed = null;
    failure.websocketMismatch = false;
    failure.redirectPath = undefined;
    this.#method = method;
    this.#websocket = websocket;

    const table = this.statics.get(domain);
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
    const root = this.root;
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
    const index = state.index;
    if (index !== null) {
      const found = this.#found;
      const child = index.match(path, pos, found);
      if (child !== undefined) {
        const end = pos + found.length;
        const rule = this.#walk(child, end < length ? end + 1 : -1);
        if (rule !== null || this.#slashRequired) return rule;
      }
    }

    const dynamic = state.dynamic;
    if (dynamic.length === 0) return pos === length ? this.#tryRules(state.rules, true) : null;
    const slash = path.indexOf("/", pos);
    const segEnd = slash < 0 ? length : slash;
    const next = slash < 0 ? -1 : slash + 1;
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
