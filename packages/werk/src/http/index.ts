/** The HTTP layer: exceptions, data structures, header parsers, wrappers. */
export * from "./exceptions.js";
export * from "./multidict.js";
export * from "./headers.js";
export * from "./header-values.js";
export * from "./dates.js";
export * from "./cookies.js";
export * from "./etag.js";
export * from "./conditional.js";
export * from "./accept.js";
export * from "./range.js";
export * from "./auth.js";
