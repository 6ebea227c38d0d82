// Flask's tests/test_blueprints.py, translated (template rendering aside: the template
// helpers are checked as stored functions), plus Flagon's class form of blueprints.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HTTPException, NotFound, Response, Rule } from "@flagon/werk";
import { describe, expect, test } from "vitest";
import {
  Blueprint,
  BlueprintSetupState,
  abort,
  afterRequest,
  appErrorHandler,
  appTemplateFilter,
  beforeAppRequest,
  beforeRequest,
  blueprint,
  contextProcessor,
  errorHandler,
  g,
  get,
  post,
  request,
  route,
  teardownRequest,
  urlDefaults,
  urlFor,
  urlValuePreprocessor,
} from "flagon";
import { makeApp } from "./_helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const adminRoot = join(here, "fixtures/blueprintapp/admin");

/** The seen list kept on `g` by the callback-order tests. */
const seen = (): string[] => g.setDefault("seen", []) as string[];

describe("error handlers", () => {
  test("a blueprint's handlers answer its own requests only, the app's the rest", async () => {
    const app = makeApp();
    const frontend = new Blueprint("frontend");
    const backend = new Blueprint("backend");
    const sideend = new Blueprint("sideend");
    frontend.errorHandler(403)(() => ["frontend says no", 403]);
    frontend.get("/frontend-no", function frontend_no() {
      abort(403);
    });
    backend.errorHandler(403)(() => ["backend says no", 403]);
    backend.get("/backend-no", function backend_no() {
      abort(403);
    });
    sideend.get("/what-is-a-sideend", function sideend_no() {
      abort(403);
    });
    app.registerBlueprint(frontend);
    app.registerBlueprint(backend);
    app.registerBlueprint(sideend);
    app.errorHandler(403)(() => ["application itself says no", 403]);

    const client = app.testClient();
    expect((await client.get("/frontend-no")).text).toBe("frontend says no");
    expect((await client.get("/backend-no")).text).toBe("backend says no");
    expect((await client.get("/what-is-a-sideend")).text).toBe("application itself says no");
  });

  test("handlers for error classes, by decorator or registerErrorHandler", async () => {
    const app = makeApp();
    class MyDecoratorException extends Error {}
    class MyFunctionException extends Error {}
    const blue = new Blueprint("blue");
    blue.errorHandler(MyDecoratorException)((e: unknown) => {
      expect(e).toBeInstanceOf(MyDecoratorException);
      return "boom";
    });
    blue.registerErrorHandler(MyFunctionException, (e: unknown) => {
      expect(e).toBeInstanceOf(MyFunctionException);
      return "bam";
    });
    blue.get("/decorator", function blue_deco_test() {
      throw new MyDecoratorException();
    });
    blue.get("/function", function blue_func_test() {
      throw new MyFunctionException();
    });
    app.registerBlueprint(blue);

    const client = app.testClient();
    expect((await client.get("/decorator")).text).toBe("boom");
    expect((await client.get("/function")).text).toBe("bam");
  });

  test("appErrorHandler reaches the app's views and other blueprints", async () => {
    const app = makeApp();
    const errors = new Blueprint("errors");
    errors.appErrorHandler(403)(() => ["you shall not pass", 403]);
    app.get("/forbidden", function app_forbidden() {
      abort(403);
    });
    const forbiddenBp = new Blueprint("forbidden_bp");
    forbiddenBp.get("/nope", function bp_forbidden() {
      abort(403);
    });
    app.registerBlueprint(errors);
    app.registerBlueprint(forbiddenBp);

    const client = app.testClient();
    expect((await client.get("/forbidden")).text).toBe("you shall not pass");
    expect((await client.get("/nope")).text).toBe("you shall not pass");
  });

  test("handlers for the status code come before handlers for classes, in every scope", async () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    bp.errorHandler(HTTPException)(() => "bp: any HTTP error");
    app.errorHandler(404)(() => "app: 404");
    bp.get("/missing", function missing() {
      abort(404);
    });
    bp.get("/gone", function gone() {
      abort(410);
    });
    // A handler for an HTTPException subclass is one for its code.
    const other = new Blueprint("other");
    other.errorHandler(NotFound)(() => "other: NotFound");
    other.get("/other-missing", function missing() {
      abort(404);
    });
    app.registerBlueprint(bp);
    app.registerBlueprint(other);
    const client = app.testClient();
    // Flask's order: (code, bp), (code, app), then (class, bp), (class, app).
    expect((await client.get("/missing")).text).toBe("app: 404");
    expect((await client.get("/gone")).text).toBe("bp: any HTTP error");
    expect((await client.get("/other-missing")).text).toBe("other: NotFound");
    // Routing errors have no blueprint: only the app's handlers apply.
    expect((await client.get("/nowhere")).text).toBe("app: 404");
  });

  test("a 500 for an unhandled error goes through the blueprint's 500 handler", async () => {
    const app = makeApp();
    app.testing = false;
    const bp = new Blueprint("bp");
    bp.errorHandler(500)(() => ["bp 500", 500]);
    bp.get("/boom", function boom() {
      throw new Error("boom");
    });
    app.get("/boom", function app_boom() {
      throw new Error("boom");
    });
    app.registerBlueprint(bp, { urlPrefix: "/bp" });
    const client = app.testClient();
    expect((await client.get("/bp/boom")).text).toBe("bp 500");
    expect((await client.get("/boom")).statusCode).toBe(500);
    expect((await client.get("/boom")).text).not.toBe("bp 500");
  });
});

