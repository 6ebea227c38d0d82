// Flask's tests/test_user_error_handler.py, translated: which registered handler an error
// reaches — by class and by status code, most specific first — and what the 500 handler
// receives. (The blueprint cases belong to the blueprint tests.)
import { HTTPException, InternalServerError, Forbidden, NotFound } from "@flagon/werk";
import { beforeEach, describe, expect, test } from "vitest";
import { Flagon, abort } from "flagon";
import { makeApp } from "./_helpers.js";

describe("registering error handlers", () => {
  test("refuses instances, non-error classes and unknown codes, with clear messages", () => {
    const app = makeApp();
    class CustomException extends Error {}
    expect(() => app.registerErrorHandler(new CustomException() as never, () => "")).toThrow(
      /is an instance, not a class/,
    );
    expect(() => app.registerErrorHandler(Array as never, () => "")).toThrow(/"Array" is not a subclass of Error/);
    expect(() => app.registerErrorHandler(999, () => "")).toThrow(/Use a subclass of HTTPException/);
    expect(() => app.errorHandler(999)).toThrow(RangeError);
  });

  test("custom classes, wrapped errors and direct 500s", async () => {
    const app = makeApp();
    class CustomException extends Error {}
    app.errorHandler(CustomException)((e: unknown) => {
      expect(e).toBeInstanceOf(CustomException);
      return "custom";
    });
    app.errorHandler(500)((e: InternalServerError) => {
      expect(e).toBeInstanceOf(InternalServerError);
      if (e.originalError !== undefined) return `wrapped ${(e.originalError as Error).constructor.name}`;
      return "direct";
    });
    class KeyError extends Error {}
    app.get("/custom", () => {
      throw new CustomException();
    });
    app.get("/keyerror", () => {
      throw new KeyError();
    });
    app.get("/abort", () => abort(500));
    app.testing = false;
    const client = app.testClient();
    expect((await client.get("/custom")).text).toBe("custom");
    expect((await client.get("/keyerror")).text).toBe("wrapped KeyError");
    expect((await client.get("/abort")).text).toBe("direct");
  });
});

describe("handler lookup", () => {
  test("a registered subclass handler beats its parent's", async () => {
    const app = makeApp();
    class ParentException extends Error {}
    class ChildExceptionUnregistered extends ParentException {}
    class ChildExceptionRegistered extends ParentException {}
    app.errorHandler(ParentException)((e: unknown) => {
      expect(e).toBeInstanceOf(ParentException);
      return "parent";
    });
    app.errorHandler(ChildExceptionRegistered)((e: unknown) => {
      expect(e).toBeInstanceOf(ChildExceptionRegistered);
      return "child-registered";
    });
    app.get("/parent", () => {
      throw new ParentException();
    });
    app.get("/child-unregistered", () => {
      throw new ChildExceptionUnregistered();
    });
    app.get("/child-registered", () => {
      throw new ChildExceptionRegistered();
    });
    const c = app.testClient();
    expect((await c.get("/parent")).text).toBe("parent");
    expect((await c.get("/child-unregistered")).text).toBe("parent");
    expect((await c.get("/child-registered")).text).toBe("child-registered");
  });

  test("HTTP exception subclasses: the code handler unless the subclass has its own", async () => {
    const app = makeApp();
    class ForbiddenSubclassRegistered extends Forbidden {}
    class ForbiddenSubclassUnregistered extends Forbidden {}
    app.errorHandler(403)((e: unknown) => {
      expect(e).toBeInstanceOf(Forbidden);
      return "forbidden";
    });
    app.errorHandler(ForbiddenSubclassRegistered)((e: unknown) => {
      expect(e).toBeInstanceOf(ForbiddenSubclassRegistered);
      return "forbidden-registered";
    });
    app.get("/forbidden", () => {
      throw new Forbidden();
    });
    app.get("/forbidden-registered", () => {
      throw new ForbiddenSubclassRegistered();
    });
    app.get("/forbidden-unregistered", () => {
      throw new ForbiddenSubclassUnregistered();
    });
    const c = app.testClient();
    expect((await c.get("/forbidden")).text).toBe("forbidden");
    expect((await c.get("/forbidden-unregistered")).text).toBe("forbidden");
    expect((await c.get("/forbidden-registered")).text).toBe("forbidden-registered");
  });

  test("an HTTPException catch-all, a specific class, and redirects left alone", async () => {
    const app = makeApp();
    app.errorHandler(HTTPException)((e: unknown) => {
      expect(e).toBeInstanceOf(HTTPException);
      expect(e).toBeInstanceOf(NotFound);
      return "default";
    });
    app.errorHandler(Forbidden)((e: unknown) => {
      expect(e).toBeInstanceOf(Forbidden);
      return "forbidden";
    });
    app.get("/forbidden", () => {
      throw new Forbidden();
    });
    app.get("/slash/", () => "slash");
    const c = app.testClient();
    expect((await c.get("/undefined")).text).toBe("default");
    expect((await c.get("/forbidden")).text).toBe("forbidden");
    // The routing redirect to add the slash is not an error for handlers.
    const redirect = await c.get("/slash");
    expect(redirect.statusCode).toBe(308);
    expect((await c.get("/slash", { followRedirects: true })).text).toBe("slash");
  });

  test("a handler that throws ends in the 500 page", async () => {
    const app = makeApp();
    app.testing = false;
    app.errorHandler(404)(() => {
      throw new RangeError("handler broke");
    });
    const rv = await app.testClient().get("/missing");
    expect(rv.statusCode).toBe(500);
  });

  test("async handlers are awaited", async () => {
    const app = makeApp();
    app.errorHandler(404)(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return ["async not found", 404];
    });
    const rv = await app.testClient().get("/missing");
    expect(rv.statusCode).toBe(404);
    expect(rv.text).toBe("async not found");
  });
});

