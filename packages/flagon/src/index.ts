/**
 * Flagon: Flask, rebuilt natively for TypeScript on Node.js.
 *
 * The framework is built on `@flagon/werk`; this entry point re-exports the toolkit's
 * routing names until the application layer lands.
 */
export { Map, UrlMap, Rule } from "@flagon/werk";
