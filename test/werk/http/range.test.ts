import { describe, expect, it } from "vitest";
import {
  ContentRange,
  IfRange,
  isByteRangeValid,
  parseContentRangeHeader,
  parseIfRangeHeader,
  parseRangeHeader,
  Range,
  type ByteRange,
} from "@flagon/werk";

describe("parseRangeHeader", () => {
  it.each<[string, string, ByteRange[], string]>([
    ["bytes=52-", "bytes", [[52, null]], "bytes=52-"],
    ["bytes=52-99", "bytes", [[52, 100]], "bytes=52-99"],
    ["bytes=52-99,-1000", "bytes", [[52, 100], [-1000, null]], "bytes=52-99,-1000"],
    ["bytes = 1 - 100", "bytes", [[1, 101]], "bytes=1-100"],
    ["AWesomes=0-999", "awesomes", [[0, 1000]], "awesomes=0-999"],
    ["bytes=-500", "bytes", [[-500, null]], "bytes=-500"],
    ["bytes=0-0,2-3, 10-", "bytes", [[0, 1], [2, 4], [10, null]], "bytes=0-0,2-3,10-"],
  ])("parses %j", (value, units, ranges, header) => {
    const range = parseRangeHeader(value);
    expect(range?.units).toBe(units);
    expect(range?.ranges).toEqual(ranges);
    expect(range?.toHeader()).toBe(header);
  });

  it.each([
    undefined,
    null,
    "",
    "bytes",
    "bytes=",
    "bytes=52",
    "bytes=-",
    "bytes=bad",
    "bytes=bad-1",
    "bytes=-bad",
    "bytes=52-99, bad",
    "bytes=99-52",
    "bytes=--5",
    "bytes=1--2",
    "bytes=-0",
    "bytes=10-20,5-8",
    "bytes=10-,20-30",
    "bytes=-5,10-20",
    "bytes=-5,-3",
    "bytes=+1-2",
    "bytes=1_0-20",
    "bytes=0x10-20",
    "bytes=🯱🯲🯳-5",
    "🯱🯲🯳",
    "+1-",
    "1-1_23",
    "bytes=99999999999999999999-",
    "bytes=0-1\r\nX: y",
    "bytes=" + "0-1,".repeat(1000),
  ])("gives undefined for %j", (value) => {
    expect(parseRangeHeader(value)).toBeUndefined();
  });

  it("round-trips through toHeader", () => {
    for (const ranges of [[[0, 1], [-5, null]], [[5, null]]] as ByteRange[][]) {
      expect(parseRangeHeader(new Range("byes", ranges).toHeader())?.ranges).toEqual(ranges);
    }
  });

  it("refuses invalid ranges in the constructor", () => {
    for (const ranges of [[[0, 0]], [[1, 0]], [[0, 1], [-5, 10]], [[Number.NaN, null]]] as ByteRange[][]) {
      expect(() => new Range("bytes", ranges)).toThrow(TypeError);
    }
  });
});

describe("Range.rangeForLength", () => {
  it("resolves one satisfiable byte range", () => {
    expect(parseRangeHeader("bytes=0-499")?.rangeForLength(1000)).toEqual([0, 500]);
    expect(parseRangeHeader("bytes=500-")?.rangeForLength(1000)).toEqual([500, 1000]);
    expect(parseRangeHeader("bytes=-300")?.rangeForLength(1000)).toEqual([700, 1000]);
    expect(parseRangeHeader("bytes=900-2000")?.rangeForLength(1000)).toEqual([900, 1000]);
  });

  it("selects everything for a suffix longer than the content", () => {
    expect(parseRangeHeader("bytes=-5000")?.rangeForLength(1000)).toEqual([0, 1000]);
  });

  it("gives undefined when it cannot serve the range", () => {
    expect(parseRangeHeader("bytes=1000-")?.rangeForLength(1000)).toBeUndefined();
    expect(parseRangeHeader("bytes=0-1,5-6")?.rangeForLength(1000)).toBeUndefined();
    expect(parseRangeHeader("items=0-1")?.rangeForLength(1000)).toBeUndefined();
    expect(parseRangeHeader("bytes=0-1")?.rangeForLength(undefined)).toBeUndefined();
    expect(parseRangeHeader("bytes=-5")?.rangeForLength(0)).toBeUndefined();
  });

  it("makes the Content-Range", () => {
    const range = parseRangeHeader("bytes=0-499")!;
    expect(range.toContentRangeHeader(1000)).toBe("bytes 0-499/1000");
    expect(range.makeContentRange(1000)?.toHeader()).toBe("bytes 0-499/1000");
    expect(range.makeContentRange(0)).toBeUndefined();
    expect(range.toContentRangeHeader(0)).toBeUndefined();
  });
});

