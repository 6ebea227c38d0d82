// Flask's tests/test_templating.py, translated to Flagon and Nunjucks, plus what the port
// adds: per-name autoescaping across includes, keyword arguments to url_for, blueprint
// template folders, auto-reload, streaming and template errors on the debug page.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { NotFound } from "@flagon/werk";
import { Blueprint, Flagon, abort, createNullSession, flash, g, session, type FlagonOptions, type SessionInterface, type SessionMixin } from "flagon";
import {
  TemplateError,
  TemplateNotFound,
  getTemplateAttribute,
  isAutoReload,
  markSafe,
  registerTemplateGlobal,
  renderTemplate,
  renderTemplateString,
  streamTemplate,
  streamTemplateString,
  templateEnvironment,
  templateLocationOf,
} from "../../packages/flagon/src/templating.js";
import { makeApp as makeTestApp } from "./_helpers.js";

const FIXTURES = fileURLToPath(new URL("./fixtures", import.meta.url));
const ADMIN_ROOT = join(FIXTURES, "bp_admin");

/** Flask's `app` fixture, rooted at the fixtures folder (templates in fixtures/templates). */
function makeApp(opts: FlagonOptions = {}): Flagon & { logs: string[] } {
  return makeTestApp({ rootPath: FIXTURES, ...opts }, "flagon_templating");
}

/** A session interface keeping nothing between requests, so views may write the session. */
function throwawaySessions(opened: { count: number } = { count: 0 }): SessionInterface {
  return {
    openSession(): SessionMixin {
      opened.count++;
      return { accessed: false, modified: false, permanent: false, isNew: true };
    },
    saveSession() {},
    makeNullSession: () => createNullSession(),
    isNullSession: () => false,
  };
}

/** Stand-in for the blueprint registry: name → { templateFolder, rootPath }. */
function withBlueprints(app: Flagon, blueprints: Record<string, { templateFolder: string | null; rootPath: string }>): void {
  Object.defineProperty(app, "blueprints", { value: new Map(Object.entries(blueprints)), configurable: true });
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), "flagon-templates-"));
  dirs.push(dir);
  return dir;
}

