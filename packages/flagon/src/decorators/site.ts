/**
 * Which TypeScript decorator mode called us, told from the arguments alone: legacy
 * (`experimentalDecorators`) passes `(target, key, descriptor)` to method decorators and
 * `(ctor)` to class decorators; standard TC39 decorators pass `(value, context)` where
 * `context.kind` says what is decorated. Design-type metadata is never read: not every
 * compiler emits it (esbuild, which vitest and tsx use, does not).
 */
import { ensureMetadata, type MetadataObject } from "./metadata.js";

/** A decorated method, described the same way for both modes. */
export interface MethodSite {
  /** The method's name. */
  key: string | symbol;
  isStatic: boolean;
  /** The method's function as the decorator received it. */
  method: Function;
  /** The metadata object of the declaring class (see `metadata.ts`). */
  metadata: MetadataObject;
  /** The declaring class: legacy decorators know it now, TC39 ones only later. */
  cls: Function | undefined;
  /** The TC39 context, for `addInitializer`; undefined in legacy mode. */
  context: ClassMethodDecoratorContext | undefined;
}

/** A decorated class, described the same way for both modes. */
export interface ClassSite {
  cls: Function;
  metadata: MetadataObject;
  context: ClassDecoratorContext | undefined;
}

/** True for a TC39 decorator context object. */
export function isDecoratorContext(value: unknown): value is DecoratorContext {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === "string"
  );
}

/** True when the arguments are those of a method decorator call, in either mode. */
export function looksLikeMemberDecoration(args: readonly unknown[]): boolean {
  if (args.length < 2) return false;
  const [target, second] = args;
  if (isDecoratorContext(second)) return true;
  return (
    (typeof second === "string" || typeof second === "symbol") &&
    (typeof target === "object" || typeof target === "function") &&
    target !== null
  );
}

/** The name to show for a member key in messages and endpoints. */
export function keyName(key: string | symbol): string {
  return typeof key === "symbol" ? (key.description ?? "") : key;
}

/** The class's name for messages. */
export function className(cls: Function | undefined): string {
  return cls?.name || "(anonymous class)";
}

/**
 * Describe the method a decorator was applied to, throwing a TypeError that names the
 * decorator when it was put on something else.
 */
export function methodSite(decorator: string, args: readonly unknown[]): MethodSite {
  const [target, second] = args;
  if (args.length >= 2 && isDecoratorContext(second)) return tc39MethodSite(decorator, target, second);
  if (looksLikeMemberDecoration(args)) {
    const key = second as string | symbol;
    const isStatic = typeof target === "function";
    const cls = (isStatic ? target : (target as { constructor: Function }).constructor) as Function;
    const descriptor = args[2] as PropertyDescriptor | undefined;
    if (typeof descriptor?.value !== "function") {
      const what = descriptor?.get || descriptor?.set ? "an accessor" : "a property";
      throw new TypeError(
        `${decorator} decorates methods, but ${className(cls)}.${keyName(key)} is ${what}. ` +
          `Declare it as a method: ${keyName(key)}() { ... }.`,
      );
    }
    return { key, isStatic, method: descriptor.value, metadata: ensureMetadata(cls), cls, context: undefined };
  }
  throw new TypeError(
    `${decorator} decorates methods of a class; it was applied to ${describeTarget(args)}. ` +
      `Put it directly above a method.`,
  );
}

function tc39MethodSite(decorator: string, value: unknown, context: DecoratorContext): MethodSite {
  if (context.kind !== "method") {
    throw new TypeError(
      `${decorator} decorates methods, but was applied to the ${context.kind} ` +
        `${String(context.name ?? "(anonymous)")}. Declare it as a method.`,
    );
  }
  if (context.private) {
    throw new TypeError(
      `${decorator} cannot register the private method ${String(context.name)}: Flagon calls ` +
        `views from outside the class. Make it a public (or static) method.`,
    );
  }
  if (context.metadata === undefined) throw missingMetadata(decorator);
  return {
    key: context.name,
    isStatic: context.static,
    method: value as Function,
    metadata: context.metadata as MetadataObject,
    cls: undefined,
    context,
  };
}

/** Describe the class a class decorator was applied to, in either mode. */
export function classSite(decorator: string, args: readonly unknown[]): ClassSite {
  const [target, second] = args;
  if (typeof target === "function") {
    if (second === undefined && args.length <= 1) {
      return { cls: target, metadata: ensureMetadata(target), context: undefined };
    }
    if (isDecoratorContext(second) && second.kind === "class") {
      if (second.metadata === undefined) throw missingMetadata(decorator);
      return { cls: target, metadata: second.metadata as MetadataObject, context: second };
    }
  }
  throw new TypeError(
    `${decorator} decorates classes; it was applied to ${describeTarget(args)}. ` +
      `Put it directly above "class".`,
  );
}

function missingMetadata(decorator: string): Error {
  // Only possible when the class was compiled by a tool that neither defines nor polyfills
  // Symbol.metadata before this module ran; say so instead of losing the registration.
  return new Error(
    `${decorator}: the decorator context has no "metadata" object, so Symbol.metadata was ` +
      `missing when the class was defined. Import "flagon" before defining decorated classes.`,
  );
}

function describeTarget(args: readonly unknown[]): string {
  const [target, second] = args;
  if (isDecoratorContext(second)) return `the ${second.kind} ${String(second.name ?? "(anonymous)")}`;
  if (typeof second === "string" || typeof second === "symbol") return `the member ${keyName(second)}`;
  if (typeof target === "function") return `the class or function ${target.name || "(anonymous)"}`;
  return args.length === 0 ? "nothing" : `a ${typeof target}`;
}
