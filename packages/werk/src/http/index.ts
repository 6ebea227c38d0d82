/** The HTTP layer: exceptions, data structures, header parsers, wrappers. */
export * from "./exceptions.js";
