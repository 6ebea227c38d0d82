import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  METADATA,
  afterAppRequest,
  afterRequest,
  appErrorHandler,
  appTemplateFilter,
  applyController,
  beforeAppRequest,
  beforeFirstRequest,
  beforeRequest,
  blueprint,
  boundDecorator,
  contextProcessor,
  controller,
  del,
  errorHandler,
  get,
  getBlueprintOptions,
  getControllerEntries,
  patch,
  post,
  put,
  route,
  teardownAppcontext,
  teardownRequest,
  templateFilter,
  templateGlobal,
  templateTest,
  urlDefaults,
  urlValuePreprocessor,
  type BoundTarget,
  type HookKind,
  type ScaffoldLike,
} from "../../packages/flagon/src/decorators.js";

type Call =
  | { type: "rule"; rule: string; opts: Record<string, unknown> & { view: (...args: any[]) => unknown } }
  | { type: "hook"; kind: HookKind; fn: Function; arg: unknown };

/** A ScaffoldLike that records what it is asked to register. */
class FakeScaffold implements ScaffoldLike {
  calls: Call[] = [];
  addUrlRule(rule: string, opts: Record<string, unknown> & { view: (...args: any[]) => unknown }): void {
    this.calls.push({ type: "rule", rule, opts });
  }
  registerHook(kind: HookKind, fn: Function, arg?: unknown): void {
    this.calls.push({ type: "hook", kind, fn, arg });
  }
  rules() {
    return this.calls.flatMap((c) => (c.type === "rule" ? [c] : []));
  }
  hooks() {
    return this.calls.flatMap((c) => (c.type === "hook" ? [c] : []));
  }
  /** Compact view of the calls: [rule, endpoint, methods] and [kind, fn.name, arg]. */
  summary() {
    return this.calls.map((c) =>
      c.type === "rule" ? ["rule", c.rule, c.opts.endpoint, c.opts.methods] : ["hook", c.kind, c.fn.name, c.arg],
    );
  }
}

class NotAllowed extends Error {}

describe("decorator mode of this test file", () => {
  it("is legacy (experimentalDecorators from the root tsconfig)", () => {
    const seen: number[] = [];
    const probe = (...args: unknown[]) => void seen.push(args.length);
    class Probe {
      @probe m() {}
    }
    void Probe;
    expect(seen).toEqual([3]);
  });

  it("installs Symbol.metadata as the registered symbol esbuild also falls back to", () => {
    expect((Symbol as unknown as { metadata: symbol }).metadata).toBe(METADATA);
    expect(METADATA).toBe(Symbol.for("Symbol.metadata"));
  });
});