describe("URL prefixes, defaults and processors", () => {
  test.each([
    ["", "/", "/"],
    ["/", "", "/"],
    ["/", "/", "/"],
    ["/foo", "", "/foo"],
    ["/foo/", "", "/foo/"],
    ["", "/bar", "/bar"],
    ["/foo/", "/bar", "/foo/bar"],
    ["/foo/", "bar", "/foo/bar"],
    ["/foo", "/bar", "/foo/bar"],
    ["/foo/", "//bar", "/foo/bar"],
    ["/foo//", "/bar", "/foo/bar"],
  ])("prefix %j and rule %j give %j", async (prefix, rule, url) => {
    const app = makeApp();
    const bp = new Blueprint("test", { urlPrefix: prefix });
    bp.route(rule)(function index() {
      return ["", 204];
    });
    app.registerBlueprint(bp);
    expect((await app.testClient().get(url)).statusCode).toBe(204);
  });

  test("url defaults per registration, merged under the rule's own", async () => {
    const app = makeApp();
    const bp = new Blueprint("test");
    bp.route("/foo", { defaults: { baz: 42 } })(function foo({ bar, baz }: { bar: number; baz: number }) {
      return `${bar}/${baz}`;
    });
    bp.route("/bar")(function bar({ bar }: { bar: number }) {
      return String(bar);
    });
    app.registerBlueprint(bp, { urlPrefix: "/1", urlDefaults: { bar: 23 } });
    app.registerBlueprint(bp, { name: "test2", urlPrefix: "/2", urlDefaults: { bar: 19 } });

    const client = app.testClient();
    expect((await client.get("/1/foo")).text).toBe("23/42");
    expect((await client.get("/2/foo")).text).toBe("19/42");
    expect((await client.get("/1/bar")).text).toBe("23");
    expect((await client.get("/2/bar")).text).toBe("19");
  });

  test("the blueprint's own urlDefaults apply to every registration", async () => {
    const app = makeApp();
    const bp = new Blueprint("test", { urlDefaults: { bar: 7 } });
    bp.get("/bar")(function bar({ bar }: { bar: number }) {
      return String(bar);
    });
    app.registerBlueprint(bp, { urlPrefix: "/a" });
    app.registerBlueprint(bp, { urlPrefix: "/b", name: "b", urlDefaults: { bar: 8 } });
    const client = app.testClient();
    expect((await client.get("/a/bar")).text).toBe("7");
    expect((await client.get("/b/bar")).text).toBe("8");
  });

  test("url value preprocessors and url defaults of the blueprint", async () => {
    const app = makeApp();
    const bp = new Blueprint("frontend", { urlPrefix: "/<lang_code>" });
    bp.urlDefaults((_endpoint: string, values: Record<string, unknown>) => {
      values.lang_code ??= g.lang_code;
    });
    bp.urlValuePreprocessor((_endpoint: string, values: Record<string, unknown>) => {
      g.lang_code = values.lang_code;
      delete values.lang_code;
    });
    bp.get("/", function index() {
      return urlFor(".about");
    });
    bp.get("/about", function about() {
      return urlFor(".index");
    });
    app.registerBlueprint(bp);

    const client = app.testClient();
    expect((await client.get("/de/")).text).toBe("/de/about");
    expect((await client.get("/de/about")).text).toBe("/de/");
  });

  test("a blueprint's url defaults apply to its endpoints only, even outside a request", async () => {
    const app = makeApp();
    app.config.SERVER_NAME = "localhost";
    const bp = new Blueprint("bp", { urlPrefix: "/<lang>" });
    bp.urlDefaults((_endpoint: string, values: Record<string, unknown>) => {
      values.lang ??= "en";
    });
    bp.get("/", function index() {
      return "";
    });
    app.get("/<lang>/home", function home() {
      return "";
    });
    app.registerBlueprint(bp);
    await app.appContext().run(() => {
      expect(urlFor("bp.index")).toBe("http://localhost/en/");
      expect(() => urlFor("home")).toThrow(/lang/);
    });
  });

  test("empty url defaults and stacked routes", async () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    bp.route("/", { defaults: { page: 1 } })(
      bp.route("/page/<int:page>")(function something({ page }: { page: number }) {
        return String(page);
      }),
    );
    app.registerBlueprint(bp);
    const client = app.testClient();
    expect((await client.get("/")).text).toBe("1");
    expect((await client.get("/page/2")).text).toBe("2");
  });

  test("app-wide url processors registered by a blueprint", async () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    bp.appUrlDefaults((_endpoint: string, values: Record<string, unknown>) => {
      values.lang_code ??= g.lang_code;
    });
    bp.appUrlValuePreprocessor((_endpoint: string, values: Record<string, unknown>) => {
      g.lang_code = values.lang_code;
      delete values.lang_code;
    });
    app.get("/<lang_code>/", function index() {
      return urlFor("about");
    });
    app.get("/<lang_code>/about", function about() {
      return urlFor("index");
    });
    app.registerBlueprint(bp);
    const client = app.testClient();
    expect((await client.get("/de/")).text).toBe("/de/about");
    expect((await client.get("/de/about")).text).toBe("/de/");
  });
});

