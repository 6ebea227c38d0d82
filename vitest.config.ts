import { defineConfig } from "vitest/config";

// Tests import "flagon" and "@flagon/werk" from their TypeScript sources through the
// "source" export condition, so `npm test` needs no build step.
const resolve = { conditions: ["source"] };
const ssr = { resolve: { conditions: ["source"], externalConditions: ["source"] } };

export default defineConfig({
  resolve,
  ssr,
  test: {
    pool: "threads",
    projects: [
      { resolve, ssr, test: { name: "all", include: ["test/**/*.test.ts"] } },
      {
        resolve,
        ssr,
        test: {
          name: "routing (interpreted matcher)",
          include: ["test/werk/routing/**/*.test.ts"],
          setupFiles: ["test/setup/interpreted-matcher.ts"],
        },
      },
    ],
  },
});