describe("standalone route decorators (legacy)", () => {
  it("records routes with endpoints defaulting to the method name", () => {
    class Users {
      @get("/users") list() {}
      @post("/users", { endpoint: "create_user" }) create() {}
      @put("/users/<int:id>") replace() {}
      @patch("/users/<int:id>") update() {}
      @del("/users/<int:id>") remove() {}
      @route("/any", { methods: ["GET", "POST"], strictSlashes: false, defaults: { page: 1 } }) any() {}
      @route("/all") all() {}
    }
    const app = new FakeScaffold();
    applyController(app, Users);
    expect(app.summary()).toEqual([
      ["rule", "/users", "list", ["GET"]],
      ["rule", "/users", "create_user", ["POST"]],
      ["rule", "/users/<int:id>", "replace", ["PUT"]],
      ["rule", "/users/<int:id>", "update", ["PATCH"]],
      ["rule", "/users/<int:id>", "remove", ["DELETE"]],
      ["rule", "/any", "any", ["GET", "POST"]],
      ["rule", "/all", "all", undefined],
    ]);
    const anyRule = app.rules()[5]!.opts;
    expect(anyRule.strictSlashes).toBe(false);
    expect(anyRule.defaults).toEqual({ page: 1 });
    expect("methods" in app.rules()[6]!.opts).toBe(false);
  });

  it("exposes the recorded entries in order", () => {
    class Home {
      @get("/") index() {}
      @errorHandler(404) missing() {}
      @get("/s") static s() {}
    }
    expect(getControllerEntries(Home)).toEqual([
      { kind: "route", rule: "/", options: { methods: ["GET"] }, key: "index", isStatic: false },
      { kind: "hook", hook: "errorHandler", arg: 404, key: "missing", isStatic: false },
      { kind: "route", rule: "/s", options: { methods: ["GET"] }, key: "s", isStatic: true },
    ]);
  });

  it("stacks several routes on one method, bottom-up like Flask, with one view function", () => {
    class Blog {
      @route("/")
      @route("/page/<int:page>")
      index(values: { page?: number }) {
        return `page ${values.page ?? 1}`;
      }
    }
    const app = new FakeScaffold();
    applyController(app, Blog);
    const [a, b] = app.rules();
    expect([a!.rule, b!.rule]).toEqual(["/page/<int:page>", "/"]);
    expect(a!.opts.endpoint).toBe("index");
    expect(b!.opts.endpoint).toBe("index");
    expect(a!.opts.view).toBe(b!.opts.view);
    expect(a!.opts.view({ page: 3 })).toBe("page 3");
    expect(a!.opts.view.name).toBe("index");
  });

  it("refuses methods on the method shortcuts and a non-string rule", () => {
    expect(() => get("/", { methods: ["POST"] } as never)).toThrow(/use @route to pass "methods"/);
    expect(() => route(42 as never)).toThrow(/rule string first/);
  });
});

describe("standalone hook decorators (legacy)", () => {
  it("accepts bare and called forms and records hooks in order", () => {
    class Hooks {
      @beforeRequest before() {}
      @beforeRequest() before2() {}
      @afterRequest after(r: unknown) {
        return r;
      }
      @teardownRequest() teardown() {}
      @teardownAppcontext ctxTeardown() {}
      @beforeFirstRequest first() {}
      @urlValuePreprocessor pull() {}
      @urlDefaults() fill() {}
      @contextProcessor ctx() {
        return {};
      }
    }
    const app = new FakeScaffold();
    applyController(app, Hooks);
    expect(app.summary()).toEqual([
      ["hook", "beforeRequest", "before", undefined],
      ["hook", "beforeRequest", "before2", undefined],
      ["hook", "afterRequest", "after", undefined],
      ["hook", "teardownRequest", "teardown", undefined],
      ["hook", "teardownAppcontext", "ctxTeardown", undefined],
      ["hook", "beforeFirstRequest", "first", undefined],
      ["hook", "urlValuePreprocessor", "pull", undefined],
      ["hook", "urlDefaults", "fill", undefined],
      ["hook", "contextProcessor", "ctx", undefined],
    ]);
  });

  it("passes the status code or error class of error handlers", () => {
    class Errors {
      @errorHandler(404) notFound() {}
      @errorHandler(NotAllowed) notAllowed() {}
      @appErrorHandler(500) crashed() {}
    }
    const app = new FakeScaffold();
    applyController(app, Errors);
    expect(app.summary()).toEqual([
      ["hook", "errorHandler", "notFound", 404],
      ["hook", "errorHandler", "notAllowed", NotAllowed],
      ["hook", "appErrorHandler", "crashed", 500],
    ]);
  });

  it("names template helpers after the method unless given a name", () => {
    class Helpers {
      @templateFilter reverse() {}
      @templateFilter() upper() {}
      @templateFilter("shout") loud() {}
      @templateGlobal("now") clock() {}
      @templateTest prime() {}
      @appTemplateFilter("everywhere") wide() {}
    }
    const app = new FakeScaffold();
    applyController(app, Helpers);
    expect(app.summary()).toEqual([
      ["hook", "templateFilter", "reverse", "reverse"],
      ["hook", "templateFilter", "upper", "upper"],
      ["hook", "templateFilter", "loud", "shout"],
      ["hook", "templateGlobal", "clock", "now"],
      ["hook", "templateTest", "prime", "prime"],
      ["hook", "appTemplateFilter", "wide", "everywhere"],
    ]);
  });

  it("records the blueprint-only app-wide hooks", () => {
    class Wide {
      @beforeAppRequest a() {}
      @afterAppRequest() b() {}
    }
    const app = new FakeScaffold();
    applyController(app, Wide);
    expect(app.summary()).toEqual([
      ["hook", "beforeAppRequest", "a", undefined],
      ["hook", "afterAppRequest", "b", undefined],
    ]);
  });

  it("rejects bad error handler arguments and empty template names", () => {
    expect(() => errorHandler("404" as never)).toThrow(/status code or an error class/);
    // A JavaScript caller writing a bare @errorHandler.
    expect(() => (errorHandler as unknown as (...a: unknown[]) => void)({}, "m", { value() {} })).toThrow(
      /needs what it handles: @errorHandler\(404\)/,
    );
    expect(() => templateFilter("")).toThrow(/non-empty name/);
  });
});

