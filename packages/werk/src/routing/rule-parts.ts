/**
 * Compiling a rule's tokens into parts, one per path segment, as the matcher walks them.
 *
 * A part is either static text or a regular expression with one capture per converter.
 * Once a converter that spans slashes (`path`) appears, the rest of the rule becomes a
 * single "final" part. Each part carries a weight: more static text and lighter
 * converters sort first, which is how Werkzeug orders candidates at each segment.
 */
import { escapeRegex, type BaseConverter } from "./converters.js";
import type { RuleToken } from "./rule-parser.js";

/** How a part sorts among its siblings: compared element by element, lower first. */
export interface Weighting {
  /** Minus the number of static pieces in the part. */
  numberStatic: number;
  /** `[index, -length]` of each static piece. */
  staticWeights: Array<[number, number]>;
  /** Minus the number of converters in the part. */
  numberArguments: number;
  /** Each converter's weight. */
  argumentWeights: number[];
}

/** One segment-sized piece of a compiled rule. */
export interface RulePart {
  /** Literal text for static parts; a regular expression source otherwise. */
  content: string;
  /** Consumes the rest of the path (a converter that spans slashes appeared). */
  final: boolean;
  static: boolean;
  /** A final part ending in a slash; its last group captures that optional slash. */
  suffixed: boolean;
  weight: Weighting;
  /** For dynamic parts: the capture group index of each converter, in order. */
  groups: number[];
  /** For dynamic parts: the converters whose values the groups hold, in order. */
  converters: BaseConverter[];
}

/** Resolves a placeholder to its converter (the rule knows the map's converter classes). */
export type ConverterFactory = (name: string, converter: string, args: string | undefined) => BaseConverter;

/** A rule's trace entry: literal text or a placeholder name, in rule order. */
export type TraceEntry = [isDynamic: boolean, data: string];

// A group count trick: a regex that can match the empty string reports its group count.
function countGroups(source: string): number {
  try {
    return new RegExp(`(?:${source})|`).exec("")!.length - 1;
  } catch {
    return 0;
  }
}

function weighting(staticWeights: Array<[number, number]>, argumentWeights: number[]): Weighting {
  return {
    numberStatic: -staticWeights.length,
    staticWeights,
    numberArguments: -argumentWeights.length,
    argumentWeights,
  };
}

/**
 * Turn tokens into parts, recording the trace (for building and display) and each
 * converter (for values). Mirrors Werkzeug's `Rule._parse_rule`.
 */
export function compileParts(
  tokens: RuleToken[],
  makeConverter: ConverterFactory,
  trace: TraceEntry[],
  converters: Array<[string, BaseConverter]>,
): RulePart[] {
  const parts: RulePart[] = [];
  let content = "";
  let isStatic = true;
  let final = false;
  let staticWeights: Array<[number, number]> = [];
  let argumentWeights: number[] = [];
  let groups: number[] = [];
  let partConverters: BaseConverter[] = [];
  let nextGroup = 1;

  const flush = (suffixed: boolean): RulePart => ({
    content,
    final,
    static: isStatic,
    suffixed,
    weight: weighting(staticWeights, argumentWeights),
    groups,
    converters: partConverters,
  });

  for (const token of tokens) {
    if (token.type === "static") {
      staticWeights.push([staticWeights.length, -token.value.length]);
      trace.push([false, token.value]);
      content += isStatic ? token.value : escapeRegex(token.value);
    } else if (token.type === "variable") {
      if (isStatic) content = escapeRegex(content);
      isStatic = false;
      const conv = makeConverter(token.name, token.converter, token.args);
      converters.push([token.name, conv]);
      if (!conv.partIsolating) final = true;
      groups.push(nextGroup);
      partConverters.push(conv);
      nextGroup += 1 + countGroups(conv.regex);
      content += `(${conv.regex})`;
      argumentWeights.push(conv.weight);
      trace.push([true, token.name]);
    } else {
      trace.push([false, "/"]);
      if (final) {
        content += "/";
        continue;
      }
      parts.push(flush(false));
      content = "";
      isStatic = true;
      staticWeights = [];
      argumentWeights = [];
      groups = [];
      partConverters = [];
      nextGroup = 1;
    }
  }

  let suffixed = false;
  if (final && content.endsWith("/")) {
    // A slash-spanning converter followed by a trailing slash: capture that slash
    // separately so a missing one can still trigger the strict-slashes redirect.
    suffixed = true;
    content = content.slice(0, -1) + "(?<!/)(/?)";
  }
  const last = flush(suffixed);
  parts.push(last);
  if (suffixed) {
    parts.push({ content: "", final: false, static: true, suffixed: false, weight: last.weight, groups: [], converters: [] });
  }
  return parts;
}

/** Compare two weightings as Python compares the equivalent tuples. */
export function compareWeighting(a: Weighting, b: Weighting): number {
  return (
    a.numberStatic - b.numberStatic ||
    compareLists(a.staticWeights, b.staticWeights, (x, y) => x[0] - y[0] || x[1] - y[1]) ||
    a.numberArguments - b.numberArguments ||
    compareLists(a.argumentWeights, b.argumentWeights, (x, y) => x - y)
  );
}

function compareLists<T>(a: T[], b: T[], cmp: (x: T, y: T) => number): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = cmp(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** A key equal for parts that match the same text the same way (shared matcher states). */
export function partKey(part: RulePart): string {
  return `${part.static ? "s" : "d"}${part.final ? "f" : ""}${part.suffixed ? "x" : ""}:${JSON.stringify(part.weight)}:${part.content}`;
}
