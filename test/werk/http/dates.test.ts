import { describe, expect, it } from "vitest";
import { dumpAge, httpDate, parseAge, parseDate } from "@flagon/werk";

function utc(year: number, month: number, day: number, h = 0, m = 0, s = 0): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(h, m, s, 0);
  return date;
}

describe("parseDate", () => {
  it.each<[string, Date]>([
    ["Sun, 06 Nov 1994 08:49:37 GMT    ", utc(1994, 11, 6, 8, 49, 37)],
    ["Sunday, 06-Nov-94 08:49:37 GMT", utc(1994, 11, 6, 8, 49, 37)],
    [" Sun Nov  6 08:49:37 1994", utc(1994, 11, 6, 8, 49, 37)],
    [" Sun 02 Feb 1343 08:49:37 GMT", utc(1343, 2, 2, 8, 49, 37)],
    ["Thu, 01 Jan 1970 00:00:00 GMT", utc(1970, 1, 1)],
    ["Thu, 01 Jan 70 00:00:00 GMT", utc(1970, 1, 1)],
    ["Wed, 01 Jan 20 00:00:00 GMT", utc(2020, 1, 1)],
    ["Sun, 06 Nov 1994 08:49:37 +0200", utc(1994, 11, 6, 6, 49, 37)],
    ["06 Nov 1994 08:49 EST", utc(1994, 11, 6, 13, 49, 0)],
    ["Sun, 06 Nov 1994 08:49:37", utc(1994, 11, 6, 8, 49, 37)],
  ])("parses %j", (value, expected) => {
    expect(parseDate(value)?.toISOString()).toBe(expected.toISOString());
  });

  it.each([
    "foo",
    "",
    "Thu, 33 Jan 1970 00:00:00 GMT",
    "Sun, 31 Feb 2020 00:00:00 GMT",
    "Sun, 06 Nov 1994 25:49:37 GMT",
    "Sun, 06 Nov 1994 08:60:37 GMT",
    "Sun, 06 Nov 1994",
    "Sun, 06 Foo 1994 08:49:37 GMT",
    "1994-11-06T08:49:37Z",
    "Sun, 06 Nov 1994 08:49:37 GMT extra junk",
    "Sun, 06 Nov 1994 08:49:37 +99",
    "\u0000\r\n",
    "a".repeat(10_000),
  ])("gives undefined for %j", (value) => {
    expect(parseDate(value)).toBeUndefined();
  });

  it("gives undefined for null and undefined", () => {
    expect(parseDate(null)).toBeUndefined();
    expect(parseDate(undefined)).toBeUndefined();
  });
});

describe("httpDate", () => {
  it.each<[Date | number, string]>([
    [utc(1994, 11, 6, 8, 49, 37), "Sun, 06 Nov 1994 08:49:37 GMT"],
    [new Date("1994-11-06T08:49:37-08:00"), "Sun, 06 Nov 1994 16:49:37 GMT"],
    [0, "Thu, 01 Jan 1970 00:00:00 GMT"],
    [784111777, "Sun, 06 Nov 1994 08:49:37 GMT"],
    [utc(1, 1, 1), "Mon, 01 Jan 0001 00:00:00 GMT"],
    [utc(999, 1, 1), "Tue, 01 Jan 0999 00:00:00 GMT"],
    [utc(1000, 1, 1), "Wed, 01 Jan 1000 00:00:00 GMT"],
    [utc(2020, 1, 1), "Wed, 01 Jan 2020 00:00:00 GMT"],
  ])("formats %s", (value, expected) => {
    expect(httpDate(value)).toBe(expected);
  });

  it("formats now by default and round-trips through parseDate", () => {
    const now = httpDate();
    expect(now).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(httpDate(parseDate(now))).toBe(now);
  });

  it("refuses an invalid date", () => {
    expect(() => httpDate(new Date("nope"))).toThrow(TypeError);
    expect(() => httpDate(Number.NaN)).toThrow(TypeError);
  });
});

describe("parseAge / dumpAge", () => {
  it("parses non-negative integer seconds", () => {
    expect(parseAge("0")).toBe(0);
    expect(parseAge("3600")).toBe(3600);
    expect(parseAge(" 12 ")).toBe(12);
  });

  it.each([undefined, null, "", "-1", "1.5", "+5", "1_000", "abc", "１２", "99999999999999999999"])(
    "gives undefined for %j",
    (value) => {
      expect(parseAge(value)).toBeUndefined();
    },
  );

  it("dumps seconds and refuses negative ages", () => {
    expect(dumpAge(0)).toBe("0");
    expect(dumpAge(3600)).toBe("3600");
    expect(dumpAge(12.9)).toBe("12");
    expect(dumpAge(undefined)).toBeUndefined();
    expect(() => dumpAge(-1)).toThrow(RangeError);
    expect(() => dumpAge(Number.POSITIVE_INFINITY)).toThrow(TypeError);
  });
});