describe("static files and templates", () => {
  function adminBlueprint(): Blueprint {
    return new Blueprint("admin", { urlPrefix: "/admin", templateFolder: "templates", staticFolder: "static", rootPath: adminRoot });
  }

  test("serves the blueprint's static folder under its prefix, endpoint name.static", async () => {
    const app = makeApp();
    const admin = adminBlueprint();
    admin.get("/", function index() {
      return "Hello from the Admin";
    });
    app.registerBlueprint(admin);
    const client = app.testClient();
    expect((await client.get("/admin/")).text).toBe("Hello from the Admin");
    expect((await client.get("/admin/static/test.txt")).text.trim()).toBe("Admin File");
    expect((await client.get("/admin/static/css/test.css")).text.trim()).toBe("/* nested file */");
    expect((await client.get("/admin/static/../templates/admin/index.html")).statusCode).toBe(404);
    expect((await client.get("/admin/static/missing.txt")).statusCode).toBe(404);

    app.config.SEND_FILE_MAX_AGE_DEFAULT = 3600;
    expect((await client.get("/admin/static/css/test.css")).headers.get("Cache-Control")).toContain("max-age=3600");

    await app.testRequestContext().run(() => {
      expect(urlFor("admin.static", { filename: "test.txt" })).toBe("/admin/static/test.txt");
    });
  });

  test("a subclass may choose the max-age of its static files", async () => {
    class MyBlueprint extends Blueprint {
      override getSendFileMaxAge(): number {
        return 100;
      }
    }
    const app = makeApp();
    const bp = new MyBlueprint("blueprint", { urlPrefix: "/bp", staticFolder: "static", rootPath: adminRoot });
    app.registerBlueprint(bp);
    await app.testRequestContext().run(async () => {
      const response = await bp.sendStaticFile("test.txt");
      expect(response.headers.get("Cache-Control")).toContain("max-age=100");
    });
  });

  test("folders resolve against rootPath, a module URL's folder, or the app's rootPath", () => {
    const app = makeApp({ rootPath: here });
    expect(adminBlueprint().templateFolderPath()).toBe(join(adminRoot, "templates"));
    expect(adminBlueprint().staticFolderPath()).toBe(join(adminRoot, "static"));
    const byUrl = new Blueprint("byurl", { templateFolder: "tpl", rootPath: import.meta.url });
    expect(byUrl.templateFolderPath()).toBe(join(here, "tpl"));
    const relative = new Blueprint("rel", { staticFolder: "fixtures/blueprintapp/admin/static/" });
    expect(relative.staticFolderPath(app)).toBe(join(adminRoot, "static"));
    expect(relative.staticUrlPath).toBe("/static");
    expect(relative.hasStaticFolder).toBe(true);
    expect(new Blueprint("none").templateFolderPath(app)).toBeNull();
    expect(new Blueprint("custom", { staticFolder: "files", staticUrlPath: "/assets/" }).staticUrlPath).toBe("/assets");
  });

  test("without rootPath the static folder is the app's rootPath's", async () => {
    const app = makeApp({ rootPath: here });
    app.registerBlueprint(new Blueprint("files", { urlPrefix: "/files", staticFolder: "fixtures/blueprintapp/admin/static" }));
    expect((await app.testClient().get("/files/static/test.txt")).text.trim()).toBe("Admin File");
  });

  test("blueprints are listed for the template loader in registration order", () => {
    const app = makeApp();
    const admin = adminBlueprint();
    const frontend = new Blueprint("frontend", { templateFolder: "templates" });
    app.registerBlueprint(admin);
    app.registerBlueprint(frontend);
    expect([...app.iterBlueprints()]).toEqual([admin, frontend]);
    expect([...app.blueprints.keys()]).toEqual(["admin", "frontend"]);
  });
});

