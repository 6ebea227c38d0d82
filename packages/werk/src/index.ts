/**
 * @flagon/werk: the toolkit under Flagon, as Werkzeug is the toolkit under Flask.
 *
 * Routing (`Map`, `Rule`, `MapAdapter`, converters, rule factories), the HTTP layer
 * (exceptions, data structures, request and response wrappers) and small utilities.
 * It knows nothing of Flagon and is usable on its own.
 */
export * from "./routing/index.js";
export * from "./http/index.js";
export { escapeHtml, quote, quotePlus, urlencode } from "./utils.js";
export * from "./testing.js";
export * from "./serving.js";
