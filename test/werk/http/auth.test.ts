import { describe, expect, it } from "vitest";
import { Authorization, WWWAuthenticate } from "@flagon/werk";

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

describe("Authorization", () => {
  it("decodes Basic credentials", () => {
    const a = Authorization.fromHeader("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")!;
    expect(a.type).toBe("basic");
    expect(a.username).toBe("Aladdin");
    expect(a.password).toBe("open sesame");
    expect(a.token).toBeUndefined();
  });

  it("decodes UTF-8 Basic credentials", () => {
    let a = Authorization.fromHeader("Basic 0YDRg9GB0YHQutC40IE60JHRg9C60LLRiw==")!;
    expect([a.username, a.password]).toEqual(["русскиЁ", "Буквы"]);
    a = Authorization.fromHeader("Basic 5pmu6YCa6K+dOuS4reaWhw==")!;
    expect([a.username, a.password]).toEqual(["普通话", "中文"]);
  });

  it("keeps colons in the password and accepts a missing one", () => {
    expect(Authorization.fromHeader(`Basic ${b64("user:pa:ss")}`)?.password).toBe("pa:ss");
    const noColon = Authorization.fromHeader(`basic ${b64("user")}`)!;
    expect([noColon.username, noColon.password]).toEqual(["user", ""]);
  });

  it("parses Digest parameters", () => {
    const a = Authorization.fromHeader(
      'Digest username="Mufasa", realm="testrealm@host.invalid", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",' +
        ' uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b",' +
        ' response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    )!;
    expect(a.type).toBe("digest");
    expect(a.username).toBe("Mufasa");
    expect(a.get("realm")).toBe("testrealm@host.invalid");
    expect(a.get("nonce")).toBe("dcd98b7102dd2f0e8b11d0f600bfb0c093");
    expect(a.get("uri")).toBe("/dir/index.html");
    expect(a.get("qop")).toBe("auth");
    expect(a.get("nc")).toBe("00000001");
    expect(a.get("cnonce")).toBe("0a4f113b");
    expect(a.get("response")).toBe("6629fae49393a05397450978507c4ef1");
    expect(a.get("opaque")).toBe("5ccc069c403ebaf9f0171e9517f40e41");
    expect(a.get("missing")).toBeUndefined();
  });

  it("reads Bearer and other token schemes, base64 padding included", () => {
    expect(Authorization.fromHeader("Bearer abc.def-ghi")?.token).toBe("abc.def-ghi");
    for (const raw of ["This has base64 padding", "This has base64 padding.."]) {
      const token = b64(raw);
      const a = Authorization.fromHeader(`Token ${token}`)!;
      expect(a.type).toBe("token");
      expect(a.token).toBe(token);
    }
    expect(Authorization.fromHeader("foo")?.type).toBe("foo");
  });

  it("drops invalid parameters", () => {
    expect(Authorization.fromHeader("Digest foo, bar=, =qux, =")?.toHeader()).toBe('Digest foo, bar=""');
  });

  it.each([
    "Basic V2Vya3pldWc6V2VrcnpldWc=",
    "Digest username=Mufasa, realm=\"testrealm@host.invalid\", nonce=dcd98b7102dd2f0e8b11d0f600bfb0c093," +
      ' uri="/dir/index.html", qop=auth, nc=00000001, cnonce=0a4f113b,' +
      " response=6629fae49393a05397450978507c4ef1, opaque=5ccc069c403ebaf9f0171e9517f40e41",
    "Bearer abc",
  ])("round-trips %j", (value) => {
    expect(Authorization.fromHeader(value)?.toHeader()).toBe(value);
  });

  it("builds Basic headers from parameters", () => {
    expect(new Authorization("Basic", { username: "Aladdin", password: "open sesame" }).toHeader()).toBe(
      "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    );
  });

  it("compares by scheme, token and parameters", () => {
    const basic1 = Authorization.fromHeader("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")!;
    const basic2 = new Authorization("basic", { username: "Aladdin", password: "open sesame" });
    expect(basic1.equals(basic2)).toBe(true);
    const bearer1 = Authorization.fromHeader("Bearer abc")!;
    expect(bearer1.equals(new Authorization("bearer", null, "abc"))).toBe(true);
    expect(basic1.equals(bearer1)).toBe(false);
  });

  it.each([
    undefined,
    null,
    "",
    " ",
    "Basic foo",
    "Basic !!!!",
    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ",
    "Basic QWxh ZGRp",
    `Basic ${Buffer.from([0xff, 0x73, 0x65, 0x72, 0x3a, 0x70]).toString("base64")}`,
    "B@sic abc",
    "\r\n",
    "(garbage) x",
  ])("gives undefined for %j", (value) => {
    expect(Authorization.fromHeader(value)).toBeUndefined();
  });

  it.each(['Digest a="unclosed', "Digest ===", "Bearer " + "x".repeat(10_000), "Digest a=1, a=2, __proto__=x"])(
    "never throws on %j",
    (value) => {
      expect(() => Authorization.fromHeader(value)?.toHeader()).not.toThrow();
    },
  );

  it("keeps a __proto__ parameter as data", () => {
    const a = Authorization.fromHeader("Digest __proto__=x, realm=r")!;
    expect(a.get("__proto__")).toBe("x");
    expect(Object.getPrototypeOf(a.parameters)).toBe(Object.prototype);
  });
});

describe("WWWAuthenticate", () => {
  it("parses and edits a Basic challenge", () => {
    const wa = WWWAuthenticate.fromHeader('Basic realm="WallyWorld"')!;
    expect(wa.type).toBe("basic");
    expect(wa.realm).toBe("WallyWorld");
    wa.realm = "Foo Bar";
    expect(wa.toHeader()).toBe('Basic realm="Foo Bar"');
    wa.realm = undefined;
    expect(wa.toHeader()).toBe("Basic");
  });

  it("writes a bare scheme", () => {
    expect(new WWWAuthenticate("bearer").toHeader()).toBe("Bearer");
  });

  it("parses a Digest challenge and quotes its fields", () => {
    const wa = WWWAuthenticate.fromHeader(
      'Digest realm="testrealm@host.com", qop="auth,auth-int",' +
        ' nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    )!;
    expect(wa.type).toBe("digest");
    expect(wa.realm).toBe("testrealm@host.com");
    expect(wa.parameters.qop).toBe("auth,auth-int");
    expect(wa.get("nonce")).toBe("dcd98b7102dd2f0e8b11d0f600bfb0c093");
    expect(new WWWAuthenticate("digest", { realm: "r", nonce: "n", algorithm: "MD5" }).toHeader()).toBe(
      'Digest realm="r", nonce="n", algorithm=MD5',
    );
  });

  it("reads tokens, padding included", () => {
    for (const raw of ["This has base64 padding", "This has base64 padding.."]) {
      const token = b64(raw);
      const a = WWWAuthenticate.fromHeader(`Token ${token}`)!;
      expect(a.type).toBe("token");
      expect(a.token).toBe(token);
      expect(a.toHeader()).toBe(`Token ${token}`);
    }
  });

  it("handles broken and empty values", () => {
    expect(WWWAuthenticate.fromHeader("broken")?.type).toBe("broken");
    expect(WWWAuthenticate.fromHeader("broken")?.toHeader()).toBe("Broken");
    expect(WWWAuthenticate.fromHeader("")).toBeUndefined();
    expect(WWWAuthenticate.fromHeader("\u0000 x")).toBeUndefined();
  });

  it("compares by scheme, token and parameters", () => {
    const basic1 = WWWAuthenticate.fromHeader("Basic realm=abc")!;
    expect(basic1.equals(new WWWAuthenticate("basic", { realm: "abc" }))).toBe(true);
    const token1 = WWWAuthenticate.fromHeader("Token abc")!;
    expect(token1.equals(new WWWAuthenticate("token", null, "abc"))).toBe(true);
    expect(basic1.equals(token1)).toBe(false);
  });
});
