import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { Config, DEFAULT_CONFIG } from "flagon";

const tmp = mkdtempSync(join(tmpdir(), "flagon-config-"));

function commonChecks(config: Config): void {
  expect(config.TEST_KEY).toBe("foo");
  expect(config.SECRET_KEY).toBe("config");
  expect(config).not.toHaveProperty("lowercase");
}

describe("Config", () => {
  test("starts with Flask's defaults", () => {
    const config = new Config();
    expect(config.DEBUG).toBe(false);
    expect(config.SESSION_COOKIE_NAME).toBe("session");
    expect(config.PERMANENT_SESSION_LIFETIME).toBe(31 * 24 * 3600);
    expect(config.MAX_FORM_PARTS).toBe(1000);
    expect(config.PROVIDE_AUTOMATIC_OPTIONS).toBe(true);
    expect(config.toObject()).toEqual({ ...DEFAULT_CONFIG });
  });

  test("fromObject copies only upper-case keys, from objects and classes", () => {
    const config = new Config();
    config.fromObject({ TEST_KEY: "foo", SECRET_KEY: "config", lowercase: 1 });
    commonChecks(config);

    class Base {
      static TEST_KEY = "foo";
    }
    class Settings extends Base {
      static SECRET_KEY = "config";
      static lowercase = 1;
    }
    const fromClass = new Config();
    fromClass.fromObject(Settings);
    commonChecks(fromClass);
  });

  test("fromFile loads JSON relative to the root path", () => {
    writeFileSync(join(tmp, "config.json"), JSON.stringify({ TEST_KEY: "foo", SECRET_KEY: "config", lowercase: 2 }));
    const config = new Config(tmp);
    expect(config.fromFile("config.json")).toBe(true);
    commonChecks(config);
  });

  test("fromFile takes a custom loader", () => {
    writeFileSync(join(tmp, "config.ini"), "TEST_KEY=foo\nSECRET_KEY=config\n");
    const config = new Config(tmp);
    config.fromFile("config.ini", (text) => Object.fromEntries(text.trim().split("\n").map((line) => line.split("="))));
    commonChecks(config);
  });

  test("fromFile on a missing file throws, or returns false when silent", () => {
    const config = new Config(tmp);
    expect(() => config.fromFile("missing.json")).toThrow(/Unable to load configuration file/);
    expect(config.fromFile("missing.json", JSON.parse, { silent: true })).toBe(false);
  });

  test("fromFile refuses a file that does not hold an object", () => {
    writeFileSync(join(tmp, "list.json"), "[1, 2]");
    writeFileSync(join(tmp, "null.json"), "null");
    const config = new Config(tmp);
    expect(() => config.fromFile("null.json")).toThrow(/must hold an object/);
    // An array is an object but has no upper-case keys: nothing is loaded.
    expect(config.fromFile("list.json")).toBe(true);
  });

  test("fromMapping takes objects, Maps and extra keys, skipping lower-case keys", () => {
    const config = new Config();
    config.fromMapping({ SECRET_KEY: "config", TEST_KEY: "foo", lowercase: 1 });
    commonChecks(config);
    const fromMap = new Config();
    fromMap.fromMapping(new globalThis.Map<string, unknown>([["SECRET_KEY", "config"]]), { TEST_KEY: "foo", lowercase: 1 });
    commonChecks(fromMap);
  });

  test("fromEnvvar loads the file the variable names", () => {
    writeFileSync(join(tmp, "env.json"), JSON.stringify({ TEST_KEY: "foo", SECRET_KEY: "config" }));
    process.env.FLAGON_TEST_CONFIG_FILE = join(tmp, "env.json");
    try {
      const config = new Config();
      expect(config.fromEnvvar("FLAGON_TEST_CONFIG_FILE")).toBe(true);
      commonChecks(config);
    } finally {
      delete process.env.FLAGON_TEST_CONFIG_FILE;
    }
    const config = new Config();
    expect(() => config.fromEnvvar("FLAGON_NOT_SET_ANYWHERE")).toThrow(/is not set/);
    expect(config.fromEnvvar("FLAGON_NOT_SET_ANYWHERE", { silent: true })).toBe(false);
  });

  test("fromPrefixedEnv parses JSON values and keeps other strings", () => {
    const config = new Config();
    config.fromPrefixedEnv("FLAGON", JSON.parse, {
      FLAGON_STRING: "value",
      FLAGON_BOOL: "true",
      FLAGON_INT: "1",
      FLAGON_FLOAT: "1.2",
      FLAGON_LIST: "[1, 2]",
      FLAGON_DICT: '{"k": "v"}',
      NOT_FLAGON_OTHER: "other",
    });
    expect(config.STRING).toBe("value");
    expect(config.BOOL).toBe(true);
    expect(config.INT).toBe(1);
    expect(config.FLOAT).toBe(1.2);
    expect(config.LIST).toEqual([1, 2]);
    expect(config.DICT).toEqual({ k: "v" });
    expect(config).not.toHaveProperty("OTHER");
  });

  test("fromPrefixedEnv takes a custom prefix and loader", () => {
    const config = new Config();
    config.fromPrefixedEnv("CUSTOM", (s) => s.toUpperCase(), { CUSTOM_A: "x", FLAGON_B: "y" });
    expect(config.A).toBe("X");
    expect(config).not.toHaveProperty("B");
  });

  test("fromPrefixedEnv nests keys separated by double underscores", () => {
    const config = new Config();
    config.EXIST = { ok: "value", flag: true, inner: { ik: 1 } };
    config.fromPrefixedEnv("FLAGON", JSON.parse, {
      FLAGON_EXIST__ok: "other",
      FLAGON_EXIST__inner__ik: "2",
      FLAGON_EXIST__new__more: '{"k": false}',
      FLAGON_NEW__K: "v",
    });
    expect(config.EXIST).toEqual({ ok: "other", flag: true, inner: { ik: 2 }, new: { more: { k: false } } });
    expect(config.NEW).toEqual({ K: "v" });
  });

  test("getNamespace gathers keys by prefix", () => {
    const config = new Config();
    config.fromMapping({ FOO_OPTION_1: "foo option 1", FOO_OPTION_2: "foo option 2", BAR_STUFF_1: "bar stuff 1" });
    expect(config.getNamespace("FOO_")).toEqual({ option_1: "foo option 1", option_2: "foo option 2" });
    expect(config.getNamespace("FOO_", { lowercase: false })).toEqual({ OPTION_1: "foo option 1", OPTION_2: "foo option 2" });
    expect(config.getNamespace("FOO_", { trimNamespace: false })).toEqual({ foo_option_1: "foo option 1", foo_option_2: "foo option 2" });
  });

  test("is a plain object for indexing, with methods kept off the keys", () => {
    const config = new Config();
    config["SOME_KEY"] = 1;
    expect(Object.keys(config)).toContain("SOME_KEY");
    expect(Object.keys(config)).not.toContain("rootPath");
    expect(String(config)).toMatch(/^<Config \{/);
  });
});