describe("ContentRange", () => {
  it("parses and edits a Content-Range", () => {
    const rv = parseContentRangeHeader("bytes 0-98/*")!;
    expect([rv.units, rv.start, rv.stop, rv.length]).toEqual(["bytes", 0, 99, null]);
    expect(rv.toHeader()).toBe("bytes 0-98/*");

    const full = ContentRange.fromHeader("bytes 0-99/100")!;
    expect(full.toHeader()).toBe("bytes 0-99/100");
    full.start = null;
    full.stop = null;
    expect(full.units).toBe("bytes");
    expect(full.toHeader()).toBe("bytes */100");

    const star = ContentRange.fromHeader("bytes */100")!;
    expect([star.start, star.stop, star.length, star.units]).toEqual([null, null, 100, "bytes"]);
  });

  it.each([
    undefined,
    "",
    "bytes 0-98/*asdfsa",
    "bytes */-1",
    "bytes",
    "bytes 0-98",
    "bytes 5-1/10",
    "bytes 60-99/50",
    "bytes */🯱🯲🯳",
    "bytes 1-+2/3",
    "bytes 1_23-125/*",
    "bytes a-b/10",
    "bytes 1/10",
  ])("gives undefined for %j", (value) => {
    expect(parseContentRangeHeader(value)).toBeUndefined();
  });

  it("sets, unsets and validates", () => {
    const cr = new ContentRange("bytes", 0, 10, 100);
    expect(cr.isSet).toBe(true);
    cr.unset();
    expect(cr.isSet).toBe(false);
    expect(cr.toHeader()).toBe("");
    expect(() => cr.set(5, 1, 10)).toThrow(TypeError);
    expect(() => new ContentRange("bytes", 0, null)).toThrow(TypeError);
  });

  it("checks byte ranges like Werkzeug", () => {
    expect(isByteRangeValid(0, 10, 100)).toBe(true);
    expect(isByteRangeValid(null, null, 10)).toBe(true);
    expect(isByteRangeValid(null, null, null)).toBe(true);
    expect(isByteRangeValid(null, 1, null)).toBe(false);
    expect(isByteRangeValid(10, 10, null)).toBe(false);
    expect(isByteRangeValid(100, 200, 100)).toBe(false);
  });
});

describe("IfRange", () => {
  it("parses a strong ETag, a date, or nothing", () => {
    let rv = parseIfRangeHeader('"Test"');
    expect([rv.etag, rv.date, rv.toHeader()]).toEqual(["Test", undefined, '"Test"']);

    rv = IfRange.fromHeader('W/"Test"');
    expect([rv.etag, rv.date, rv.toHeader()]).toEqual([undefined, undefined, ""]);

    rv = IfRange.fromHeader("unquoted");
    expect([rv.etag, rv.toHeader()]).toEqual(["unquoted", '"unquoted"']);

    rv = IfRange.fromHeader("Thu, 01 Jan 1970 00:00:00 GMT");
    expect(rv.etag).toBeUndefined();
    expect(rv.date?.getTime()).toBe(0);
    expect(rv.toHeader()).toBe("Thu, 01 Jan 1970 00:00:00 GMT");

    for (const value of ["", undefined, null]) {
      rv = IfRange.fromHeader(value);
      expect([rv.etag, rv.date, rv.toHeader()]).toEqual([undefined, undefined, ""]);
    }
  });
});