describe("inheritance", () => {
  class Base {
    @beforeRequest load() {}
    @get("/") index() {
      return "base";
    }
  }
  class Child extends Base {
    @get("/child") child() {}
    override index() {
      return "child";
    }
  }
  class GrandChild extends Child {
    @post("/grand") grand() {}
  }

  it("lists the parent's entries first, and leaves the parent's list alone", () => {
    expect(getControllerEntries(GrandChild).map((e) => e.key)).toEqual(["load", "index", "child", "grand"]);
    expect(getControllerEntries(Base).map((e) => e.key)).toEqual(["load", "index"]);
    expect(getControllerEntries(Child).map((e) => e.key)).toEqual(["load", "index", "child"]);
  });

  it("binds inherited entries to an instance of the registered class (overrides run)", () => {
    const app = new FakeScaffold();
    applyController(app, Child);
    const index = app.rules().find((r) => r.rule === "/")!;
    expect(index.opts.view()).toBe("child");
  });

  it("sees the entries of an undecorated subclass", () => {
    class Plain extends Base {}
    expect(getControllerEntries(Plain).map((e) => e.key)).toEqual(["load", "index"]);
  });
});

describe("instance and static binding", () => {
  it("calls instance methods on one shared instance, created lazily and once", () => {
    let constructed = 0;
    class Counter {
      count = 0;
      constructor() {
        constructed++;
      }
      @beforeRequest bump() {
        this.count++;
      }
      @get("/") show() {
        return this.count;
      }
    }
    const app = new FakeScaffold();
    applyController(app, Counter);
    expect(constructed).toBe(0);
    const [hook] = app.hooks();
    const [view] = app.rules();
    hook!.fn();
    hook!.fn();
    expect(view!.opts.view()).toBe(2);
    expect(constructed).toBe(1);
    // Registering again (another app) keeps the same instance.
    const other = new FakeScaffold();
    applyController(other, Counter);
    expect(other.rules()[0]!.opts.view()).toBe(2);
    expect(constructed).toBe(1);
  });

  it("uses the instance given to applyController", () => {
    class Greeter {
      constructor(readonly greeting: string) {}
      @get("/") hello() {
        return this.greeting;
      }
    }
    const app = new FakeScaffold();
    applyController(app, Greeter, new Greeter("hej"));
    expect(app.rules()[0]!.opts.view()).toBe("hej");
    expect(() => applyController(new FakeScaffold(), Greeter, {})).toThrow(/not an instance of it/);
  });

  it("calls static methods on the class and never constructs it", () => {
    class Static {
      static label = "static";
      constructor() {
        throw new Error("must not be constructed");
      }
      @get("/") static index() {
        return this.label;
      }
      @templateGlobal static helper(this: unknown) {
        return this;
      }
    }
    const app = new FakeScaffold();
    applyController(app, Static);
    expect(app.rules()[0]!.opts.view()).toBe("static");
    expect(app.hooks()[0]!.fn()).toBe(Static);
  });

  it("explains a constructor that cannot run without arguments", () => {
    class Needy {
      constructor(dep: { name: string }) {
        void dep.name;
      }
      @get("/") index() {}
    }
    const app = new FakeScaffold();
    applyController(app, Needy);
    expect(() => app.rules()[0]!.opts.view()).toThrow(/"new Needy\(\)", and that threw.*register an instance/);
  });
});