const inApp = <T>(app: Flagon, fn: () => T | Promise<T>): Promise<T> => app.appContext().run(fn);

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe("template context", () => {
  test("context processors add values next to the view's", async () => {
    const app = makeApp();
    app.contextProcessor(() => ({ injected_value: 42 }));
    app.get("/", () => renderTemplate("context_template.html", { value: 23 }));
    expect((await app.testClient().get("/")).text).toBe("<p>23|42");
  });

  test("values passed to the template win over globals and context processors", async () => {
    const app = makeApp();
    app.contextProcessor(() => ({ config: "from processor", value: "processor" }));
    app.get("/", () => renderTemplateString("{{ config }} {{ value }}", { config: 42, value: "view" }));
    expect((await app.testClient().get("/")).text).toBe("42 view");
  });

  test("a context processor's value replaces a global", async () => {
    const app = makeApp();
    app.contextProcessor(() => ({ config: "processed" }));
    expect(await inApp(app, () => renderTemplateString("{{ config }}"))).toBe("processed");
  });

  test("renders without a request, in an app context", async () => {
    const app = makeApp();
    app.config.WORLD_NAME = "Special World";
    app.contextProcessor(() => ({ foo: 42 }));
    expect(await inApp(app, () => renderTemplateString("Hello {{ config.WORLD_NAME }} {{ foo }}"))).toBe("Hello Special World 42");
  });

  test("rendering outside any context says so", async () => {
    await expect(renderTemplateString("x")).rejects.toThrow("Working outside of application context");
  });

  test("templates see request, g, config and session", async () => {
    const app = makeApp();
    app.sessionInterface = throwawaySessions();
    app.get("/", () => {
      g.user = 23;
      session.test = "aha";
      return renderTemplate("standard_context.html");
    });
    expect((await app.testClient().get("/?foo=42")).text).toBe("42|23|false|aha");
  });

  test("the session is opened only when a template reads it", async () => {
    const app = makeApp();
    const opened = { count: 0 };
    app.sessionInterface = throwawaySessions(opened);
    app.get("/", () => renderTemplateString("{{ request.path }}"));
    app.get("/s", () => renderTemplateString("{{ session.missing }}"));
    const client = app.testClient();
    expect((await client.get("/")).text).toBe("/");
    expect(opened.count).toBe(0);
    await client.get("/s");
    expect(opened.count).toBe(1);
  });

  test("async context processors are awaited, in registration order", async () => {
    const app = makeApp();
    app.contextProcessor(async () => ({ a: 1, b: 1 }));
    app.contextProcessor(() => ({ b: 2, c: 2 }));
    app.contextProcessor(async () => ({ c: 3 }));
    expect(await inApp(app, () => renderTemplateString("{{ a }}{{ b }}{{ c }}"))).toBe("123");
  });

  test("a context processor returning a non-object is an error naming it", async () => {
    const app = makeApp();
    app.contextProcessor(function broken() {
      return 3;
    });
    await expect(inApp(app, () => renderTemplateString("x"))).rejects.toThrow('context processor "broken" must return an object');
  });

  test("blueprint context processors run after the app's, outermost blueprint first", async () => {
    const app = makeApp();
    app.contextProcessor(() => ({ who: "app", app: 1 }));
    app.templateContextProcessors.set("admin", [() => ({ who: "admin", admin: 1 })]);
    app.templateContextProcessors.set("admin.users", [() => ({ who: "users" })]);
    app.templateContextProcessors.set("other", [() => ({ who: "other", other: 1 })]);
    const page = () => renderTemplateString("{{ who }} {{ app }}{{ admin }}{{ other }}");
    app.addUrlRule("/", { endpoint: "index", view: page });
    app.addUrlRule("/admin/", { endpoint: "admin.index", view: page });
    app.addUrlRule("/admin/users/", { endpoint: "admin.users.list", view: page });
    const client = app.testClient();
    expect((await client.get("/")).text).toBe("app 1");
    expect((await client.get("/admin/")).text).toBe("admin 11");
    expect((await client.get("/admin/users/")).text).toBe("users 11");
    // A request context that was never dispatched is routed for its blueprint.
    expect(await app.testRequestContext("/admin/").run(page)).toBe("admin 11");
  });

  test("concurrent requests each see their own request in templates", async () => {
    const app = makeApp();
    app.contextProcessor(async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
      return {};
    });
    app.get("/", () => renderTemplateString("{{ request.args.get('n') }}"));
    const client = app.testClient();
    const texts = await Promise.all(Array.from({ length: 20 }, (_, n) => client.get(`/?n=${n}`).then((rv) => rv.text)));
    expect(texts).toEqual(Array.from({ length: 20 }, (_, n) => String(n)));
  });
});

describe("escaping", () => {
  const text = "<p>Hello World!";

  test(".html templates are autoescaped; safe strings and |safe are not", async () => {
    const app = makeApp();
    app.get("/", () => renderTemplate("escaping_template.html", { text, html: markSafe(text) }));
    const lines = (await app.testClient().get("/")).text.split("\n");
    expect(lines).toEqual([
      "&lt;p&gt;Hello World!",
      "<p>Hello World!",
      "<p>Hello World!",
      "<p>Hello World!",
      "&lt;p&gt;Hello World!",
      "<p>Hello World!",
    ]);
  });

  test(".txt templates are not escaped, except through |escape", async () => {
    const app = makeApp();
    app.get("/", () => renderTemplate("non_escaping_template.txt", { text, html: markSafe(text) }));
    const lines = (await app.testClient().get("/")).text.split("\n");
    expect(lines).toEqual([
      "<p>Hello World!",
      "<p>Hello World!",
      "<p>Hello World!",
      "<p>Hello World!",
      "&lt;p&gt;Hello World!",
      "<p>Hello World!",
      "<p>Hello World!",
      "<p>Hello World!",
    ]);
  });

  test("template strings are escaped, a .txt file is not", async () => {
    const app = makeApp();
    await app.testRequestContext().run(async () => {
      expect(await renderTemplateString("{{ foo }}", { foo: "<test>" })).toBe("&lt;test&gt;");
      expect(await renderTemplate("mail.txt", { foo: "<test>" })).toBe("<test> Mail");
    });
  });

  test.each([
    ["page.htm", true],
    ["page.xml", true],
    ["page.xhtml", true],
    ["icon.svg", true],
    ["page.html.txt", false],
    ["data.json", false],
  ])("%s is escaped: %s", async (name, escaped) => {
    const root = tempRoot();
    mkdirSync(join(root, "templates"));
    writeFileSync(join(root, "templates", name), "{{ x }}");
    const app = makeApp({ rootPath: root });
    expect(await inApp(app, () => renderTemplate(name, { x: "<b>" }))).toBe(escaped ? "&lt;b&gt;" : "<b>");
  });

  test("an included template is escaped by its own name, not its parent's", async () => {
    const app = makeApp();
    await inApp(app, async () => {
      expect(await renderTemplate("includes_html.txt", { text: "<b>" })).toBe("txt: <b>\npart: &lt;b&gt;");
      expect(await renderTemplate("includes_txt.html", { text: "<b>" })).toBe("html: &lt;b&gt;\npart: <b>");
    });
  });

  test("the app can choose what to escape (Flask's select_jinja_autoescape)", async () => {
    class TextEscaping extends Flagon {
      selectTemplateAutoescape(name: string | null): boolean {
        return name === null || name.endsWith(".txt");
      }
    }
    const app = new TextEscaping("t", { rootPath: FIXTURES });
    await inApp(app, async () => {
      expect(await renderTemplate("mail.txt", { foo: "<b>" })).toBe("&lt;b&gt; Mail");
      expect(await renderTemplate("context_template.html", { value: "<b>" })).toBe("<p><b>|");
    });
  });

  test("one newline at the end of a template file is dropped, as Jinja does", async () => {
    const app = makeApp();
    expect(await inApp(app, () => renderTemplate("nested/nested.txt"))).toBe("I'm nested");
  });
});