// How very generic handlers are dispatched to.
describe("generic handlers", () => {
  class Custom extends Error {}
  class KeyError extends Error {}
  let app: Flagon;

  beforeEach(() => {
    app = makeApp();
    app.get("/custom", () => {
      throw new Custom();
    });
    app.get("/error", () => {
      throw new KeyError();
    });
    app.get("/abort", () => abort(500));
    app.get("/raise", () => {
      throw new InternalServerError();
    });
    app.config.PROPAGATE_EXCEPTIONS = false;
  });

  const reportError = (e: Error): string => {
    const original = (e as { originalError?: unknown }).originalError;
    if (original !== undefined) return `wrapped ${(original as Error).constructor.name}`;
    return `direct ${e.constructor.name}`;
  };

  // InternalServerError and 500 are aliases: both get only InternalServerError, which may wrap another error.
  test.each([InternalServerError, 500])("handling %s", async (toHandle) => {
    app.errorHandler(toHandle)((e: Error) => {
      expect(e).toBeInstanceOf(InternalServerError);
      return reportError(e);
    });
    const client = app.testClient();
    expect((await client.get("/custom")).text).toBe("wrapped Custom");
    expect((await client.get("/error")).text).toBe("wrapped KeyError");
    expect((await client.get("/abort")).text).toBe("direct InternalServerError");
    expect((await client.get("/raise")).text).toBe("direct InternalServerError");
  });

  // HTTPException gets only HTTP exceptions, routing 404s included.
  test("an HTTPException handler", async () => {
    app.errorHandler(HTTPException)((e: HTTPException) => {
      expect(e).toBeInstanceOf(HTTPException);
      return String(e.code);
    });
    const client = app.testClient();
    expect((await client.get("/error")).text).toBe("500");
    expect((await client.get("/abort")).text).toBe("500");
    expect((await client.get("/not-found")).text).toBe("404");
  });

  // Error handles every error directly, HTTP exceptions included.
  test("an Error handler", async () => {
    app.errorHandler(Error)((e: Error) => reportError(e));
    const client = app.testClient();
    expect((await client.get("/custom")).text).toBe("direct Custom");
    expect((await client.get("/error")).text).toBe("direct KeyError");
    expect((await client.get("/abort")).text).toBe("direct InternalServerError");
    expect((await client.get("/not-found")).text).toBe("direct NotFound");
  });
});