describe("names and endpoints", () => {
  test("refuses dotted and empty names", () => {
    expect(() => new Blueprint("app.ui")).toThrow(/may not contain a dot/);
    expect(() => new Blueprint("")).toThrow(/non-empty/);
    const app = makeApp();
    expect(() => app.registerBlueprint(new Blueprint("bp"), { name: "a.b" })).toThrow(/may not contain a dot/);
  });

  test("urlFor across the app and a blueprint", async () => {
    const app = makeApp();
    const bp = new Blueprint("test");
    app.get("/", function app_index() {
      return urlFor("test.index");
    });
    bp.get("/test/", function index() {
      return urlFor("app_index");
    });
    app.registerBlueprint(bp);
    const client = app.testClient();
    expect((await client.get("/")).text).toBe("/test/");
    expect((await client.get("/test/")).text).toBe("/");
  });

  test("endpoints default to the view's name and take the blueprint's as prefix", async () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    bp.route("/foo")(function foo() {
      return request.endpoint;
    });
    bp.route("/bar", { endpoint: "bar" })(function foo_bar() {
      return request.endpoint;
    });
    bp.route("/bar/123", { endpoint: "123" })(function foo_bar_foo() {
      return request.endpoint;
    });
    bp.route("/bar/foo")(function bar_foo() {
      return request.endpoint;
    });
    app.registerBlueprint(bp, { urlPrefix: "/py" });
    app.route("/")(function index() {
      return request.endpoint;
    });
    const client = app.testClient();
    expect((await client.get("/")).text).toBe("index");
    expect((await client.get("/py/foo")).text).toBe("bp.foo");
    expect((await client.get("/py/bar")).text).toBe("bp.bar");
    expect((await client.get("/py/bar/123")).text).toBe("bp.123");
    expect((await client.get("/py/bar/foo")).text).toBe("bp.bar_foo");
  });

  test("refuses endpoints and view names with dots", () => {
    const bp = new Blueprint("bp");
    expect(() => bp.route("/", { endpoint: "a.b" })(() => "")).toThrow(/endpoint "a.b" may not contain a dot/);
    expect(() => bp.addUrlRule("/", { endpoint: "a.b" })).toThrow(/may not contain a dot/);
    const view = () => "";
    Object.defineProperty(view, "name", { value: "a.b" });
    expect(() => bp.addUrlRule("/", { view })).toThrow(/view name "a.b" may not contain a dot/);
    expect(() => bp.get("/robots.txt", () => "")).toThrow(/no name to make its endpoint of/);
    expect(() => bp.addUrlRule("/x")).toThrow(/needs an endpoint/);
  });

  test("anonymous views are named by their rule", async () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    bp.get("/", () => "get");
    bp.post("/", () => "post");
    app.registerBlueprint(bp, { urlPrefix: "/bp" });
    const client = app.testClient();
    expect((await client.get("/bp/")).text).toBe("get");
    expect((await client.post("/bp/")).text).toBe("post");
    expect(Object.keys(app.viewFunctions)).toEqual(expect.arrayContaining(["bp./", "bp./ [POST]"]));
  });

  test("the endpoint decorator registers a view for an app rule, unprefixed", async () => {
    const app = makeApp();
    app.urlMap.add(new Rule("/foo", { endpoint: "bar" }));
    const bp = new Blueprint("bp");
    bp.endpoint("bar")(function foobar() {
      return request.endpoint;
    });
    app.registerBlueprint(bp, { urlPrefix: "/bp_prefix" });
    const client = app.testClient();
    expect((await client.get("/foo")).text).toBe("bar");
    expect((await client.get("/bp_prefix/bar")).statusCode).toBe(404);
  });

  test("the same blueprint twice under two names; one name for two blueprints is refused", () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    const bp2 = new Blueprint("bp");
    app.registerBlueprint(bp);
    expect(() => app.registerBlueprint(bp)).toThrow(/The name "bp" is already registered for this blueprint/);
    app.registerBlueprint(bp, { name: "again" });
    expect(() => app.registerBlueprint(bp2)).toThrow(/already registered for a different blueprint/);
    app.registerBlueprint(bp2, { name: "alt" });
    expect([...app.blueprints.keys()]).toEqual(["bp", "again", "alt"]);
  });

  test("a blueprint cannot be registered on itself", () => {
    const bp = new Blueprint("bp");
    expect(() => bp.registerBlueprint(bp)).toThrow(/on itself/);
  });

  test("renamed registrations, nested and not, keep their own endpoints and handlers", async () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    const bp2 = new Blueprint("bp2");
    bp.get("/", function index() {
      return request.endpoint;
    });
    bp.get("/error", function error() {
      abort(403);
    });
    bp.errorHandler(403)(() => ["Error", 403]);
    bp2.get("/", function index2() {
      return request.endpoint;
    });
    bp.registerBlueprint(bp2, { urlPrefix: "/a", name: "sub" });
    app.registerBlueprint(bp, { urlPrefix: "/a" });
    app.registerBlueprint(bp, { urlPrefix: "/b", name: "alt" });

    const client = app.testClient();
    expect((await client.get("/a/")).text).toBe("bp.index");
    expect((await client.get("/b/")).text).toBe("alt.index");
    expect((await client.get("/a/a/")).text).toBe("bp.sub.index2");
    expect((await client.get("/b/a/")).text).toBe("alt.sub.index2");
    expect((await client.get("/a/error")).text).toBe("Error");
    expect((await client.get("/b/error")).text).toBe("Error");
  });

  test("request.blueprint and request.blueprints name the nesting, innermost first", async () => {
    const app = makeApp();
    const parent = new Blueprint("parent");
    const child = new Blueprint("child");
    child.get("/", function index() {
      return { endpoint: request.endpoint, blueprint: request.blueprint, blueprints: request.blueprints };
    });
    parent.registerBlueprint(child, { urlPrefix: "/child" });
    app.registerBlueprint(parent, { urlPrefix: "/parent" });
    app.get("/", function root() {
      return { blueprint: request.blueprint, blueprints: request.blueprints };
    });
    const client = app.testClient();
    expect((await client.get("/parent/child/")).json).toEqual({
      endpoint: "parent.child.index",
      blueprint: "parent.child",
      blueprints: ["parent.child", "parent"],
    });
    expect((await client.get("/")).json).toEqual({ blueprint: null, blueprints: [] });
  });

  test("urlFor('.view') resolves inside the innermost blueprint", async () => {
    const app = makeApp();
    const parent = new Blueprint("parent", { urlPrefix: "/p" });
    const child = new Blueprint("child", { urlPrefix: "/c" });
    child.get("/", function index() {
      return `${urlFor(".other")} ${urlFor("parent.index")} ${urlFor(".index", { _anchor: "top" })}`;
    });
    child.get("/other", function other() {
      return "";
    });
    parent.get("/", function index() {
      return urlFor(".child.other");
    });
    parent.registerBlueprint(child);
    app.registerBlueprint(parent);
    const client = app.testClient();
    expect((await client.get("/p/c/")).text).toBe("/p/c/other /p/ /p/c/#top");
    expect((await client.get("/p/")).text).toBe("/p/c/other");
  });
});