describe("Nunjucks runtime as Flagon runs it", () => {
  test("loop variables in nested loops, and set at each level, keep their values", async () => {
    const app = makeApp();
    const source =
      "{% set outer = 'o' %}{% for row in rows %}{% set outer = row.name %}" +
      "{% for cell in row.cells %}[{{ loop.index }}/{{ loop.length }}{% if loop.first %} first{% endif %}{% if loop.last %} last{% endif %}" +
      " {{ loop.revindex0 }} {{ row.name }}{{ cell }}]{% endfor %}{{ loop.index0 }};{% endfor %}{{ outer }}";
    const rows = [{ name: "a", cells: [1, 2] }, { name: "b", cells: [3] }];
    expect(await inApp(app, () => renderTemplateString(source, { rows }))).toBe(
      // Unpatched Nunjucks gives the same; unlike Jinja, a set inside a loop reaches the outer scope.
      "[1/2 first 1 a1][2/2 last 0 a2]0;[1/1 first last 0 b3]1;b",
    );
  });

  test("every special character is escaped, and text without one is left as it is", async () => {
    const app = makeApp();
    const out = await inApp(app, () => renderTemplateString("{{ a }}|{{ b }}|{{ n }}", { a: `<a href="x">'&'\\</a>`, b: "plain text", n: 0 }));
    expect(out).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&#92;&lt;/a&gt;|plain text|0");
  });
});

