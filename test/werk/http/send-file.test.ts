import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FileBody,
  guessType,
  Headers,
  HTTPException,
  httpDate,
  NotFound,
  RequestedRangeNotSatisfiable,
  safeJoin,
  sendFile,
  sendFromDirectory,
} from "@flagon/werk";

const HTML = "<!doctype html>\n<title>Index</title>\n";
const BIG_SIZE = 256 * 1024;
let root: string;
let res: string;
let htmlPath: string;
let txtPath: string;
let bigPath: string;
let big: Buffer;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "werk-send-file-"));
  res = join(root, "res");
  mkdirSync(join(res, "sub"), { recursive: true });
  htmlPath = join(res, "index.html");
  txtPath = join(res, "test.txt");
  bigPath = join(res, "big.bin");
  writeFileSync(htmlPath, HTML);
  writeFileSync(txtPath, "FOUND\n");
  writeFileSync(join(res, "sub", "nested.css"), "body {}\n");
  writeFileSync(join(root, "secret.txt"), "TOP SECRET\n");
  big = Buffer.alloc(BIG_SIZE);
  for (let i = 0; i < BIG_SIZE; i++) big[i] = i % 251;
  writeFileSync(bigPath, big);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const GET = (headers: Record<string, string> = {}) => ({ method: "GET", headers: new Headers(headers) });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

describe("safeJoin", () => {
  it.each([
    ["b/c", "a/b/c"],
    ["b/./c", "a/b/c"],
    ["b/../c", "a/c"],
    ["b/", "a/b"],
    ["../b/c", null],
    ["b/../../c", null],
    ["..", null],
    ["//b/c", null],
    ["/etc/passwd", null],
    ["b\\c", null],
    ["..\\..\\secret", null],
    ["c:test.txt", null],
    ["C:/Windows/win.ini", null],
    ["null\0.txt", null],
  ])("safeJoin('a', %j) is %j", (path, expected) => {
    expect(safeJoin("a", path)).toBe(expected);
  });

  it("joins several parts, skips empty ones and anchors an empty directory", () => {
    expect(safeJoin("a", "b", "", "c/d")).toBe("a/b/c/d");
    expect(safeJoin("a/", "b")).toBe("a/b");
    expect(safeJoin("", "x.txt")).toBe("./x.txt");
    expect(safeJoin("a", "b", "../../x")).toBeNull();
  });

  it("keeps names that merely look odd", () => {
    expect(safeJoin("a", "..%2f..%2fsecret")).toBe("a/..%2f..%2fsecret");
    expect(safeJoin("a", "...")).toBe("a/...");
    expect(safeJoin("a", "b..c")).toBe("a/b..c");
  });
});

describe("guessType", () => {
  it.each([
    ["index.html", "text/html", undefined],
    ["a.TXT", "text/plain", undefined],
    ["logo.svgz", "image/svg+xml", "gzip"],
    ["x.tar.gz", "application/x-tar", "gzip"],
    ["a.tgz", "application/x-tar", "gzip"],
    ["a.txt.bz2", "text/plain", "bzip2"],
    ["x.gz", undefined, "gzip"],
    ["a.Z", undefined, "compress"],
    ["noext", undefined, undefined],
  ])("guesses %s as %j, %j", (name, type, encoding) => {
    expect(guessType(name)).toEqual([type, encoding]);
  });
});

