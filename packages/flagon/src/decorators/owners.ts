/**
 * The `this` of decorated methods: static methods run on their class, instance methods on
 * one instance per class, created with `new cls()` on first use and shared by every
 * decorated method of that class, whichever path registered it.
 *
 * Standard (TC39) decorators do not see the class of an instance method while it is being
 * defined, only the class's metadata object. So classes are also found through that object:
 * `@controller()` and `applyController` link it to its class, and the first instance whose
 * constructor runs the method's initializer is adopted.
 */
import { METADATA, metadataOf, ownMetadataOf, type MetadataObject } from "./metadata.js";
import { className } from "./site.js";

const instances = new WeakMap<Function, object>();

/** What is known of a TC39 class while only its metadata object is. */
interface PendingClass {
  cls: Function | undefined;
  instance: object | undefined;
}

const pendingByMetadata = new WeakMap<MetadataObject, PendingClass>();

/** The record of the class owning `metadata`, created empty on first use. */
export function pendingClass(metadata: MetadataObject): PendingClass {
  let pending = pendingByMetadata.get(metadata);
  if (pending === undefined) {
    pending = { cls: undefined, instance: undefined };
    pendingByMetadata.set(metadata, pending);
  }
  return pending;
}

/**
 * The shared instance of `cls`, created with `new cls()` the first time. An instance that
 * TC39 initializers already adopted for the class is used instead of a new one.
 */
export function sharedInstance(cls: Function): object {
  let instance = instances.get(cls);
  if (instance === undefined) {
    const own = ownMetadataOf(cls);
    instance = (own !== undefined ? pendingByMetadata.get(own)?.instance : undefined) ?? construct(cls);
    instances.set(cls, instance);
  }
  return instance;
}

/** Make `instance` the shared instance of `cls`, unless it already has one. */
export function adoptInstance(cls: Function, instance: object): void {
  if (!instances.has(cls)) instances.set(cls, instance);
}

/**
 * Link the metadata objects of `cls` and its ancestors to their classes, so pending TC39
 * instance methods declared on any of them can find an instance. `metadata` is given by
 * TC39 class decorators, which run before TypeScript attaches it to the class.
 */
export function linkClass(cls: Function, metadata: MetadataObject | undefined = ownMetadataOf(cls)): void {
  if (metadata !== undefined) pendingClass(metadata).cls ??= cls;
  for (let c = Object.getPrototypeOf(cls) as Function | null; c !== null && c !== Function.prototype; c = Object.getPrototypeOf(c) as Function | null) {
    const own = ownMetadataOf(c);
    if (own !== undefined) pendingClass(own).cls ??= c;
  }
}

/**
 * A resolver for the `this` of a TC39 instance method declared in the class owning
 * `metadata`: the adopted instance, else the shared instance of the linked class, else an
 * Error saying how to make the class known.
 */
export function pendingOwner(metadata: MetadataObject, method: string, decorator: string): () => object {
  const pending = pendingClass(metadata);
  return () => {
    if (pending.instance !== undefined) return pending.instance;
    if (pending.cls !== undefined) return sharedInstance(pending.cls);
    throw new Error(
      `Cannot call the instance method "${method}" registered with ${decorator}: with standard ` +
        `(TC39) decorators its class is unknown until it is constructed or decorated. Either ` +
        `make the method static, decorate its class with @controller() (from "flagon"), or ` +
        `construct the class once (new MyController()) before the first request.`,
    );
  };
}

/**
 * The TC39 initializer adopting the first instance of a class (it runs in the constructor,
 * with `this` the new instance), and linking the class it finds for `metadata`.
 */
export function adoptingInitializer(metadata: MetadataObject): (this: unknown) => void {
  const pending = pendingClass(metadata);
  return function (this: unknown) {
    if (pending.instance !== undefined || typeof this !== "object" || this === null) return;
    pending.instance = this;
    pending.cls ??= declaringClass(this, metadata);
  };
}

function declaringClass(instance: object, metadata: MetadataObject): Function | undefined {
  for (let proto = Object.getPrototypeOf(instance) as { constructor?: Function } | null; proto !== null; proto = Object.getPrototypeOf(proto) as { constructor?: Function } | null) {
    const ctor = proto.constructor;
    if (typeof ctor === "function" && Object.hasOwn(ctor, METADATA) && metadataOf(ctor) === metadata) return ctor;
  }
  return undefined;
}

function construct(cls: Function): object {
  const name = className(cls);
  try {
    return new (cls as new () => object)();
  } catch (error) {
    throw new Error(
      `Flagon calls the decorated instance methods of ${name} on one instance, created with ` +
        `"new ${name}()", and that threw: ${error instanceof Error ? error.message : String(error)}. ` +
        `Give the constructor default arguments, register an instance you built, or make the ` +
        `methods static.`,
      { cause: error },
    );
  }
}

/**
 * A function named `name` that calls `method` on the owner `resolve()` gives, resolving it
 * on the first call only (so the instance is created lazily, and once). `method` may be a
 * key, looked up on the owner at each call so that a subclass's override is the one run.
 */
export function lazyView(
  name: string,
  resolve: () => object,
  method: Function | string | symbol,
): (...args: unknown[]) => unknown {
  let owner: Record<PropertyKey, unknown> | undefined;
  // `arguments` rather than a rest parameter: no array is built per request.
  const view =
    typeof method === "function"
      ? function (this: unknown) {
          owner ??= resolve() as Record<PropertyKey, unknown>;
          return Reflect.apply(method, owner, arguments);
        }
      : function (this: unknown) {
          owner ??= resolve() as Record<PropertyKey, unknown>;
          return Reflect.apply(owner[method] as Function, owner, arguments);
        };
  Object.defineProperty(view, "name", { value: name });
  return view;
}
