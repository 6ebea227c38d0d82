import { addRoute, createRouter, findRoute } from "rou3";
import { NO_PARAMS, NOT_FOUND, type RouterAdapter } from "../types.js";
import { pkgVersion } from "./util.js";

export default function create(): RouterAdapter {
  const router = createRouter<string>();
  return {
    name: "rou3",
    version: pkgVersion("rou3"),
    supports405: false,
    add(method, path, handler) {
      addRoute(router, method, path, handler);
    },
    match(method, path) {
      const found = findRoute(router, method, path);
      if (found === undefined) return NOT_FOUND;
      return { status: 200, handler: found.data, params: found.params ?? NO_PARAMS };
    },
  };
}