describe("template helpers and context processors", () => {
  test("appTemplateFilter: bare, called and named; addAppTemplateFilter", () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    const reverse = (s: string) => [...s].reverse().join("");
    const my_reverseFn = bp.appTemplateFilter()(function my_reverse(s: string) {
      return reverse(s);
    });
    const my_reverse_2Fn = bp.appTemplateFilter(function my_reverse_2(s: string) {
      return reverse(s);
    });
    const my_reverse_3Fn = bp.appTemplateFilter("my_reverse_custom_name_3")(function my_reverse_3(s: string) {
      return reverse(s);
    });
    function strrev(s: string) {
      return reverse(s);
    }
    bp.addAppTemplateFilter(strrev);
    bp.addAppTemplateFilter(strrev, "super_reverse");
    expect(app.templateFilters.my_reverse).toBeUndefined();
    app.registerBlueprint(bp, { urlPrefix: "/py" });
    expect(app.templateFilters.my_reverse).toBe(my_reverseFn);
    expect(app.templateFilters.my_reverse_2).toBe(my_reverse_2Fn);
    expect(app.templateFilters.my_reverse_custom_name_3).toBe(my_reverse_3Fn);
    expect(app.templateFilters.strrev).toBe(strrev);
    expect(app.templateFilters.super_reverse).toBe(strrev);
    expect(app.templateFilters.my_reverse!("abcd")).toBe("dcba");
    // Only the app holds them: the blueprint's own table stays empty.
    expect(Object.keys(bp.templateFilters)).toEqual([]);
  });

  test("a filter added after the app's routes is still registered", () => {
    const app = makeApp();
    app.get("/", function index() {
      return "";
    });
    const bp = new Blueprint("bp");
    const super_reverseFn = bp.appTemplateFilter()(function super_reverse(s: string) {
      return [...s].reverse().join("");
    });
    app.registerBlueprint(bp, { urlPrefix: "/py" });
    expect(app.templateFilters.super_reverse).toBe(super_reverseFn);
  });

  test("appTemplateTest: bare, called and named; addAppTemplateTest", () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    const is_booleanFn = bp.appTemplateTest()(function is_boolean(value: unknown) {
      return typeof value === "boolean";
    });
    const boolean_2Fn = bp.appTemplateTest(function boolean_2(value: unknown) {
      return typeof value === "boolean";
    });
    const boolean_3Fn = bp.appTemplateTest("my_boolean_custom_name")(function boolean_3(value: unknown) {
      return typeof value === "boolean";
    });
    const boolean_4 = (value: unknown) => typeof value === "boolean";
    bp.addAppTemplateTest(boolean_4, "boolean");
    app.registerBlueprint(bp, { urlPrefix: "/py" });
    expect(app.templateTests.is_boolean).toBe(is_booleanFn);
    expect(app.templateTests.boolean_2).toBe(boolean_2Fn);
    expect(app.templateTests.my_boolean_custom_name).toBe(boolean_3Fn);
    expect(app.templateTests.boolean).toBe(boolean_4);
    expect(app.templateTests.is_boolean!(false)).toBe(true);
  });

  test("appTemplateGlobal: bare, called and named; addAppTemplateGlobal", () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    const get_answerFn = bp.appTemplateGlobal()(function get_answer() {
      return 42;
    });
    const get_stuff_1Fn = bp.appTemplateGlobal(function get_stuff_1() {
      return "get_stuff_1";
    });
    const get_stuff_2Fn = bp.appTemplateGlobal("my_get_stuff_custom_name_2")(function get_stuff_2() {
      return "get_stuff_2";
    });
    const get_stuff_3 = () => "get_stuff_3";
    bp.addAppTemplateGlobal(get_stuff_3, "my_get_stuff_custom_name_3");
    expect(app.templateGlobals.get_answer).toBeUndefined();
    app.registerBlueprint(bp);
    expect(app.templateGlobals.get_answer).toBe(get_answerFn);
    expect(app.templateGlobals.get_stuff_1).toBe(get_stuff_1Fn);
    expect(app.templateGlobals.my_get_stuff_custom_name_2).toBe(get_stuff_2Fn);
    expect(app.templateGlobals.my_get_stuff_custom_name_3).toBe(get_stuff_3);
    expect(app.templateGlobals.get_answer!()).toBe(42);
  });

  test("app template helpers are registered once, however often the blueprint is", () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    const calls: string[] = [];
    bp.recordOnce(() => calls.push("once"));
    bp.record((state) => calls.push(`${state.dottedName} ${state.firstRegistration}`));
    app.registerBlueprint(bp);
    app.registerBlueprint(bp, { name: "again" });
    expect(calls).toEqual(["once", "bp true", "again false"]);
  });

  test("a blueprint's context processors apply to its requests, appContextProcessor to all", async () => {
    const app = makeApp();
    const answerBp = new Blueprint("answer_bp");
    answerBp.appContextProcessor(() => ({ notanswer: 43 }));
    answerBp.contextProcessor(() => ({ answer: 42 }));
    const templateContext = async () => {
      const context: Record<string, unknown> = {};
      await app.updateTemplateContext(context);
      return context;
    };
    answerBp.get("/bp", function bp_page() {
      return templateContext();
    });
    app.get("/", function app_page() {
      return templateContext();
    });
    app.registerBlueprint(answerBp);
    const client = app.testClient();
    expect((await client.get("/")).json).toEqual({ notanswer: 43 });
    expect((await client.get("/bp")).json).toEqual({ notanswer: 43, answer: 42 });
  });

  test("context values: the innermost blueprint's last, the render call's over all; async processors", async () => {
    const app = makeApp();
    const parent = new Blueprint("parent");
    const child = new Blueprint("child");
    app.contextProcessor(() => ({ key: "app", app: true }));
    parent.contextProcessor(async () => ({ key: "parent", parent: true }));
    child.contextProcessor(() => ({ key: "child" }));
    child.get("/b", async function b() {
      const context: Record<string, unknown> = {};
      await app.updateTemplateContext(context);
      const given: Record<string, unknown> = { key: "given" };
      await app.updateTemplateContext(given);
      return [context, given];
    });
    parent.registerBlueprint(child);
    app.registerBlueprint(parent);
    expect((await app.testClient().get("/b")).json).toEqual([
      { key: "child", app: true, parent: true },
      { key: "given", app: true, parent: true },
    ]);
    // Outside a request only the app's processors run.
    await app.appContext().run(() => {
      const context: Record<string, unknown> = {};
      expect(app.updateTemplateContext(context)).toBeUndefined();
      expect(context).toEqual({ key: "app", app: true });
    });
  });
});