describe("errors for misuse", () => {
  it("names the class and the decorators to use when it has no entries", () => {
    class Empty {
      index() {}
    }
    expect(() => applyController(new FakeScaffold(), Empty)).toThrow(TypeError);
    expect(() => applyController(new FakeScaffold(), Empty)).toThrow(
      /Empty has nothing to register.*@route\("\/path"\).*@beforeRequest/,
    );
  });

  it("refuses properties and classes", () => {
    const decorateProperty = get("/") as unknown as (t: object, k: string, d?: PropertyDescriptor) => void;
    expect(() => decorateProperty({}, "field", undefined)).toThrow(/decorates methods, but Object.field is a property/);
    const decorateClass = get("/") as unknown as (c: Function) => void;
    expect(() => decorateClass(class Thing {})).toThrow(/decorates methods of a class; it was applied to the class or function Thing/);
  });
});

describe("@blueprint and @controller", () => {
  it("records blueprint options on the class itself only", () => {
    @blueprint("admin", { urlPrefix: "/admin", templateFolder: "templates" })
    class Admin {
      @get("/") dashboard() {}
    }
    class SubAdmin extends Admin {}
    expect(getBlueprintOptions(Admin)).toEqual({ name: "admin", urlPrefix: "/admin", templateFolder: "templates" });
    expect(getBlueprintOptions(SubAdmin)).toBeUndefined();
    expect(getBlueprintOptions(class Plain {})).toBeUndefined();
    expect(getControllerEntries(Admin).map((e) => e.key)).toEqual(["dashboard"]);
  });

  it("refuses empty or dotted blueprint names", () => {
    expect(() => blueprint("")).toThrow(/non-empty name/);
    expect(() => blueprint("a.b")).toThrow(/may not contain a dot/);
  });

  it("accepts @controller bare and called", () => {
    @controller
    class A {
      @get("/") index() {}
    }
    @controller()
    class B {
      @get("/") index() {}
    }
    expect(getControllerEntries(A)).toHaveLength(1);
    expect(getControllerEntries(B)).toHaveLength(1);
  });
});

/** A tiny app exposing `app.get(...)`/`app.beforeRequest` built on boundDecorator. */
function boundApp() {
  const registered: Array<{ what: string; fn: Function; info: BoundTarget }> = [];
  const make = (what: string) => boundDecorator((fn, info) => registered.push({ what, fn, info }), what);
  return {
    registered,
    get: (rule: string) => make(`app.get("${rule}")`),
    beforeRequest: make("app.beforeRequest"),
  };
}

