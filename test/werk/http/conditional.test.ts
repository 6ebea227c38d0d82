import { describe, expect, it } from "vitest";
import { generateEtag, httpDate, isResourceModified } from "@flagon/werk";

const at = (iso: string): Date => new Date(iso);

describe("isResourceModified", () => {
  it("is modified when the request has no validators", () => {
    expect(isResourceModified({ etag: "testing" })).toBe(true);
    expect(isResourceModified({})).toBe(true);
  });

  it("refuses both etag and data", () => {
    expect(() => isResourceModified({ etag: "23", data: "42" })).toThrow(TypeError);
  });

  it("compares If-None-Match weakly against the ETag or generated from data", () => {
    const ifNoneMatch = `"${generateEtag("awesome")}"`;
    expect(isResourceModified({ data: "awesome", ifNoneMatch })).toBe(false);
    expect(isResourceModified({ data: "other", ifNoneMatch })).toBe(true);
    expect(isResourceModified({ etag: "abc", ifNoneMatch: 'W/"abc"' })).toBe(false);
    expect(isResourceModified({ etag: 'W/"abc"', ifNoneMatch: '"abc"' })).toBe(false);
    expect(isResourceModified({ etag: "abc", ifNoneMatch: "*" })).toBe(false);
  });

  it("compares If-Modified-Since to the second", () => {
    const ifModifiedSince = httpDate(at("2008-01-01T12:30:00Z"));
    expect(isResourceModified({ ifModifiedSince, lastModified: at("2008-01-01T12:00:00Z") })).toBe(false);
    expect(isResourceModified({ ifModifiedSince, lastModified: at("2008-01-01T12:30:00.999Z") })).toBe(false);
    expect(isResourceModified({ ifModifiedSince, lastModified: at("2008-01-01T13:00:00Z") })).toBe(true);
    expect(isResourceModified({ ifModifiedSince, lastModified: "Tue, 01 Jan 2008 12:00:00 GMT" })).toBe(false);
    expect(isResourceModified({ ifModifiedSince, lastModified: at("2008-01-01T12:00:00Z").getTime() / 1000 })).toBe(false);
  });

  it("lets an ETag decide over the date", () => {
    const ifModifiedSince = httpDate(at("2008-01-01T12:30:00Z"));
    expect(
      isResourceModified({ etag: "new", ifNoneMatch: '"old"', ifModifiedSince, lastModified: at("2008-01-01T12:00:00Z") }),
    ).toBe(true);
  });

  it("compares If-Match strongly; a failed If-Match gives false (the caller answers 412)", () => {
    expect(isResourceModified({ etag: "abc", ifMatch: '"abc"' })).toBe(true);
    expect(isResourceModified({ etag: "abc", ifMatch: 'W/"abc"' })).toBe(false);
    expect(isResourceModified({ etag: "abc", ifMatch: '"other"' })).toBe(false);
  });

  it("uses If-Range only with a Range header and ignoreIfRange false", () => {
    const ifModifiedSince = httpDate(at("2008-01-01T12:30:00Z"));
    const ifRange = `"${generateEtag("awesome_if_range")}"`;
    // No Range header: If-Range is ignored, If-Modified-Since decides.
    expect(
      isResourceModified({
        data: "not_the_same",
        ifModifiedSince,
        ifRange,
        ignoreIfRange: false,
        lastModified: at("2008-01-01T12:30:00Z"),
      }),
    ).toBe(false);
    expect(isResourceModified({ data: "awesome_if_range", ifRange, range: "", ignoreIfRange: false })).toBe(false);
    expect(isResourceModified({ data: "not_the_same", ifRange, range: "", ignoreIfRange: false })).toBe(true);

    const dateIfRange = httpDate(at("2008-01-01T13:30:00Z"));
    const opts = { ifRange: dateIfRange, range: "bytes=0-1", ignoreIfRange: false };
    expect(isResourceModified({ ...opts, lastModified: at("2008-01-01T14:00:00Z") })).toBe(true);
    expect(isResourceModified({ ...opts, lastModified: at("2008-01-01T13:30:00Z") })).toBe(false);
    expect(isResourceModified({ ...opts, ignoreIfRange: true, lastModified: at("2008-01-01T13:30:00Z") })).toBe(true);
  });

  it("treats garbage validators as absent", () => {
    expect(isResourceModified({ etag: "a", ifNoneMatch: ",,,", ifModifiedSince: "yesterday", ifMatch: "" })).toBe(true);
    expect(isResourceModified({ lastModified: "not a date", ifModifiedSince: httpDate(0) })).toBe(true);
    expect(isResourceModified({ etag: "a", range: "bytes=0-1", ifRange: 'W/"a"', ignoreIfRange: false })).toBe(true);
  });
});