describe("request hooks", () => {
  test("a blueprint's before, after and teardown hooks run for its requests only", async () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    const evts: string[] = [];
    bp.beforeRequest(() => {
      evts.push("before");
    });
    bp.afterRequest((response: Response) => {
      response.data = Buffer.concat([response.data, Buffer.from("|after")]);
      evts.push("after");
      return response;
    });
    bp.teardownRequest(() => {
      evts.push("teardown");
    });
    bp.get("/bp", function bp_endpoint() {
      return "request";
    });
    app.get("/", function index() {
      return "app";
    });
    app.registerBlueprint(bp);
    expect(evts).toEqual([]);
    const client = app.testClient();
    expect((await client.get("/bp")).text).toBe("request|after");
    expect(evts).toEqual(["before", "after", "teardown"]);
    expect((await client.get("/")).text).toBe("app");
    expect(evts).toEqual(["before", "after", "teardown"]);
  });

  test("beforeAppRequest, afterAppRequest and teardownAppRequest run for every request", async () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    const evts: string[] = [];
    bp.beforeAppRequest(() => {
      evts.push("before");
    });
    bp.afterAppRequest((response: Response) => {
      response.data = Buffer.concat([response.data, Buffer.from("|after")]);
      evts.push("after");
      return response;
    });
    bp.teardownAppRequest(() => {
      evts.push("teardown");
    });
    app.registerBlueprint(bp);
    app.get("/", function bp_endpoint() {
      return "request";
    });
    expect(evts).toEqual([]);
    const client = app.testClient();
    expect((await client.get("/")).text).toBe("request|after");
    expect(evts).toEqual(["before", "after", "teardown"]);
    expect((await client.get("/")).text).toBe("request|after");
    expect(evts).toEqual(["before", "after", "teardown", "before", "after", "teardown"]);
  });

  test("callback order: the app's, then the parent's, then the child's; teardown the other way", async () => {
    const app = makeApp();
    const parent = new Blueprint("parent");
    const child = new Blueprint("child");
    const popped: string[] = [];
    for (const [scaffold, name] of [
      [app, "app"],
      [parent, "parent"],
      [child, "child"],
    ] as const) {
      for (const n of [1, 2]) {
        scaffold.beforeRequest(() => {
          seen().push(`${name}_${n}`);
        });
        scaffold.teardownRequest(() => {
          const last = seen().pop();
          popped.push(last!);
          expect(last).toBe(`${name}_${n}`);
        });
      }
    }
    child.get("/a", function a() {
      return seen().join(", ");
    });
    parent.registerBlueprint(child);
    app.registerBlueprint(parent);
    expect((await app.testClient().get("/a")).text).toBe("app_1, app_2, parent_1, parent_2, child_1, child_2");
    expect(popped).toEqual(["child_2", "child_1", "parent_2", "parent_1", "app_2", "app_1"]);
  });

  test("afterRequest: the child's, then the parent's, then the app's, each last registered first", async () => {
    const app = makeApp();
    const parent = new Blueprint("parent");
    const child = new Blueprint("child");
    const order: string[] = [];
    const after = (name: string) => (response: Response) => {
      order.push(name);
      return response;
    };
    app.afterRequest(after("app_1"));
    app.afterRequest(after("app_2"));
    parent.afterRequest(async (response: Response) => after("parent_1")(response));
    parent.afterRequest(after("parent_2"));
    child.afterRequest(after("child_1"));
    child.afterRequest(after("child_2"));
    child.get("/", function index() {
      return "";
    });
    parent.registerBlueprint(child);
    app.registerBlueprint(parent);
    await app.testClient().get("/");
    expect(order).toEqual(["child_2", "child_1", "parent_2", "parent_1", "app_2", "app_1"]);
  });

  test("an async beforeRequest hook answering for the blueprint stops the rest", async () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    const order: string[] = [];
    app.beforeRequest(async () => {
      order.push("app");
    });
    bp.beforeRequest(async () => {
      order.push("bp_1");
      return request.args.get("stop") ? "stopped" : undefined;
    });
    bp.beforeRequest(() => {
      order.push("bp_2");
    });
    bp.get("/", function index() {
      return "view";
    });
    app.registerBlueprint(bp);
    const client = app.testClient();
    expect((await client.get("/")).text).toBe("view");
    expect((await client.get("/?stop=1")).text).toBe("stopped");
    expect(order).toEqual(["app", "bp_1", "bp_2", "app", "bp_1"]);
  });

  test("url value preprocessors: the app's first, then the blueprints' outside in", async () => {
    const app = makeApp();
    const parent = new Blueprint("parent");
    const child = new Blueprint("child");
    const order: string[] = [];
    app.urlValuePreprocessor((endpoint: string) => order.push(`app ${endpoint}`));
    parent.urlValuePreprocessor(() => order.push("parent"));
    child.urlValuePreprocessor(() => order.push("child"));
    child.get("/<int:id>", function show({ id }: { id: number }) {
      return String(id);
    });
    parent.registerBlueprint(child);
    app.registerBlueprint(parent);
    expect((await app.testClient().get("/3")).text).toBe("3");
    expect(order).toEqual(["app parent.child.show", "parent", "child"]);
  });

  test("the app-wide hook kinds stay refused on the app itself", () => {
    const app = makeApp();
    expect(() => app.registerHook("beforeAppRequest", () => undefined)).toThrow(/applies to the whole app/);
  });
});

