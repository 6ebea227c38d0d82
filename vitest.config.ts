import { defineConfig } from "vitest/config";

// Tests import "flagon" and "@flagon/werk" from their TypeScript sources through the
// "source" export condition, so `npm test` needs no build step.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"], externalConditions: ["source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    pool: "threads",
  },
});
