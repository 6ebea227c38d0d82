import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The installed version of an npm package, read from the nearest node_modules (or "?"). */
export function pkgVersion(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, "node_modules", name, "package.json");
    if (existsSync(file)) return `${name}@${(JSON.parse(readFileSync(file, "utf8")) as { version: string }).version}`;
    const parent = dirname(dir);
    if (parent === dir) return `${name}@?`;
    dir = parent;
  }
}