describe("sendFile", () => {
  it("sends a path with its mimetype, length and modification time", async () => {
    const response = await sendFile(htmlPath, GET());
    expect(response.mimetype).toBe("text/html");
    expect(response.contentType).toBe("text/html; charset=utf-8");
    expect(response.contentLength).toBe(Buffer.byteLength(HTML));
    expect(response.isStreamed).toBe(true);
    expect(response.body).toBeInstanceOf(FileBody);
    expect(response.lastModified).toBeInstanceOf(Date);
    expect((await response.getData()).toString()).toBe(HTML);
  });

  it("accepts file: URLs and a root for relative paths", async () => {
    expect((await (await sendFile(pathToFileURL(txtPath), GET())).getData()).toString()).toBe("FOUND\n");
    expect((await (await sendFile("res/test.txt", GET(), { root })).getData()).toString()).toBe("FOUND\n");
    expect((await (await sendFile("test.txt", null, { root: res })).getData()).toString()).toBe("FOUND\n");
  });

  it("uses lastModified when given", async () => {
    const lastModified = new Date(Date.UTC(1999, 0, 1));
    expect((await sendFile(txtPath, GET(), { lastModified })).lastModified).toEqual(lastModified);
  });

  it("sends a Readable or bytes with a mimetype", async () => {
    const fromStream = await sendFile(Readable.from([Buffer.from("test")]), GET(), { mimetype: "text/plain" });
    expect(fromStream.mimetype).toBe("text/plain");
    expect((await fromStream.getData()).toString()).toBe("test");
    const fromBytes = await sendFile(Buffer.from("bytes"), GET(), { downloadName: "test.txt" });
    expect(fromBytes.mimetype).toBe("text/plain");
    expect(fromBytes.headers.get("ETag")).toBeUndefined();
    expect(fromBytes.data.toString()).toBe("bytes");
  });

  it("needs a name or a mimetype for a stream", async () => {
    await expect(sendFile(Readable.from([]), GET())).rejects.toThrow(/detect the MIME type/);
  });

  it.each([
    [false, "inline"],
    [true, "attachment"],
  ])("asAttachment %j gives Content-Disposition %s", async (asAttachment, value) => {
    const response = await sendFile(txtPath, GET(), { asAttachment });
    expect(response.headers.get("Content-Disposition")).toBe(`${value}; filename=test.txt`);
  });

  it("needs a name for an attachment from a stream", async () => {
    await expect(sendFile(Readable.from([]), GET(), { mimetype: "text/plain", asAttachment: true })).rejects.toThrow(
      /attachment/,
    );
    const named = await sendFile(Readable.from([]), GET(), { asAttachment: true, downloadName: "test.txt" });
    expect(named.headers.get("Content-Disposition")).toBe("attachment; filename=test.txt");
  });

  it.each([
    ["index.html", "index.html", undefined],
    ["Ñandú／pingüino.txt", '"Nandu/pinguino.txt"', "%C3%91and%C3%BA%EF%BC%8Fping%C3%BCino.txt"],
    ["Vögel.txt", "Vogel.txt", "V%C3%B6gel.txt"],
    ["те:/ст", '":/"', "%D1%82%D0%B5%3A%2F%D1%81%D1%82"],
    ["(тест.txt", '"(.txt"', "%28%D1%82%D0%B5%D1%81%D1%82.txt"],
    ["(test.txt", '"(test.txt"', undefined],
  ])("writes the download name %j with an ASCII fallback", async (name, ascii, utf8) => {
    const response = await sendFile(htmlPath, GET(), { asAttachment: true, downloadName: name });
    const disposition = response.headers.get("Content-Disposition")!;
    expect(disposition).toContain(`filename=${ascii}`);
    if (utf8) expect(disposition).toContain(`filename*=UTF-8''${utf8}`);
    else expect(disposition).not.toContain("filename*=");
  });

  it("defaults to no-cache and answers If-Modified-Since with 304", async () => {
    const response = await sendFile(
      txtPath,
      GET({ "If-Modified-Since": httpDate(new Date(Date.UTC(2020, 6, 12))) }),
      { lastModified: new Date(Date.UTC(2020, 6, 11)) },
    );
    expect(response.headers.get("Cache-Control")).toContain("no-cache");
    expect(response.cacheControl.public).toBe(false);
    expect(response.cacheControl.maxAge).toBeUndefined();
    expect(response.expires).toBeUndefined();
    expect(response.statusCode).toBe(304);
  });

  it.each([
    [0, false],
    [60, true],
  ])("maxAge %d sets max-age, Expires and public=%j", async (maxAge, isPublic) => {
    const response = await sendFile(txtPath, GET(), { maxAge });
    expect(response.headers.get("Cache-Control")!.includes("no-cache")).toBe(!isPublic);
    expect(response.cacheControl.public).toBe(isPublic);
    expect(response.cacheControl.maxAge).toBe(maxAge);
    expect(response.expires).toBeInstanceOf(Date);
    expect(response.statusCode).toBe(200);
  });

  it("takes maxAge from a function of the path", async () => {
    const seen: Array<string | undefined> = [];
    const response = await sendFile(txtPath, GET(), { maxAge: (path) => (seen.push(path), 10) });
    expect(response.cacheControl.maxAge).toBe(10);
    expect(seen).toEqual([txtPath]);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=10");
  });

  it("sends an ETag from mtime, size and path, a given one, or none", async () => {
    expect((await sendFile(txtPath, GET())).headers.get("ETag")!.split("-")).toHaveLength(3);
    expect((await sendFile(txtPath, GET(), { etag: false })).headers.has("ETag")).toBe(false);
    expect((await sendFile(txtPath, GET(), { etag: "unique" })).headers.get("ETag")).toBe('"unique"');
  });

  it("answers a matching If-None-Match with 304 without opening the file", async () => {
    const first = await sendFile(txtPath, GET());
    const again = await sendFile(txtPath, GET({ "If-None-Match": first.headers.get("ETag")! }));
    expect(again.statusCode).toBe(304);
  });

  it.each([true, false])("sets Content-Encoding for compressed names only inline (asAttachment %j)", async (asAttachment) => {
    const response = await sendFile(txtPath, GET(), { downloadName: "logo.svgz", asAttachment });
    expect(response.mimetype).toBe("image/svg+xml");
    expect(response.contentEncoding).toBe(asAttachment ? undefined : "gzip");
  });

  it("falls back to application/octet-stream", async () => {
    expect((await sendFile(txtPath, GET(), { downloadName: "data.unknownext" })).mimetype).toBe("application/octet-stream");
  });

  it("throws NotFound for a missing file or a directory", async () => {
    expect(await rejection(sendFile(join(res, "nothing.txt"), GET()))).toBeInstanceOf(NotFound);
    expect(await rejection(sendFile(res, GET()))).toBeInstanceOf(NotFound);
    expect(await rejection(sendFile(join(txtPath, "below-a-file"), GET()))).toBeInstanceOf(NotFound);
  });

  it("serves a byte range as 206, reading only that range from disk", async () => {
    const response = await sendFile(bigPath, GET({ Range: "bytes=1000-1999" }));
    expect(response.statusCode).toBe(206);
    expect(response.headers.get("Content-Range")).toBe(`bytes 1000-1999/${BIG_SIZE}`);
    expect(response.headers.get("Content-Length")).toBe("1000");
    expect(response.headers.get("Accept-Ranges")).toBe("bytes");
    const body = response.body as FileBody;
    expect([body.start, body.end, body.size]).toEqual([1000, 2000, BIG_SIZE]);
    expect(await response.getData()).toEqual(big.subarray(1000, 2000));
  });

  it("serves suffix ranges and ranges of in-memory bytes", async () => {
    const suffix = await sendFile(bigPath, GET({ Range: "bytes=-10" }));
    expect(await suffix.getData()).toEqual(big.subarray(BIG_SIZE - 10));
    const bytes = await sendFile(Buffer.from("Hello World"), GET({ Range: "bytes=6-" }), { mimetype: "text/plain" });
    expect(bytes.statusCode).toBe(206);
    expect(bytes.data.toString()).toBe("World");
  });

  it("throws 416 with the complete length for an unsatisfiable range", async () => {
    const error = await rejection(sendFile(bigPath, GET({ Range: `bytes=${BIG_SIZE}-` })));
    expect(error).toBeInstanceOf(RequestedRangeNotSatisfiable);
    expect((error as HTTPException).getResponse().headers.get("Content-Range")).toBe(`bytes */${BIG_SIZE}`);
  });

  it("sends a stream of unknown length whole, ignoring Range", async () => {
    const response = await sendFile(Readable.from([Buffer.from("abc")]), GET({ Range: "bytes=0-0" }), {
      mimetype: "text/plain",
    });
    expect(response.statusCode).toBe(200);
    expect((await response.getData()).toString()).toBe("abc");
    const sized = await rejection(sendFile(Buffer.from("abc"), GET({ Range: "bytes=7-9" }), { mimetype: "text/plain" }));
    expect(sized).toBeInstanceOf(RequestedRangeNotSatisfiable);
  });

  it("ignores Range without conditional", async () => {
    const response = await sendFile(bigPath, GET({ Range: "bytes=0-9" }), { conditional: false });
    expect(response.statusCode).toBe(200);
    expect(response.contentLength).toBe(BIG_SIZE);
  });

  it("streams the range over a real connection", async () => {
    const server = http.createServer((req, res) => {
      void sendFile(bigPath, req)
        .then((response) => response.writeTo(res, req))
        .catch((error: unknown) => {
          if (error instanceof HTTPException) return error.getResponse().writeTo(res, req);
          throw error;
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const partial = await fetch(url, { headers: { Range: "bytes=100-199" } });
      expect(partial.status).toBe(206);
      expect(partial.headers.get("content-length")).toBe("100");
      expect(Buffer.from(await partial.arrayBuffer())).toEqual(big.subarray(100, 200));

      const whole = await fetch(url);
      expect(whole.headers.get("content-length")).toBe(String(BIG_SIZE));
      expect(Buffer.from(await whole.arrayBuffer())).toEqual(big);

      const head = await fetch(url, { method: "HEAD" });
      expect(head.headers.get("content-length")).toBe(String(BIG_SIZE));

      const cached = await fetch(url, { headers: { "If-None-Match": whole.headers.get("etag")! } });
      expect(cached.status).toBe(304);

      const unsatisfiable = await fetch(url, { headers: { Range: "bytes=999999999-" } });
      expect(unsatisfiable.status).toBe(416);
      expect(unsatisfiable.headers.get("content-range")).toBe(`bytes */${BIG_SIZE}`);
      await unsatisfiable.arrayBuffer();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("sendFromDirectory", () => {
  it("sends a file inside the directory", async () => {
    expect((await (await sendFromDirectory(res, "test.txt", GET())).getData()).toString().trim()).toBe("FOUND");
    expect((await (await sendFromDirectory(res, "sub/nested.css", GET())).getData()).toString()).toBe("body {}\n");
    expect((await (await sendFromDirectory(pathToFileURL(res), "test.txt", GET())).getData()).toString()).toBe("FOUND\n");
    expect((await (await sendFromDirectory("res", "test.txt", GET(), { root })).getData()).toString()).toBe("FOUND\n");
  });

  it.each([
    "../secret.txt",
    "sub/../../secret.txt",
    "..%2fsecret.txt",
    "%2e%2e/secret.txt",
    "..\\secret.txt",
    "sub\\..\\..\\secret.txt",
    "/etc/passwd",
    "//etc/passwd",
    "C:\\Windows\\win.ini",
    "c:secret.txt",
    "null\0.txt",
    "nothing.txt",
    "sub",
    "sub/",
    ".",
    "",
  ])("answers %j with a plain 404", async (path) => {
    const error = await rejection(sendFromDirectory(res, path, GET()));
    expect(error).toBeInstanceOf(NotFound);
    const response = (error as NotFound).getResponse();
    expect(response.statusCode).toBe(404);
    const body = (await response.getData()).toString();
    // Nothing about the disk or the code leaks to the client.
    expect(body).not.toContain(root);
    expect(body).not.toMatch(/secret|passwd|at .*\.ts/);
  });
});