describe("macros, inheritance, template lists", () => {
  test("a macro can be called from code (get_template_attribute)", async () => {
    const app = makeApp();
    const hello = (await inApp(app, () => getTemplateAttribute("_macro.html", "hello"))) as (name: string) => unknown;
    expect(String(hello("World"))).toBe("Hello World!");
  });

  test("include works inside a for loop (the loader is synchronous)", async () => {
    const app = makeApp();
    const out = await inApp(app, () => renderTemplateString("{% for foo in ['<a>', 'b'] %}[{% include 'mail.txt' %}]{% endfor %}"));
    expect(out).toBe("[<a> Mail][b Mail]");
  });

  test("extends finds the layout through the same loader", async () => {
    const app = makeApp();
    expect(await inApp(app, () => renderTemplate("child.html", { value: "<i>" }))).toBe("<main>child &lt;i&gt;</main>");
  });

  test("given several names, the first existing template is rendered", async () => {
    const app = makeApp();
    app.contextProcessor(() => ({ whiskey: "Jameson" }));
    app.get("/", () => renderTemplate(["no_template.xml", "simple_template.html", "context_template.html"], { value: 23 }));
    expect((await app.testClient().get("/")).text).toBe("<h1>Jameson</h1>");
  });

  test("a missing template is a TemplateNotFound naming the names and folders", async () => {
    const app = makeApp();
    await inApp(app, async () => {
      const single = await renderTemplate("missing.html").catch((e: unknown) => e);
      expect(single).toBeInstanceOf(TemplateNotFound);
      expect((single as TemplateNotFound).templateName).toBe("missing.html");
      expect((single as Error).message).toContain(join(FIXTURES, "templates"));
      const several = await renderTemplate(["a.html", "b.html"]).catch((e: unknown) => e);
      expect(several).toBeInstanceOf(TemplateNotFound);
      expect((several as TemplateNotFound).names).toEqual(["a.html", "b.html"]);
    });
  });

  test("names cannot climb out of the template folder", async () => {
    const app = makeApp();
    await inApp(app, async () => {
      await expect(renderTemplate("../templates/mail.txt")).rejects.toBeInstanceOf(TemplateNotFound);
      await expect(renderTemplate("nested/../../bp_admin/templates/shared.html")).rejects.toBeInstanceOf(TemplateNotFound);
      expect(await renderTemplate("./nested//nested.txt")).toBe("I'm nested");
    });
  });

  test("a missing include is a TemplateNotFound located in the including template", async () => {
    const app = makeApp();
    const error = await inApp(app, () => renderTemplate("include_missing.html")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateNotFound);
    expect((error as TemplateNotFound).templateName).toBe("does_not_exist.html");
    expect(templateLocationOf(error)).toMatchObject({ name: "include_missing.html" });
  });
});

describe("filters, tests and globals", () => {
  const reverse = (s: string): string => [...s].reverse().join("");

  test("a filter is registered under its function's name or the given one", () => {
    const app = makeApp();
    function my_reverse(s: string): string {
      return reverse(s);
    }
    app.registerHook("templateFilter", my_reverse);
    app.registerHook("templateFilter", reverse, "strrev");
    const env = templateEnvironment(app);
    expect(env.filters.my_reverse).toBe(my_reverse);
    expect(env.filters.strrev).toBe(reverse);
    expect(env.filters.strrev!("abcd")).toBe("dcba");
  });

  test("filters registered after the environment exists are added", async () => {
    const app = makeApp();
    app.get("/", () => renderTemplate("template_filter.html", { value: "abcd" }));
    templateEnvironment(app);
    app.registerHook("templateFilter", reverse, "super_reverse");
    expect((await app.testClient().get("/")).text).toBe("dcba");
  });

  test("a test is registered by name and used with `is`", async () => {
    const app = makeApp();
    const boolean = (value: unknown): boolean => typeof value === "boolean";
    app.registerHook("templateTest", boolean, "boolean");
    expect(templateEnvironment(app).tests.boolean).toBe(boolean);
    app.get("/", () => renderTemplate("template_test.html", { value: false }));
    expect((await app.testClient().get("/")).text).toContain("Success!");
  });

  test("globals are registered by name and callable from templates", async () => {
    const app = makeApp();
    function get_stuff(): number {
      return 42;
    }
    app.registerHook("templateGlobal", get_stuff);
    await inApp(app, async () => {
      expect(templateEnvironment(app).globals.get_stuff).toBe(get_stuff);
      expect(await renderTemplateString("{{ get_stuff() }}")).toBe("42");
      app.registerHook("templateGlobal", () => "get_stuff_2", "my_get_stuff_custom_name_2");
      expect(await renderTemplateString("{{ my_get_stuff_custom_name_2() }}")).toBe("get_stuff_2");
    });
  });

  test("a registered shared global takes keyword arguments as a camelCase options object", async () => {
    const seen: unknown[][] = [];
    registerTemplateGlobal("shoutAll", (...args: unknown[]) => {
      seen.push(args);
      return "ok";
    });
    const app = makeApp();
    await inApp(app, async () => {
      expect(await renderTemplateString("{{ shout_all('a', with_categories=true) }}{{ shoutAll('b', { x: 1 }, y_z=2) }}")).toBe("okok");
    });
    expect(seen).toEqual([
      ["a", { withCategories: true }],
      ["b", { x: 1, yZ: 2 }],
    ]);
  });

  test("get_flashed_messages gives flashed messages, with categories on request", async () => {
    const app = makeApp();
    app.post("/flash", function flashIt() {
      flash("saved", "info");
      flash("careful", "warning");
      return "ok";
    });
    app.get("/show", function show() {
      return renderTemplateString(
        "{% for category, message in get_flashed_messages(with_categories=true) %}{{ category }}:{{ message }};{% endfor %}",
      );
    });
    app.get("/plain", function plain() {
      return renderTemplateString("{{ getFlashedMessages() | join(',') }}");
    });
    const client = app.testClient();
    await client.post("/flash");
    expect((await client.get("/show")).text).toBe("info:saved;warning:careful;");
    await client.post("/flash");
    expect((await client.get("/plain")).text).toBe("saved,careful");
    expect((await client.get("/plain")).text).toBe("");
  });
});

