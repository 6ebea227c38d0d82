/** Number formatting and the Markdown results table. */

/** 12345678 → "12.3M", 456789 → "457k", 1234 → "1.23k". */
export function formatOps(ops: number): string {
  if (!Number.isFinite(ops)) return "—";
  const units: Array<[number, string]> = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];
  for (const [size, unit] of units) if (ops >= size) return `${(ops / size).toPrecision(3)}${unit}`;
  return ops.toPrecision(3);
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return "—";
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio >= 1 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/** A Markdown table; `align` per column: "l" or "r". */
export function markdownTable(header: string[], rows: string[][], align: Array<"l" | "r">): string {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (align[i] === "r" ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (align[i] === "r" ? `${"-".repeat(w + 1)}:` : `:${"-".repeat(w + 1)}`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}