describe("boundDecorator (legacy)", () => {
  it("takes a plain function, registers it and returns it", () => {
    const app = boundApp();
    function hello() {
      return "hi";
    }
    expect(app.get("/")(hello)).toBe(hello);
    const [{ fn, info }] = app.registered as [(typeof app.registered)[0]];
    expect(fn).toBe(hello);
    expect(info.name).toBe("hello");
    expect(info.kind).toBe("function");
    expect(info.owner()).toBeUndefined();
    expect(info.bound).toBe(hello);
  });

  it("binds static methods to their class", () => {
    const app = boundApp();
    class Api {
      static version = 2;
      @app.get("/v") static version_() {
        return this.version;
      }
    }
    const [{ info }] = app.registered as [(typeof app.registered)[0]];
    expect(info).toMatchObject({ name: "version_", kind: "static" });
    expect(info.owner()).toBe(Api);
    expect(info.bound()).toBe(2);
  });

  it("binds instance methods to one lazily created instance shared with applyController", () => {
    const app = boundApp();
    let constructed = 0;
    class Shop {
      items: string[] = [];
      constructor() {
        constructed++;
      }
      @app.beforeRequest stock() {
        this.items.push("apple");
      }
      @app.get("/items") list() {
        return this.items;
      }
      @get("/standalone") standalone() {
        return this.items.length;
      }
    }
    expect(constructed).toBe(0);
    const [stock, list] = app.registered;
    expect(stock!.info.kind).toBe("instance");
    stock!.info.bound();
    expect(list!.info.bound()).toEqual(["apple"]);
    expect(stock!.info.owner()).toBe(list!.info.owner());
    const scaffold = new FakeScaffold();
    applyController(scaffold, Shop);
    expect(scaffold.rules()[0]!.opts.view()).toBe(1);
    expect(constructed).toBe(1);
  });

  it("refuses to decorate a class", () => {
    const app = boundApp();
    expect(() => app.get("/")(class Nope {} as unknown as () => void)).toThrow(/app\.get\("\/"\) decorates functions and methods, not the class Nope/);
  });
});

// ---------------------------------------------------------------------------------------
// Standard (TC39) decorators: the fixture is compiled by tsc without experimentalDecorators.

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../..");
const fixtureDir = join(here, "fixtures/tc39");

// The fixture's own types are TC39-only (the root tsconfig is legacy), so describe its exports.
type AnyCtor = abstract new (...args: never[]) => unknown;
interface Fixture {
  probeArgs: string[];
  counts: { blog: number; shop: number };
  Blog: AnyCtor;
  ChildBlog: AnyCtor;
  AdminBlueprint: AnyCtor;
  StaticApi: AnyCtor;
  appRegistered: Array<{ fn: Function; info: BoundTarget }>;
  misuse: { privateMethod: string; field: string };
}
type DecoratorsModule = typeof import("../../packages/flagon/src/decorators.js");

