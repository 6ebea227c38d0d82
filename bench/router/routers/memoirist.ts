import { Memoirist } from "memoirist";
import { NOT_FOUND, type RouterAdapter } from "../types.js";
import { pkgVersion } from "./util.js";

export default function create(): RouterAdapter {
  const router = new Memoirist<string>();
  return {
    name: "memoirist",
    version: pkgVersion("memoirist"),
    supports405: false,
    add(method, path, handler) {
      router.add(method, path, handler);
    },
    match(method, path) {
      const found = router.find(method, path);
      if (found === null) return NOT_FOUND;
      return { status: 200, handler: found.store, params: found.params };
    },
  };
}
