import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  BadRequest,
  FileStorage,
  FormDataParser,
  HTTPException,
  ImmutableMultiDict,
  parseFormData,
  Request,
  RequestEntityTooLarge,
  secureFilename,
} from "@flagon/werk";
import { bodyHeaders, fakeRequest, multipartBody } from "./request-helpers.js";

const URLENCODED = "application/x-www-form-urlencoded";
const workDir = mkdtempSync(join(tmpdir(), "flagon-forms-test-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function post(body: string | Buffer | Array<string | Buffer>, contentType: string, opts = {}): Request {
  const whole = Array.isArray(body) ? Buffer.concat(body.map((c) => Buffer.from(c))) : body;
  return new Request(fakeRequest({ method: "POST", headers: bodyHeaders(contentType, whole), body }), opts);
}

function multipart(boundary: string, body: string | Buffer, opts = {}): Request {
  return post(body, `multipart/form-data; boundary=${boundary}`, opts);
}

async function rejection(promise: Promise<unknown>): Promise<HTTPException> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HTTPException);
    return error as HTTPException;
  }
  throw new Error("expected a rejection");
}

const werkzeugMultipart =
  "--foo\r\nContent-Disposition: form-data; name=foo\r\n\r\nHello World\r\n" +
  "--foo\r\nContent-Disposition: form-data; name=bar\r\n\r\nbar=baz\r\n--foo--";

describe("urlencoded forms", () => {
  const body = "foo=Hello+World&bar=baz";

  it("parses fields like the query string", async () => {
    const form = await post("a=1&a=2&sp=x+y&pct=%E4%B8%AD&bad=%zz&flag", URLENCODED).getForm();
    expect(form).toBeInstanceOf(ImmutableMultiDict);
    expect(form.getAll("a")).toEqual(["1", "2"]);
    expect(form.get("sp")).toBe("x y");
    expect(form.get("pct")).toBe("中");
    expect(form.get("bad")).toBe("%zz");
    expect(form.get("flag")).toBe("");
  });

  it("applies maxContentLength and maxFormMemorySize (Werkzeug's test_limiting)", async () => {
    expect((await post(body, URLENCODED, { maxContentLength: 400 }).getForm()).get("foo")).toBe("Hello World");
    const small = post(body, URLENCODED, { maxFormMemorySize: 7 });
    const error = await rejection(small.getForm());
    expect(error).toBeInstanceOf(RequestEntityTooLarge);
    expect(error.code).toBe(413);
    // A declared length over the limit is refused before reading.
    expect(small.raw.readableFlowing).toBeNull();
    expect((await post(body, URLENCODED, { maxFormMemorySize: 400 }).getForm()).get("foo")).toBe("Hello World");
    const tiny = post("foo=123456", URLENCODED, { maxContentLength: 4 });
    expect((await rejection(tiny.getForm())).code).toBe(413);
    expect(tiny.raw.read()?.toString()).toBe("foo=123456");
  });

  it("applies the memory limit to chunked bodies while reading", async () => {
    const req = fakeRequest({
      method: "POST",
      headers: { "Content-Type": URLENCODED, "Transfer-Encoding": "chunked" },
      body: ["a=", "x".repeat(600), "y".repeat(600)],
    });
    expect((await rejection(new Request(req, { maxFormMemorySize: 1000 }).loadBody())).code).toBe(413);
  });

  it("refuses too many fields with 413", async () => {
    const many = Array.from({ length: 11 }, (_, i) => `f${i}=${i}`).join("&");
    const error = await rejection(post(many, URLENCODED, { maxFormParts: 10 }).getForm());
    expect(error.code).toBe(413);
    expect(error.description).toContain("more than 10 parts");
    expect((await post(many, URLENCODED, { maxFormParts: 11 }).getForm()).size).toBe(11);
  });

  it("decodes raw non-ASCII bytes leniently instead of failing", async () => {
    const form = await post(Buffer.from([0x61, 0x3d, 0x80]), URLENCODED).getForm();
    expect(form.get("a")).toBe("\uFFFD");
  });

  it("is empty for a form with no body, and for other mimetypes", async () => {
    const empty = new Request(fakeRequest({ method: "PUT", headers: { "Content-Type": URLENCODED } }));
    expect(empty.form.size).toBe(0);
    expect((await empty.getForm()).size).toBe(0);
    expect((await post("test", ", ").getForm()).size).toBe(0);
    expect((await post("a=1", "text/plain").getForm()).size).toBe(0);
  });
});