describe("url_for in templates", () => {
  test("keyword arguments and option objects build URLs", async () => {
    const app = makeApp();
    app.get("/", function index() {
      return renderTemplate("url_for.html");
    });
    app.get("/show/<int:id>", function show() {
      return "";
    });
    expect((await app.testClient().get("/")).text.split("\n")).toEqual(["/show/3", "/show/4", "/show/5?page=2#top", "http://localhost/"]);
  });

  test("keyword names are URL values, passed as written", async () => {
    const app = makeApp();
    app.get("/post/<int:post_id>", function show_post() {
      return renderTemplateString("{{ url_for('show_post', post_id=7) }}");
    });
    expect((await app.testClient().get("/post/1")).text).toBe("/post/7");
  });
});

describe("loaders", () => {
  test("an app can replace the loader (Flask's create_global_jinja_loader)", async () => {
    class CustomLoaderApp extends Flagon {
      createGlobalTemplateLoader() {
        return { getSource: (name: string) => (name === "index.html" ? { src: "Hello Custom World!", path: name, noCache: false } : null) };
      }
    }
    const app = new CustomLoaderApp("t", { rootPath: FIXTURES });
    app.get("/", () => renderTemplate("index.html"));
    expect((await app.testClient().get("/")).text).toBe("Hello Custom World!");
  });

  test("blueprint template folders are searched after the app's", async () => {
    const app = makeApp();
    withBlueprints(app, { admin: { templateFolder: "templates", rootPath: ADMIN_ROOT }, nofolder: { templateFolder: null, rootPath: FIXTURES } });
    await inApp(app, async () => {
      expect(await renderTemplate("admin/index.html", { value: 1 })).toBe("admin index 1");
      expect(await renderTemplate("admin_only.html")).toBe("admin only");
      expect(await renderTemplate("shared.html")).toBe("app shared");
    });
  });

  test("blueprints registered after the first render are searched too", async () => {
    const app = makeApp();
    await inApp(app, async () => {
      await expect(renderTemplate("admin_only.html")).rejects.toBeInstanceOf(TemplateNotFound);
      withBlueprints(app, { admin: { templateFolder: "templates", rootPath: ADMIN_ROOT } });
      expect(await renderTemplate("admin_only.html")).toBe("admin only");
    });
  });

  test("without an app template folder only blueprints are searched", async () => {
    const app = makeApp({ templateFolder: null });
    withBlueprints(app, { admin: { templateFolder: "templates", rootPath: ADMIN_ROOT } });
    expect(await inApp(app, () => renderTemplate("shared.html"))).toBe("admin shared");
  });

  test("EXPLAIN_TEMPLATE_LOADING logs the folders tried", async () => {
    const app = makeApp();
    withBlueprints(app, { admin: { templateFolder: "templates", rootPath: ADMIN_ROOT } });
    app.config.EXPLAIN_TEMPLATE_LOADING = true;
    await inApp(app, () => renderTemplate("missing_template.html")).catch(() => {});
    const text = app.logs.join("\n");
    expect(text).toContain("Locating template 'missing_template.html'");
    expect(text).toContain("1: trying loader of application 'flagon_templating'");
    expect(text).toContain("2: trying loader of blueprint 'admin'");
    expect(text).toContain("Error: the template could not be found.");
  });
});