describe("standard (TC39) decorators", () => {
  let outDir: string;
  let fx: Fixture;
  let deco: DecoratorsModule;
  let diagnostics: string[];

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), "flagon-tc39-"));
    const configPath = join(fixtureDir, "tsconfig.json");
    const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, fixtureDir);
    const program = ts.createProgram(parsed.fileNames, { ...parsed.options, rootDir: repoRoot, outDir, noEmit: false });
    const fixtureFiles = program.getSourceFiles().filter((sf) => sf.fileName.startsWith(fixtureDir));
    diagnostics = fixtureFiles
      .flatMap((sf) => [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)])
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    // Emit only the fixture and the decorator modules, not the rest of the program (werk).
    const ours = join(repoRoot, "packages/flagon/src/decorators");
    for (const sf of program.getSourceFiles()) {
      if (sf.fileName.startsWith(fixtureDir) || sf.fileName.startsWith(ours)) program.emit(sf);
    }
    const emitted = join(outDir, "test/flagon/fixtures/tc39/controllers.js");
    expect(existsSync(emitted)).toBe(true);
    fx = (await import(pathToFileURL(emitted).href)) as Fixture;
    deco = (await import(pathToFileURL(join(outDir, "packages/flagon/src/decorators.js")).href)) as DecoratorsModule;
  }, 20_000);

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it("type-checks the fixture in standard decorator mode", () => {
    expect(diagnostics).toEqual([]);
  });

  it("ran the decorators in TC39 mode", () => {
    expect(fx.probeArgs).toEqual(["object", "method"]);
  });

  it("records routes, hooks, template helpers and static methods", () => {
    const app = new FakeScaffold();
    deco.applyController(app, fx.Blog);
    expect(app.summary()).toEqual([
      ["rule", "/", "index", undefined],
      ["rule", "/page/<int:page>", "index", undefined],
      ["rule", "/posts", "create_post", ["POST"]],
      ["hook", "beforeRequest", "load", undefined],
      ["hook", "afterRequest", "after", undefined],
      ["hook", "errorHandler", "missing", 404],
      ["hook", "templateFilter", "shout", "loud"],
      ["hook", "templateTest", "even", "even"],
      ["rule", "/about", "about", ["GET"]],
    ]);
  });

  it("reads entries across module copies (registered metadata keys)", () => {
    expect(getControllerEntries(fx.Blog)).toEqual(deco.getControllerEntries(fx.Blog));
    expect((fx.Blog as unknown as Record<symbol, unknown>)[METADATA]).toBeTypeOf("object");
  });

  it("binds instance methods to one shared instance and static ones to the class", () => {
    const app = new FakeScaffold();
    deco.applyController(app, fx.Blog);
    const constructedBefore = fx.counts.blog;
    const load = app.hooks().find((h) => h.kind === "beforeRequest")!;
    load.fn();
    load.fn();
    const index = app.rules()[0]!;
    expect(index.opts.view({})).toBe("loaded 2 page 1");
    expect(fx.counts.blog - constructedBefore).toBe(1);
    const about = app.rules().find((r) => r.rule === "/about")!;
    expect(about.opts.view()).toBe("About Blog");
  });

  it("inherits entries from a parent class", () => {
    expect(getControllerEntries(fx.ChildBlog).map((e) => e.key)).toEqual([
      "index",
      "index",
      "create",
      "load",
      "after",
      "missing",
      "shout",
      "even",
      "about",
      "extra",
    ]);
  });

  it("records @blueprint options", () => {
    expect(getBlueprintOptions(fx.AdminBlueprint)).toEqual({ name: "admin", urlPrefix: "/admin" });
    expect(deco.getBlueprintOptions(fx.ChildBlog)).toBeUndefined();
  });

  it("app-bound: registers static methods with their class", () => {
    const reg = fx.appRegistered.filter((r) => r.info.name === "health");
    expect(reg).toHaveLength(1);
    expect(reg[0]!.info.kind).toBe("static");
    expect(reg[0]!.info.owner()).toBe(fx.StaticApi);
    expect(reg[0]!.info.bound()).toBe("ok from StaticApi");
  });

  it("app-bound: resolves instance methods of a @controller() class, one instance", () => {
    const [list, add] = ["list", "add"].map((n) => fx.appRegistered.find((r) => r.info.name === n)!);
    expect(list!.info.kind).toBe("instance");
    add!.info.bound("pear");
    expect(list!.info.bound()).toEqual(["pear"]);
    expect(list!.info.owner()).toBe(add!.info.owner());
    expect(fx.counts.shop).toBe(1);
  });

  it("app-bound: adopts the first instance constructed", () => {
    const greet = fx.appRegistered.find((r) => r.info.name === "greet")!;
    expect(greet.info.bound()).toBe("hello from the first greeter");
  });

  it("app-bound: explains how to fix an instance method whose class is unknown", () => {
    const lost = fx.appRegistered.find((r) => r.info.name === "lost")!;
    expect(() => lost.info.bound()).toThrow(
      /instance method "lost" registered with app\.get\("\/lost"\).*make the method static, decorate its class with @controller\(\).*construct the class once/,
    );
  });

  it("app-bound: the function-call form works the same", () => {
    const plain = fx.appRegistered.find((r) => r.info.name === "plainView")!;
    expect(plain.info.kind).toBe("function");
    expect(plain.info.bound()).toBe("plain");
  });

  it("refuses private methods and fields", () => {
    expect(fx.misuse.privateMethod).toMatch(/cannot register the private method #secret/);
    expect(fx.misuse.field).toMatch(/decorates methods, but was applied to the field handler/);
  });
});