describe("multipart forms", () => {
  it("parses fields and files", async () => {
    const body = multipartBody("XyZ", [
      { name: "title", value: "Hello" },
      { name: "tag", value: "a" },
      { name: "tag", value: "b" },
      { name: "doc", filename: "notes.txt", content: "file contents", contentType: "text/plain; charset=utf-8" },
      { name: "img", filename: "pic.png", content: Buffer.from([0x89, 0x50, 0x4e, 0x47]), contentType: "image/png" },
    ]);
    const r = multipart("XyZ", body);
    await r.loadBody();
    expect(r.form.toObject(false)).toEqual({ title: ["Hello"], tag: ["a", "b"] });
    expect(r.data.length).toBe(0);
    const doc = r.files.get("doc")!;
    expect(doc).toBeInstanceOf(FileStorage);
    expect(doc.name).toBe("doc");
    expect(doc.filename).toBe("notes.txt");
    expect(doc.mimetype).toBe("text/plain");
    expect(doc.contentType).toBe("text/plain");
    expect(doc.size).toBe(13);
    expect(doc.buffer?.toString()).toBe("file contents");
    expect(doc.path).toBeUndefined();
    expect(await doc.text()).toBe("file contents");
    expect(doc.headers.get("Content-Disposition")).toBe('form-data; name=doc; filename=notes.txt');
    const img = r.files.get("img")!;
    expect(img.mimetype).toBe("image/png");
    expect([...(await img.read())]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(String(img)).toBe('<FileStorage: "pic.png" ("image/png")>');
  });

  it("parses Werkzeug's basic multipart sample within the limits", async () => {
    const boundary = "foo";
    const body = werkzeugMultipart.replaceAll("form-field", "form-data");
    expect((await multipart(boundary, body, { maxContentLength: 400 }).getForm()).get("foo")).toBe("Hello World");
    expect((await multipart(boundary, body, { maxFormMemorySize: 400 }).getForm()).get("bar")).toBe("bar=baz");
    expect((await rejection(multipart(boundary, body, { maxFormMemorySize: 7 }).getForm())).code).toBe(413);
    const parts = await rejection(multipart(boundary, body, { maxFormParts: 1 }).getForm());
    expect(parts).toBeInstanceOf(RequestEntityTooLarge);
    expect(parts.description).toContain("more than 1 parts");
  });

  it("counts the memory limit over all text fields together", async () => {
    const body = multipartBody("B", [
      { name: "a", value: "x".repeat(300) },
      { name: "b", value: "y".repeat(300) },
    ]);
    expect((await rejection(multipart("B", body, { maxFormMemorySize: 500 }).getForm())).code).toBe(413);
    expect((await multipart("B", body, { maxFormMemorySize: 600 }).getForm()).size).toBe(2);
  });

  it("refuses a single field over the memory limit even when busboy would truncate it", async () => {
    const body = multipartBody("B", [{ name: "a", value: "x".repeat(2 * 1024 * 1024) }]);
    const error = await rejection(multipart("B", body, { maxFormMemorySize: 1024 * 1024 }).getForm());
    expect(error.code).toBe(413);
  });

  it("stops a multipart bomb of tiny parts with 413", async () => {
    const parts = Array.from({ length: 5000 }, (_, i) => ({ name: `p${i}`, value: "" }));
    const r = multipart("bomb", multipartBody("bomb", parts));
    const error = await rejection(r.loadBody());
    expect(error.code).toBe(413);
    expect(error.description).toContain("more than 1000 parts");
    expect(() => r.form).toThrow(RequestEntityTooLarge);
  });

  it("counts files as parts too", async () => {
    const body = multipartBody("B", [
      { name: "a", value: "1" },
      { name: "f", filename: "f.txt", content: "x" },
      { name: "g", filename: "g.txt", content: "y" },
    ]);
    expect((await rejection(multipart("B", body, { maxFormParts: 2 }).getFiles())).code).toBe(413);
    expect((await multipart("B", body, { maxFormParts: 3 }).getFiles()).size).toBe(2);
  });

  it("counts parts busboy skips, so a bomb of nameless parts gets 413 too", async () => {
    const body = "--B\r\nX-Nothing: 1\r\n\r\nx\r\n".repeat(5) + '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--B--\r\n';
    expect((await rejection(multipart("B", body, { maxFormParts: 3 }).getForm())).code).toBe(413);
    expect((await multipart("B", body, { maxFormParts: 6 }).getForm()).get("a")).toBe("1");
  });

  it("handles a body split into tiny chunks", async () => {
    const body = multipartBody("chunky", [
      { name: "a", value: "alpha\r\n--chunk" },
      { name: "f", filename: "f.bin", content: Buffer.alloc(3000, 7) },
    ]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < body.length; i += 7) chunks.push(body.subarray(i, i + 7));
    const req = fakeRequest({
      method: "POST",
      headers: bodyHeaders("multipart/form-data; boundary=chunky", body),
      body: chunks,
    });
    const request = new Request(req);
    expect((await request.getForm()).get("a")).toBe("alpha\r\n--chunk");
    expect((await request.getFiles()).get("f")!.size).toBe(3000);
  });

  it("keeps data split on a line break right before the closing boundary", async () => {
    // Werkzeug's test_chunk_split_on_line_break_before_epilogue.
    const data = Buffer.concat([
      Buffer.from("--thirteenbytes\r\n"),
      Buffer.from("Content-Disposition: form-data; name=tx3065\r\n\r\n"),
      Buffer.from([...Array(2045).fill("\r".repeat(31)), "y".repeat(31)].join("\n")),
      Buffer.from("\r\n"),
      Buffer.from([...Array(2047).fill("\r".repeat(31)), "x".repeat(30)].join("\n")),
      Buffer.from("\r\n--thirteenbytes--"),
    ]);
    const form = await multipart("thirteenbytes", data).getForm();
    const value = form.get("tx3065")!;
    expect(value.length).toBe(131072 - 64 - 1);
    expect(value.at(-1)).toBe("x");
    expect(value.slice(65470, 65473)).toBe("y\r\n");
  });

  it("ignores a preamble before the first boundary", async () => {
    const body = '\r\n\r\n--foo\r\nContent-Disposition: form-data; name="foo"\r\n\r\na string\r\n--foo--';
    const r = multipart("foo", body);
    expect((await r.getForm()).get("foo")).toBe("a string");
    expect((await r.getFiles()).size).toBe(0);
  });

  it("keeps file names as sent, including paths and non-ASCII", async () => {
    const body = Buffer.concat([
      Buffer.from('--B\r\nContent-Disposition: form-data; name="a"; filename="C:\\Users\\me\\report.doc"\r\n\r\nx\r\n'),
      Buffer.from('--B\r\nContent-Disposition: form-data; name="b"; filename="résumé.pdf"\r\n\r\ny\r\n'),
      Buffer.from("--B\r\nContent-Disposition: form-data; name=\"c\"; filename*=UTF-8''%E4%B8%AD.txt\r\n\r\nz\r\n"),
      Buffer.from("--B--\r\n"),
    ]);
    const files = await multipart("B", body).getFiles();
    expect(files.get("a")!.filename).toBe("C:\\Users\\me\\report.doc");
    expect(files.get("b")!.filename).toBe("résumé.pdf");
    expect(files.get("c")!.filename).toBe("中.txt");
    expect(secureFilename(files.get("a")!.filename!)).toBe("C_Users_me_report.doc");
  });

  it("gives an empty file input an empty filename", async () => {
    const body =
      '--B\r\nContent-Disposition: form-data; name="upload"; filename=""\r\n' +
      "Content-Type: application/octet-stream\r\n\r\n\r\n--B--\r\n";
    const file = (await multipart("B", body).getFiles()).get("upload")!;
    expect(file.filename).toBe("");
    expect(file.size).toBe(0);
  });

  it("is empty for an empty multipart body", async () => {
    const r = multipart("boundary", "--boundary--");
    expect((await r.getForm()).size).toBe(0);
    expect((await r.getFiles()).size).toBe(0);
  });

  it("spills a large file to a temporary file and deletes it on close()", async () => {
    const content = Buffer.alloc(600 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = i % 251;
    const r = multipart("B", multipartBody("B", [{ name: "big", filename: "big.bin", content }]));
    const file = (await r.getFiles()).get("big")!;
    expect(file.buffer).toBeUndefined();
    expect(file.path).toBeDefined();
    expect(file.path!.startsWith(tmpdir())).toBe(true);
    expect(file.size).toBe(content.length);
    expect((await file.read()).equals(content)).toBe(true);
    const chunks: Buffer[] = [];
    for await (const chunk of file.stream()) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
    const copy = join(workDir, "copy.bin");
    await file.save(copy);
    expect(readFileSync(copy).equals(content)).toBe(true);
    await r.close();
    expect(file.closed).toBe(true);
    expect(existsSync(file.path!)).toBe(false);
    expect(existsSync(copy)).toBe(true);
    await expect(file.read()).rejects.toThrow(/closed/);
    await r.close();
  });

  it("keeps a file of exactly the threshold in memory", async () => {
    const content = Buffer.alloc(500 * 1024, 1);
    const file = (await multipart("B", multipartBody("B", [{ name: "f", filename: "f", content }])).getFiles()).get("f")!;
    expect(file.buffer?.length).toBe(content.length);
    expect(file.path).toBeUndefined();
  });

  it("deletes temporary files when the body turns out malformed", async () => {
    const dir = mkdtempSync(join(workDir, "malformed-"));
    const body = Buffer.concat([
      Buffer.from('--B\r\nContent-Disposition: form-data; name="big"; filename="big.bin"\r\n\r\n'),
      Buffer.alloc(700 * 1024, 3),
    ]);
    const error = await rejection(parseFormData(body, "multipart/form-data; boundary=B", { tempDir: dir }));
    expect(error.code).toBe(400);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("deletes temporary files when a later part breaks a limit", async () => {
    const dir = mkdtempSync(join(workDir, "limit-"));
    const body = multipartBody("B", [
      { name: "big", filename: "big.bin", content: Buffer.alloc(700 * 1024, 3) },
      { name: "small", filename: "small.bin", content: "0123456789" },
      { name: "text", value: "x".repeat(100) },
    ]);
    const options = { tempDir: dir, fileMemoryThreshold: 4, maxFormMemorySize: 10 };
    expect((await rejection(parseFormData(body, "multipart/form-data; boundary=B", options))).code).toBe(413);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("deletes temporary files when the client disconnects mid-upload", async () => {
    const dir = mkdtempSync(join(workDir, "disconnect-"));
    const stream = new PassThrough();
    const parsing = parseFormData(stream, "multipart/form-data; boundary=B", { tempDir: dir, fileMemoryThreshold: 4 });
    stream.write('--B\r\nContent-Disposition: form-data; name="f"; filename="f.bin"\r\n\r\n');
    stream.write(Buffer.alloc(64 * 1024, 1));
    await vi.waitFor(() => expect(readdirSync(dir).length).toBe(1));
    stream.destroy(new Error("socket hang up"));
    expect((await rejection(parsing)).code).toBe(400);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("malformed multipart bodies", () => {
  const cases: Array<[string, string, string | Buffer]> = [
    ["a missing boundary parameter", "multipart/form-data", werkzeugMultipart],
    ["an empty boundary parameter", 'multipart/form-data; boundary=""', werkzeugMultipart],
    ["a body without the boundary", "multipart/form-data; boundary=zzz", werkzeugMultipart],
    ["a truncated file", "multipart/form-data; boundary=foo",
      '--foo\r\nContent-Disposition: form-data; name="test"; filename="test.txt"\r\nContent-Type: text/plain\r\n\r\nfile contents and no end'],
    ["a truncated field", "multipart/form-data; boundary=foo", "--foo\r\nContent-Disposition: form-data; name=foo\r\n\r\nHello World\r\n"],
    ["a broken part header", "multipart/form-data; boundary=foo", "--foo\r\nNot a header line\r\n\r\nx\r\n--foo--"],
    ["only the opening of a boundary", "multipart/form-data; boundary=foo", "--blah\r\n"],
    ["binary garbage", "multipart/form-data; boundary=foo", Buffer.from([0, 255, 13, 10, 45, 45, 0, 1, 2])],
  ];

  for (const [label, contentType, body] of cases) {
    it(`answers ${label} with 400`, async () => {
      const r = post(body, contentType);
      const error = await rejection(r.loadBody());
      expect(error).toBeInstanceOf(BadRequest);
      expect(error.code).toBe(400);
      expect(error.description).toMatch(/multipart\/form-data body/);
      // The failure sticks, for the synchronous getters too.
      expect(() => r.form).toThrow(BadRequest);
      expect((await rejection(r.getFiles())).code).toBe(400);
    });
  }
});

describe("FormDataParser and parseFormData", () => {
  it("parses pushed chunks", async () => {
    const parser = new FormDataParser(URLENCODED, {});
    parser.write(Buffer.from("a=1&"));
    parser.write(Buffer.from("b=2"));
    parser.end();
    expect((await parser.result).form.toObject()).toEqual({ a: "1", b: "2" });
  });

  it("refuses a mimetype that is not a form", () => {
    expect(() => new FormDataParser("text/plain", {})).toThrow(TypeError);
  });

  it("parses a Buffer, a string or a stream", async () => {
    const body = multipartBody("S", [{ name: "a", value: "1" }, { name: "f", filename: "f.txt", content: "x" }]);
    const type = "multipart/form-data; boundary=S";
    expect((await parseFormData(body, type)).form.get("a")).toBe("1");
    expect((await parseFormData(body.toString("latin1"), type)).files.size).toBe(1);
    expect((await parseFormData(Readable.from([body]), type)).files.get("f")!.size).toBe(1);
    expect((await parseFormData("a=1", URLENCODED)).form.get("a")).toBe("1");
    expect((await parseFormData("a=1", "text/plain")).form.size).toBe(0);
  });

  it("rejects with the limits' 413", async () => {
    await expect(parseFormData("a=1&b=2", URLENCODED, { maxFormParts: 1 })).rejects.toBeInstanceOf(RequestEntityTooLarge);
    await expect(parseFormData("a=123456", URLENCODED, { maxFormMemorySize: 3 })).rejects.toBeInstanceOf(RequestEntityTooLarge);
  });

  it("spills to the configured directory above the configured threshold", async () => {
    const dir = mkdtempSync(join(workDir, "spill-"));
    const body = multipartBody("S", [{ name: "f", filename: "f.txt", content: "0123456789" }]);
    const { files } = await parseFormData(body, "multipart/form-data; boundary=S", { fileMemoryThreshold: 4, tempDir: dir });
    const file = files.get("f")!;
    expect(file.path!.startsWith(dir)).toBe(true);
    expect(await file.text()).toBe("0123456789");
    await file.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("FileStorage", () => {
  it("wraps a buffer", async () => {
    const file = new FileStorage({ name: "f", filename: "a.txt", buffer: "héllo", contentType: "text/plain; charset=utf-8" });
    expect(file.size).toBe(6);
    expect(file.mimetype).toBe("text/plain");
    expect(file.mimetypeParams).toEqual({ charset: "utf-8" });
    expect(file.contentLength).toBe(0);
    expect(await file.text()).toBe("héllo");
  });

  it("saves into a writable stream, leaving it open", async () => {
    const file = new FileStorage({ filename: "a.txt", buffer: "stream me" });
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on("data", (chunk: Buffer) => chunks.push(chunk));
    await file.save(sink);
    expect(sink.writableEnded).toBe(false);
    expect(Buffer.concat(chunks).toString()).toBe("stream me");
  });

  it("saves to a path and reads from one", async () => {
    const path = join(workDir, "saved.txt");
    await new FileStorage({ buffer: "on disk" }).save(path);
    const fromDisk = new FileStorage({ path, filename: "saved.txt" });
    expect(fromDisk.size).toBe(7);
    expect(await fromDisk.text()).toBe("on disk");
    // Not temporary: closing does not delete a file the caller owns.
    await fromDisk.close();
    expect(existsSync(path)).toBe(true);
    expect(() => fromDisk.stream()).toThrow(/closed/);
  });
});

describe("secureFilename", () => {
  it("follows Werkzeug's secure_filename", () => {
    expect(secureFilename("My cool movie.mov")).toBe("My_cool_movie.mov");
    expect(secureFilename("../../../etc/passwd")).toBe("etc_passwd");
    expect(secureFilename("i contain cool \u00fcml\u00e4uts.txt")).toBe("i_contain_cool_umlauts.txt");
    expect(secureFilename("__filename__")).toBe("filename");
    expect(secureFilename("foo$&^*)bar")).toBe("foobar");
    expect(secureFilename("..\\..\\windows\\system32")).toBe("windows_system32");
    expect(secureFilename("中文.txt")).toBe("txt");
    expect(secureFilename("...")).toBe("");
  });

  it("guards Windows device names on every platform", () => {
    expect(secureFilename("NUL.txt")).toBe("_NUL.txt");
    expect(secureFilename("com1")).toBe("_com1");
    expect(secureFilename("console.txt")).toBe("console.txt");
  });
});