describe("with the app's and blueprints' registration methods", () => {
  test("filters, tests and globals registered bare, called or named", async () => {
    const app = makeApp();
    const reverse = (s: string): string => [...s].reverse().join("");
    function my_reverse(s: string): string {
      return reverse(s);
    }
    app.templateFilter(my_reverse);
    app.templateFilter("super_reverse")(reverse);
    app.templateTest()(function boolean(value: unknown) {
      return typeof value === "boolean";
    });
    app.templateGlobal(function get_stuff() {
      return 42;
    });
    await inApp(app, async () => {
      expect(templateEnvironment(app).filters.my_reverse).toBe(my_reverse);
      expect(await renderTemplate("template_filter.html", { value: "abcd" })).toBe("dcba");
      expect(await renderTemplate("template_test.html", { value: false })).toContain("Success!");
      expect(await renderTemplateString("{{ get_stuff() }}{{ 'ab'|my_reverse }}")).toBe("42ba");
    });
  });

  test("a registered blueprint's templates, context processors and app-wide filters", async () => {
    const app = makeApp();
    app.contextProcessor(() => ({ who: "app" }));
    const admin = new Blueprint("admin", { rootPath: ADMIN_ROOT, templateFolder: "templates", urlPrefix: "/admin" });
    admin.contextProcessor(() => ({ who: "admin" }));
    admin.appTemplateFilter("shout")((s: string) => s.toUpperCase());
    admin.get("/", function index() {
      return renderTemplateString("{% include 'admin/index.html' %} {{ who }} {{ 'x'|shout }}", { value: 1 });
    });
    app.get("/", function index() {
      return renderTemplateString("{% include 'shared.html' %} {{ who }} {{ 'y'|shout }}");
    });
    app.registerBlueprint(admin);
    const client = app.testClient();
    expect((await client.get("/admin/")).text).toBe("admin index 1 admin X");
    expect((await client.get("/")).text).toBe("app shared app Y");
  });
});

describe("TEMPLATES_AUTO_RELOAD", () => {
  test.each([
    [false, null, false],
    [false, false, false],
    [false, true, true],
    [true, null, true],
    [true, false, false],
    [true, true, true],
  ])("DEBUG=%s, TEMPLATES_AUTO_RELOAD=%s: reloads %s", async (debug, setting, reloads) => {
    const root = tempRoot();
    mkdirSync(join(root, "templates"));
    const file = join(root, "templates", "page.txt");
    writeFileSync(file, "first");
    const app = makeApp({ rootPath: root });
    app.config.DEBUG = debug;
    app.config.TEMPLATES_AUTO_RELOAD = setting;
    expect(isAutoReload(app)).toBe(reloads);
    await inApp(app, async () => {
      expect(await renderTemplate("page.txt")).toBe("first");
      writeFileSync(file, "second");
      const later = new Date(Date.now() + 5000);
      utimesSync(file, later, later);
      expect(await renderTemplate("page.txt")).toBe(reloads ? "second" : "first");
    });
  });

  test("turning debug on later turns reloading on when the setting is unset", async () => {
    const root = tempRoot();
    mkdirSync(join(root, "templates"));
    const file = join(root, "templates", "page.txt");
    writeFileSync(file, "first");
    const app = makeApp({ rootPath: root });
    await inApp(app, async () => {
      expect(await renderTemplate("page.txt")).toBe("first");
      app.debug = true;
      writeFileSync(file, "second");
      const later = new Date(Date.now() + 5000);
      utimesSync(file, later, later);
      expect(await renderTemplate("page.txt")).toBe("second");
    });
  });
});

describe("streaming", () => {
  test("a streamed template string is a response body", async () => {
    const app = makeApp();
    app.get("/", () => streamTemplateString("{{ config }}", { config: 42 }));
    expect((await app.testClient().get("/")).text).toBe("42");
  });

  test("a streamed template renders in the request's context, in 16 KiB pieces", async () => {
    const app = makeApp();
    app.contextProcessor(() => ({ injected_value: "x".repeat(40_000) }));
    let stream: AsyncIterable<string> | undefined;
    app.get("/", () => (stream = streamTemplate("context_template.html", { value: "v" })));
    const rv = await app.testClient().get("/?q=1");
    expect(rv.text).toBe(`<p>v|${"x".repeat(40_000)}`);
    // Iterated again outside the request, it still renders with that request's context.
    const chunks = await collect(stream!);
    expect(chunks.map((c) => c.length)).toEqual([16384, 16384, 40_005 - 2 * 16384]);
    const later = app.testRequestContext("/?q=kept").enter(() => streamTemplateString("{{ request.args.get('q') }}"));
    expect(await collect(later)).toEqual(["kept"]);
  });

  test("a streamed template sees the request's arguments", async () => {
    const app = makeApp();
    app.get("/", () => streamTemplateString("{{ request.args.get('q') }}"));
    expect((await app.testClient().get("/?q=hi")).text).toBe("hi");
  });
});

