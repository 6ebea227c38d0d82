import { describe, expect, it } from "vitest";
import {
  abort,
  Aborter,
  BadGateway,
  BadRequest,
  Forbidden,
  Gone,
  HTTPException,
  InternalServerError,
  iriToUri,
  LengthRequired,
  Locked,
  MethodNotAllowed,
  MisdirectedRequest,
  NotAcceptable,
  NotFound,
  NotImplemented,
  PreconditionFailed,
  redirect,
  RequestEntityTooLarge,
  RequestTimeout,
  RequestURITooLarge,
  Response,
  ServiceUnavailable,
  Unauthorized,
  UnprocessableEntity,
  UnsupportedMediaType,
  type HTTPExceptionClass,
} from "@flagon/werk";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("redirect", () => {
  it.each([
    ["http://example.com", undefined, "http://example.com"],
    ["/füübär", 301, "/f%C3%BC%C3%BCb%C3%A4r"],
    ["http://☃.example.com/", 307, "http://xn--n3h.example.com/"],
    ["itms-services://?url=abc", undefined, "itms-services://?url=abc"],
  ])("redirects to %j with %j", async (url, code, location) => {
    const response = code === undefined ? redirect(url) : redirect(url, code);
    expect(response.statusCode).toBe(code ?? 302);
    expect(response.headers.get("Location")).toBe(location);
    expect(response.location).toBe(location);
    const body = await response.getData(true);
    expect(body.split(url).length - 1).toBe(2);
  });

  it("defaults to 302 FOUND with an HTML page", () => {
    const response = redirect("/login");
    expect(response.status).toBe("302 FOUND");
    expect(response.contentType).toBe("text/html; charset=utf-8");
    expect(response.data.toString()).toContain('<a href="/login">/login</a>');
  });

  it("escapes the location in the page (no XSS)", () => {
    const script = redirect('http://example.com/?xss="><script>alert(1)</script>').data.toString();
    expect(script).not.toContain("<script>alert(1)</script>");
    const attribute = redirect('http://example.com/?xss="onmouseover="alert(1)').data.toString();
    expect(attribute).not.toContain('href="http://example.com/?xss="onmouseover="alert(1)"');
  });

  it("cannot inject headers through the location", () => {
    const response = redirect("/a\r\nSet-Cookie: evil=1");
    expect(response.location).toBe("/a%0D%0ASet-Cookie:%20evil=1");
    expect(response.headers.has("Set-Cookie")).toBe(false);
  });
});

describe("iriToUri", () => {
  it.each([
    ["http://☃.net/", "http://xn--n3h.net/"],
    ["http://üser:pässword@☃.net/påth", "http://%C3%BCser:p%C3%A4ssword@xn--n3h.net/p%C3%A5th"],
    ["/foo", "/foo"],
    ["http://föö.com:8080/bam/baz", "http://xn--f-1gaa.com:8080/bam/baz"],
    ["http://föö.com/%2F%25?q=ö&x=%3D%25#%25", "http://xn--f-1gaa.com/%2F%25?q=%C3%B6&x=%3D%25#%25"],
    ["/foo\x8f", "/foo%C2%8F"],
    ["http://\u2603.net/p\xe5th?q=\xe8ry%DF", "http://xn--n3h.net/p%C3%A5th?q=%C3%A8ry%DF"],
    ["/\\\\test.example?q", "/%5C%5Ctest.example?q"],
    ["http://[::1]:8080/ü", "http://[::1]:8080/%C3%BC"],
    ["http://föñ.com/\u2610/fred?utf8=\u2713", "http://xn--f-rgao.com/%E2%98%90/fred?utf8=%E2%9C%93"],
    ["/a b#frag ment", "/a%20b#frag%20ment"],
  ])("converts %j to %j", (iri, uri) => {
    expect(iriToUri(iri)).toBe(uri);
  });

  it("is idempotent", () => {
    for (const iri of ["http://www.idempoten.ce", "http://\u2603/\u2603", "/f\u00fc?x=\u00e4#\u00f6"]) {
      const once = iriToUri(iri);
      expect(iriToUri(once)).toBe(once);
    }
  });
});

describe("abort", () => {
  it.each<[HTTPExceptionClass, number]>([
    [BadRequest, 400],
    [Unauthorized, 401],
    [Forbidden, 403],
    [NotFound, 404],
    [MethodNotAllowed, 405],
    [NotAcceptable, 406],
    [RequestTimeout, 408],
    [Gone, 410],
    [LengthRequired, 411],
    [PreconditionFailed, 412],
    [RequestEntityTooLarge, 413],
    [RequestURITooLarge, 414],
    [UnsupportedMediaType, 415],
    [MisdirectedRequest, 421],
    [UnprocessableEntity, 422],
    [Locked, 423],
    [InternalServerError, 500],
    [NotImplemented, 501],
    [BadGateway, 502],
    [ServiceUnavailable, 503],
  ])("throws %s for %d", (cls, code) => {
    const error = thrown(() => abort(code));
    expect(Object.getPrototypeOf(error)).toBe(cls.prototype);
    expect((error as HTTPException).code).toBe(code);
    expect((error as HTTPException).getResponse().statusCode).toBe(code);
  });

  it("replaces the description", () => {
    const error = thrown(() => abort(403, "Only the author may edit this post.")) as HTTPException;
    expect(error).toBeInstanceOf(Forbidden);
    expect(error.description).toBe("Only the author may edit this post.");
    expect(error.message).toBe("Only the author may edit this post.");
    expect(error.getResponse().data.toString()).toContain("Only the author may edit this post.");
    const methodError = thrown(() => abort(405, "Use POST.")) as MethodNotAllowed;
    expect(methodError.description).toBe("Use POST.");
    expect(methodError.validMethods).toBeUndefined();
  });

  it("wraps a response in an HTTPException that returns it", () => {
    const original = new Response("Hello World", { status: 418 });
    const error = thrown(() => abort(original)) as HTTPException;
    expect(error).toBeInstanceOf(HTTPException);
    expect(error.getResponse()).toBe(original);
    expect(error.code).toBe(418);
  });

  it("refuses codes without an exception class", () => {
    expect(thrown(() => abort(299))).toBeInstanceOf(RangeError);
    expect(thrown(() => abort(999))).toBeInstanceOf(RangeError);
  });

  it("supports custom tables through Aborter", () => {
    class ClientClosedRequest extends HTTPException {
      static override code = 499;
      static override description = "The client closed the request.";
    }
    const only = new Aborter({ 1: NotFound });
    expect(thrown(() => only.abort(404))).toBeInstanceOf(RangeError);
    expect(thrown(() => only.abort(1))).toBeInstanceOf(NotFound);
    const extended = new Aborter(undefined, { 499: ClientClosedRequest });
    expect(thrown(() => extended.abort(404))).toBeInstanceOf(NotFound);
    const custom = thrown(() => extended.abort(499)) as HTTPException;
    expect(custom).toBeInstanceOf(ClientClosedRequest);
    expect(custom.getResponse().statusCode).toBe(499);
  });
});
