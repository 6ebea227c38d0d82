import FindMyWay from "find-my-way";
import type { HTTPMethod } from "find-my-way";
import { NOT_FOUND, type RouterAdapter } from "../types.js";
import { pkgVersion } from "./util.js";

// find-my-way wants a function as handler; the endpoint name rides in `store`.
const noop = (): void => {};

export default function create(): RouterAdapter {
  const router = FindMyWay();
  return {
    name: "find-my-way",
    version: pkgVersion("find-my-way"),
    supports405: false,
    add(method, path, handler) {
      router.on(method as HTTPMethod, path, noop, { handler });
    },
    match(method, path) {
      const found = router.find(method as HTTPMethod, path);
      if (found === null) return NOT_FOUND;
      return { status: 200, handler: (found.store as { handler: string }).handler, params: found.params as Record<string, string> };
    },
  };
}