describe("template errors", () => {
  test("a syntax error is a TemplateError naming the template, line and column", async () => {
    const app = makeApp();
    const error = await inApp(app, () => renderTemplate("bad_syntax.html")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateError);
    const location = (error as TemplateError).location;
    expect(location).toMatchObject({ name: "bad_syntax.html", path: join(FIXTURES, "templates", "bad_syntax.html"), line: 3, column: 17 });
    expect((error as Error).message).toBe('template "bad_syntax.html", line 3, column 17: unexpected token: }}');
  });

  test("what a template's code throws is rethrown as itself, with its location", async () => {
    class Boom extends Error {}
    const app = makeApp();
    app.registerHook("templateGlobal", () => {
      throw new Boom("kaboom");
    }, "explode");
    const error = await inApp(app, () => renderTemplate("runtime_error.html")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Boom);
    expect(templateLocationOf(error)).toMatchObject({ name: "runtime_error.html", line: 3 });
  });

  test("an error raised in a filter is located at the filter", async () => {
    const app = makeApp();
    app.registerHook("templateFilter", () => {
      throw new RangeError("bad value");
    }, "strict");
    const error = await inApp(app, () => renderTemplateString("first\n  {{ 1|strict }}")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect(templateLocationOf(error)).toEqual({ name: null, path: null, line: 2, column: 8, source: "first\n  {{ 1|strict }}" });
  });

  test("error handlers see errors raised in templates, and abort() works there", async () => {
    class Boom extends Error {}
    const app = makeApp();
    app.registerHook("templateGlobal", () => {
      throw new Boom("kaboom");
    }, "explode");
    app.registerHook("templateGlobal", () => abort(404), "gone");
    app.errorHandler(Boom)(() => ["handled", 500]);
    app.get("/boom", () => renderTemplate("runtime_error.html"));
    app.get("/gone", () => renderTemplateString("{{ gone() }}"));
    const client = app.testClient();
    expect((await client.get("/boom")).text).toBe("handled");
    const rv = await client.get("/gone");
    expect(rv.statusCode).toBe(404);
    expect(rv.text).toContain(new NotFound().description);
  });

  test("in debug, the error page names the template, line and column and shows its lines", async () => {
    const app = new Flagon("t", { rootPath: FIXTURES });
    app.debug = true;
    app.logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Flagon["logger"];
    app.registerHook("templateGlobal", () => {
      throw new Error("kaboom");
    }, "explode");
    app.get("/syntax", () => renderTemplate("bad_syntax.html"));
    app.get("/runtime", () => renderTemplate("runtime_error.html"));
    app.get("/string", () => renderTemplateString("line one\n{{ explode() }}"));
    const client = app.testClient();

    const syntax = await client.get("/syntax");
    expect(syntax.statusCode).toBe(500);
    expect(syntax.text).toContain("Error in template &quot;bad_syntax.html&quot;, line 3, column 17");
    expect(syntax.text).toMatch(/<mark class=current[^>]*><span class=ln>\s+3<\/span>   &lt;li&gt;\{\{ item \+ \}\}/);

    const runtime = await client.get("/runtime");
    expect(runtime.statusCode).toBe(500);
    expect(runtime.text).toContain("kaboom");
    expect(runtime.text).toMatch(/Error in template &quot;runtime_error\.html&quot;, line 3, column \d+/);
    expect(runtime.text).toMatch(/<mark class=current[^>]*><span class=ln>\s+3<\/span> &lt;p&gt;\{\{ explode\(&quot;now&quot;\) \}\}/);

    const inline = await client.get("/string");
    expect(inline.text).toMatch(/Error in template string, line 2/);
    expect(inline.text).toContain("line one");
  });

  test("a streamed template's error gives a 500 before any byte is sent", async () => {
    const app = new Flagon("t", { rootPath: FIXTURES });
    app.logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Flagon["logger"];
    app.get("/", () => streamTemplate("bad_syntax.html"));
    const rv = await app.testClient().get("/");
    expect(rv.statusCode).toBe(500);
  });
});
