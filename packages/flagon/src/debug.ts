/**
 * The debug error page: with DEBUG on, an unhandled error answers with its stack.
 * Never an interactive console.
 */
import { InternalServerError, Response, escapeHtml } from "@flagon/werk";

/** A 500 response showing the error and its stack (debug mode only). */
export function debugErrorResponse(error: unknown): Response {
  const title = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error ? (error.stack ?? title) : title;
  const body =
    "<!doctype html>\n<html lang=en>\n<title>" +
    escapeHtml(title) +
    " // Flagon debug</title>\n<h1>" +
    escapeHtml(title) +
    "</h1>\n<pre>" +
    escapeHtml(stack) +
    "</pre>\n";
  return new Response(body, { status: InternalServerError.code ?? 500 });
}