describe("nesting", () => {
  test("nested blueprints: composed prefixes, the nearest error handler", async () => {
    const app = makeApp();
    const parent = new Blueprint("parent");
    const child = new Blueprint("child");
    const grandchild = new Blueprint("grandchild");
    parent.errorHandler(403)(() => ["Parent no", 403]);
    parent.get("/", function parent_index() {
      return "Parent yes";
    });
    parent.get("/no", function parent_no() {
      abort(403);
    });
    child.get("/", function child_index() {
      return "Child yes";
    });
    child.get("/no", function child_no() {
      abort(403);
    });
    grandchild.errorHandler(403)(() => ["Grandchild no", 403]);
    grandchild.get("/", function grandchild_index() {
      return "Grandchild yes";
    });
    grandchild.get("/no", function grandchild_no() {
      abort(403);
    });
    child.registerBlueprint(grandchild, { urlPrefix: "/grandchild" });
    parent.registerBlueprint(child, { urlPrefix: "/child" });
    app.registerBlueprint(parent, { urlPrefix: "/parent" });

    const client = app.testClient();
    expect((await client.get("/parent/")).text).toBe("Parent yes");
    expect((await client.get("/parent/child/")).text).toBe("Child yes");
    expect((await client.get("/parent/child/grandchild/")).text).toBe("Grandchild yes");
    expect((await client.get("/parent/no")).text).toBe("Parent no");
    expect((await client.get("/parent/child/no")).text).toBe("Parent no");
    expect((await client.get("/parent/child/grandchild/no")).text).toBe("Grandchild no");
  });

  test.each([
    ["/parent", "/child", undefined, undefined],
    ["/parent", undefined, undefined, "/child"],
    [undefined, undefined, "/parent", "/child"],
    ["/other", "/something", "/parent", "/child"],
  ])("prefixes: parent %j, child %j, registered as %j and %j", async (parentInit, childInit, parentReg, childReg) => {
    const app = makeApp();
    const parent = new Blueprint("parent", { urlPrefix: parentInit });
    const child = new Blueprint("child", { urlPrefix: childInit });
    child.get("/", function index() {
      return "index";
    });
    parent.registerBlueprint(child, { urlPrefix: childReg });
    app.registerBlueprint(parent, { urlPrefix: parentReg });
    expect((await app.testClient().get("/parent/child/")).statusCode).toBe(200);
  });

  test("a parent's subdomain applies to its children", async () => {
    const app = makeApp({ subdomainMatching: true });
    app.config.SERVER_NAME = "example.test";
    const parent = new Blueprint("parent");
    const child = new Blueprint("child");
    child.get("/child/", function index() {
      return "child";
    });
    parent.registerBlueprint(child);
    app.registerBlueprint(parent, { subdomain: "api" });
    const client = app.testClient();
    expect((await client.get("/child/", { baseUrl: "http://api.example.test" })).statusCode).toBe(200);
    expect((await client.get("/child/", { baseUrl: "http://example.test" })).statusCode).toBe(404);
  });

  test("a child's subdomain goes in front of its parent's", async () => {
    const app = makeApp({ subdomainMatching: true });
    app.config.SERVER_NAME = "example.test";
    const parent = new Blueprint("parent");
    const child = new Blueprint("child", { subdomain: "api" });
    child.get("/", function index() {
      return "child";
    });
    parent.registerBlueprint(child);
    app.registerBlueprint(parent, { subdomain: "parent" });
    const client = app.testClient();
    expect((await client.get("/", { baseUrl: "http://api.parent.example.test" })).statusCode).toBe(200);
    expect((await client.get("/", { baseUrl: "http://parent.example.test" })).statusCode).toBe(404);
  });

  test("a blueprint's own subdomain, and a rule naming another", async () => {
    const app = makeApp({ subdomainMatching: true });
    app.config.SERVER_NAME = "example.test";
    const bp = new Blueprint("bp", { subdomain: "api" });
    bp.get("/", function index() {
      return "api";
    });
    bp.get("/www", { subdomain: "www" })(function www() {
      return "www";
    });
    app.registerBlueprint(bp);
    const client = app.testClient();
    expect((await client.get("/", { baseUrl: "http://api.example.test" })).text).toBe("api");
    expect((await client.get("/www", { baseUrl: "http://www.example.test" })).text).toBe("www");
  });
});

describe("setup after the fact", () => {
  test("registering a blueprint after the first request is refused", async () => {
    const app = makeApp();
    app.get("/", function index() {
      return "";
    });
    await app.testClient().get("/");
    const bp = new Blueprint("late");
    bp.get("/late", function late() {
      return "";
    });
    expect(() => app.registerBlueprint(bp)).toThrow(/The setup method "registerBlueprint" can no longer be called on the application/);
    expect(app.blueprints.has("late")).toBe(false);
  });

  test("changing a blueprint after its registration is refused", () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    bp.get("/", function index() {
      return "";
    });
    app.registerBlueprint(bp);
    expect(() => bp.get("/more", function more() {
      return "";
    })).toThrow(/The setup method "addUrlRule" can no longer be called on the blueprint "bp"/);
    expect(() => bp.beforeRequest(() => undefined)).toThrow(/can no longer be called on the blueprint/);
    expect(() => bp.registerBlueprint(new Blueprint("child"))).toThrow(/can no longer be called/);
  });

  test("a different view under a taken endpoint is an error at registration", () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    bp.get("/a", function index() {
      return "a";
    });
    bp.get("/b", function index() {
      return "b";
    });
    expect(() => app.registerBlueprint(bp)).toThrow(/overwriting an existing endpoint function: bp.index/);
  });

  test("record gives deferred functions the setup state", () => {
    const app = makeApp();
    const bp = new Blueprint("bp", { urlPrefix: "/bp", subdomain: "s", urlDefaults: { a: 1 } });
    const states: BlueprintSetupState[] = [];
    bp.record((state) => states.push(state));
    app.registerBlueprint(bp, { urlDefaults: { b: 2 } });
    const [state] = states;
    expect(state).toBeInstanceOf(BlueprintSetupState);
    expect(state!.app).toBe(app);
    expect(state!.blueprint).toBe(bp);
    expect([state!.name, state!.urlPrefix, state!.subdomain, state!.urlDefaults]).toEqual(["bp", "/bp", "s", { a: 1, b: 2 }]);
  });

  test("teardownAppcontext and beforeFirstRequest on a blueprint reach the app once", async () => {
    const app = makeApp();
    const bp = new Blueprint("bp");
    const calls: string[] = [];
    bp.beforeFirstRequest(() => calls.push("first"));
    bp.teardownAppcontext(() => calls.push("appctx"));
    app.registerBlueprint(bp);
    app.registerBlueprint(bp, { name: "again" });
    app.get("/", function index() {
      return "";
    });
    await app.testClient().get("/");
    expect(calls).toEqual(["first", "appctx"]);
  });
});

