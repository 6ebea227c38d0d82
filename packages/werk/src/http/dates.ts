/**
 * HTTP dates and ages: format IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), parse the
 * three formats RFC 9110 requires recipients to accept, and the `Age`-style integer
 * seconds. Werkzeug's `http_date`, `parse_date`, `parse_age` and `dump_age`.
 */
import { parsePlainInt } from "./_internal.js";

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * Format a date as an HTTP date (IMF-fixdate, always GMT). Takes a `Date`, a Unix
 * timestamp in seconds (as Python does), or nothing for now.
 *
 * @example
 * httpDate(0); // "Thu, 01 Jan 1970 00:00:00 GMT"
 */
export function httpDate(value?: Date | number): string {
  const date = value === undefined ? new Date() : typeof value === "number" ? new Date(value * 1000) : value;
  const time = date.getTime();
  if (Number.isNaN(time)) throw new TypeError(`Cannot format an invalid date as an HTTP date: ${String(value)}.`);
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`HTTP dates need a year between 0 and 9999, got ${year}.`);
  return (
    `${DAY_NAMES[date.getUTCDay()]}, ${pad(date.getUTCDate(), 2)} ${MONTH_NAMES[date.getUTCMonth()]} ` +
    `${pad(year, 4)} ${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)} GMT`
  );
}

// The zones Python's email.utils knows by name, in minutes east of UTC.
const ZONES: Readonly<Record<string, number>> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0,
  AST: -240, ADT: -180, EST: -300, EDT: -240, CST: -360, CDT: -300,
  MST: -420, MDT: -360, PST: -480, PDT: -420,
};

function monthIndex(token: string): number {
  const name = token.slice(0, 3).toLowerCase();
  for (let i = 0; i < 12; i++) if (MONTH_NAMES[i]!.toLowerCase() === name) return i;
  return -1;
}

function isDayName(token: string): boolean {
  const name = token.replace(/,$/, "").slice(0, 3).toLowerCase();
  return DAY_NAMES.some((day) => day.toLowerCase() === name) && /^[A-Za-z]+,?$/.test(token);
}

function parseZone(token: string | undefined): number | undefined {
  if (token === undefined) return 0;
  const named = ZONES[token.toUpperCase()];
  if (named !== undefined) return named;
  if ((token[0] === "+" || token[0] === "-") && token.length === 5) {
    const hours = parsePlainInt(token.slice(1, 3));
    const minutes = parsePlainInt(token.slice(3));
    if (hours === undefined || minutes === undefined || minutes > 59) return undefined;
    return (token[0] === "-" ? -1 : 1) * (hours * 60 + minutes);
  }
  // Python treats an unknown zone name as UTC rather than failing.
  return /^[A-Za-z]+$/.test(token) ? 0 : undefined;
}

function parseTime(token: string): [number, number, number] | undefined {
  const parts = token.split(":");
  if (parts.length < 2 || parts.length > 3) return undefined;
  const numbers = parts.map((p) => (/^\d{1,2}$/.test(p) ? Number(p) : NaN));
  const [h = NaN, m = NaN, s = 0] = numbers;
  // NaN fails every comparison, so malformed parts are refused here too.
  if (!(h <= 23 && m <= 59 && s <= 59)) return undefined;
  return [h, m, s];
}

/**
 * Parse an HTTP date: RFC 1123 (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850
 * (`Sunday, 06-Nov-94 08:49:37 GMT`) or asctime (`Sun Nov  6 08:49:37 1994`), and the
 * numeric zones of RFC 2822. Anything else, and impossible dates, give `undefined`.
 */
export function parseDate(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  let tokens = value.trim().split(/\s+/);
  if (tokens.length > 0 && isDayName(tokens[0]!)) tokens = tokens.slice(1);
  // RFC 850 writes the date as one token, "06-Nov-94".
  if (tokens.length > 0 && tokens[0]!.split("-").length === 3) tokens = [...tokens[0]!.split("-"), ...tokens.slice(1)];
  if (tokens.length < 4 || tokens.length > 5) return undefined;

  let dayToken: string;
  let monthToken: string;
  let yearToken: string;
  let timeToken: string;
  let zoneToken: string | undefined;
  if (monthIndex(tokens[0]!) >= 0 && /^\d/.test(tokens[1]!)) {
    // asctime: "Nov 6 08:49:37 1994"
    [monthToken, dayToken, timeToken, yearToken, zoneToken] = tokens as [string, string, string, string, string?];
  } else {
    [dayToken, monthToken, yearToken, timeToken, zoneToken] = tokens as [string, string, string, string, string?];
  }
  const month = monthIndex(monthToken);
  if (month < 0 || !/^[A-Za-z]{3,}$/.test(monthToken)) return undefined;
  const day = /^\d{1,2}$/.test(dayToken) ? Number(dayToken) : NaN;
  let year = /^\d{2,4}$/.test(yearToken) ? Number(yearToken) : NaN;
  const time = parseTime(timeToken);
  const zone = parseZone(zoneToken);
  if (Number.isNaN(day) || Number.isNaN(year) || time === undefined || zone === undefined) return undefined;
  // Two-digit years: Python's email.utils reads 69-99 as 19xx and 00-68 as 20xx.
  if (yearToken.length === 2) year += year > 68 ? 1900 : 2000;

  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(time[0], time[1], time[2], 0);
  // setUTCFullYear rolls Jan 33 over to Feb 2; a different month means the day was impossible.
  if (date.getUTCMonth() !== month || date.getUTCDate() !== day) return undefined;
  return new Date(date.getTime() - zone * 60_000);
}

/**
 * Parse a non-negative integer number of seconds (`Age`, `Max-Age`, `Retry-After`);
 * anything else gives `undefined`.
 */
export function parseAge(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = parsePlainInt(value);
  return seconds === undefined || seconds < 0 ? undefined : seconds;
}

/** Format a number of seconds for an age header (fractions are dropped); negative throws. */
export function dumpAge(age: number): string;
export function dumpAge(age: number | null | undefined): string | undefined;
export function dumpAge(age: number | null | undefined): string | undefined {
  if (age === null || age === undefined) return undefined;
  if (!Number.isFinite(age)) throw new TypeError(`An age must be a finite number of seconds, got ${age}.`);
  if (age < 0) throw new RangeError(`An age cannot be negative, got ${age}.`);
  return String(Math.trunc(age));
}