describe("class form (legacy decorators)", () => {
  test("a @blueprint class becomes a Blueprint: routes, scoped hooks, app-wide hooks, one instance", async () => {
    const calls: string[] = [];

    @blueprint("admin", { urlPrefix: "/admin" })
    class Admin {
      visits = 0;
      static title = "Admin";

      @get("/")
      index(): string {
        this.visits += 1;
        return `${Admin.title} ${this.visits}`;
      }

      @route("/users/<int:id>", { methods: ["GET", "POST"] })
      user({ id }: { id: number }): string {
        return `${request.method} ${id} ${urlFor(".index")}`;
      }

      @post("/fail")
      fail(): never {
        abort(403);
      }

      @get("/about")
      static about(): string {
        return `about ${this.title}`;
      }

      @beforeRequest
      mark(): void {
        calls.push(`admin before ${request.endpoint}`);
      }

      @afterRequest
      stamp(response: Response): Response {
        response.headers.set("X-Visits", String(this.visits));
        return response;
      }

      @teardownRequest()
      done(): void {
        calls.push("admin teardown");
      }

      @errorHandler(403)
      forbidden(): [string, number] {
        return ["admin forbids", 403];
      }

      @beforeAppRequest
      everywhere(): void {
        calls.push(`app before ${request.path}`);
      }

      @appErrorHandler(404)
      missing(): [string, number] {
        return [`nothing at ${request.path}`, 404];
      }

      @appTemplateFilter("shout")
      shout(s: string): string {
        return `${s.toUpperCase()}${this.visits >= 0 ? "!" : ""}`;
      }

      @contextProcessor
      context(): Record<string, unknown> {
        return { section: "admin" };
      }

      @urlValuePreprocessor
      pull(_endpoint: string, values: Record<string, unknown>): void {
        if (values.id === 0) values.id = -1;
      }

      @urlDefaults
      fill(): void {}
    }

    const app = makeApp();
    app.get("/", function home() {
      return "home";
    });
    app.registerBlueprint(Admin);
    expect(app.blueprints.get("admin")).toBe(Blueprint.fromClass(Admin));

    const client = app.testClient();
    const first = await client.get("/admin/");
    expect(first.text).toBe("Admin 1");
    expect(first.headers.get("X-Visits")).toBe("1");
    expect((await client.get("/admin/")).text).toBe("Admin 2");
    expect((await client.post("/admin/users/0")).text).toBe("POST -1 /admin/");
    expect((await client.get("/admin/about")).text).toBe("about Admin");
    expect((await client.post("/admin/fail")).text).toBe("admin forbids");
    expect((await client.get("/nowhere")).text).toBe("nothing at /nowhere");
    expect((await client.get("/")).text).toBe("home");
    expect(calls).toContain("admin before admin.index");
    expect(calls).toContain("app before /");
    expect(calls.filter((c) => c === "admin before admin.index")).toHaveLength(2);
    // The app's own request ran the app-wide hook only.
    expect(calls.slice(-1)).toEqual(["app before /"]);
    expect(app.templateFilters.shout!("hi")).toBe("HI!");
  });

  test("one class registered twice shares its Blueprint and instance", async () => {
    @blueprint("counter")
    class Counter {
      count = 0;
      @get("/")
      index(): string {
        return String(++this.count);
      }
    }
    const app = makeApp();
    app.registerBlueprint(Counter, { urlPrefix: "/a" });
    app.registerBlueprint(Counter, { urlPrefix: "/b", name: "other" });
    expect(() => app.registerBlueprint(Counter)).toThrow(/already registered for this blueprint/);
    const client = app.testClient();
    expect((await client.get("/a/")).text).toBe("1");
    expect((await client.get("/b/")).text).toBe("2");
    await app.testRequestContext().run(() => expect(urlFor("other.index")).toBe("/b/"));
  });

  test("nested blueprint classes, and a Blueprint nesting a class", async () => {
    @blueprint("child", { urlPrefix: "/child" })
    class Child {
      @get("/")
      index(): string | null {
        return request.endpoint;
      }
    }
    @blueprint("parent", { urlPrefix: "/parent" })
    class Parent {
      @get("/")
      index(): string | null {
        return request.endpoint;
      }
    }
    Blueprint.fromClass(Parent).registerBlueprint(Child);
    const plain = new Blueprint("plain", { urlPrefix: "/plain" });
    plain.registerBlueprint(Child);
    const app = makeApp();
    app.registerBlueprint(Parent);
    app.registerBlueprint(plain);
    const client = app.testClient();
    expect((await client.get("/parent/")).text).toBe("parent.index");
    expect((await client.get("/parent/child/")).text).toBe("parent.child.index");
    expect((await client.get("/plain/child/")).text).toBe("plain.child.index");
  });

  test("a class without @blueprint is refused by registerBlueprint; a @blueprint class by register", () => {
    class Plain {
      @get("/")
      index(): string {
        return "";
      }
    }
    @blueprint("bp")
    class Declared {
      @get("/")
      index(): string {
        return "";
      }
    }
    const app = makeApp();
    expect(() => app.registerBlueprint(Plain)).toThrow(/no @blueprint\("name"\) decorator.*app\.register\(Plain\)/);
    expect(() => app.register(Declared)).toThrow(/register it with registerBlueprint\(Declared\)/);
  });

  test("a static-files-only blueprint class needs no routes", async () => {
    @blueprint("assets", { urlPrefix: "/assets", staticFolder: "static", rootPath: adminRoot })
    class Assets {}
    const app = makeApp();
    app.registerBlueprint(Assets);
    expect((await app.testClient().get("/assets/static/test.txt")).text.trim()).toBe("Admin File");
  });

  test("app-bound decorators of a Blueprint on methods", async () => {
    const bp = new Blueprint("bound", { urlPrefix: "/bound" });
    class Views {
      greeting = "hello";
      @bp.get("/")
      index(): string {
        return this.greeting;
      }
      @bp.beforeRequest
      static before(): void {}
    }
    void Views;
    const app = makeApp();
    app.registerBlueprint(bp);
    expect((await app.testClient().get("/bound/")).text).toBe("hello");
  });
});
