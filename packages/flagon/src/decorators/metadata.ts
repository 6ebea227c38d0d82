/**
 * Where decorators keep what they record: the class's `Symbol.metadata` object, in both
 * TypeScript decorator modes, so one reader serves both.
 *
 * Standard (TC39) decorators get that object as `context.metadata`; TypeScript then attaches
 * it to the class as `Class[Symbol.metadata]`, created with the parent class's object as
 * prototype, so subclasses inherit. Legacy decorators get the class itself, and we build the
 * same object the same way. The keys are registered symbols (`Symbol.for`) so that two copies
 * of this module (a built and a source copy, say) read each other's records.
 */
import type { BlueprintDeclaration, ControllerEntry } from "./types.js";

type SymbolWithMetadata = { metadata?: symbol };

/**
 * `Symbol.metadata`, installed when the runtime lacks it (Node 20 does). TypeScript's TC39
 * output reads `Symbol.metadata` as each decorated class is defined and passes no
 * `context.metadata` at all when it is missing, so it must exist before the first decorated
 * class: every decorator imports this module, so it does. This is an exported value (not a
 * bare side-effect import) so bundlers honouring `"sideEffects": false` keep it.
 * `Symbol.for("Symbol.metadata")` is what esbuild's output falls back to, so both agree.
 */
export const METADATA: symbol = ((Symbol as unknown as SymbolWithMetadata).metadata ??=
  Symbol.for("Symbol.metadata"));

/** A class's metadata object: TC39's `DecoratorMetadataObject`. */
export type MetadataObject = Record<PropertyKey, unknown>;

const ENTRIES = Symbol.for("flagon.decorators.entries");
const BLUEPRINT = Symbol.for("flagon.decorators.blueprint");

type WithMetadata = { [key: symbol]: unknown };

/** The metadata object `cls` reads, its own or inherited; undefined when none. */
export function metadataOf(cls: Function): MetadataObject | undefined {
  return (cls as unknown as WithMetadata)[METADATA] as MetadataObject | undefined;
}

/** The metadata object `cls` has itself, undefined when it only inherits one (or has none). */
export function ownMetadataOf(cls: Function): MetadataObject | undefined {
  return Object.hasOwn(cls, METADATA) ? metadataOf(cls) : undefined;
}

/**
 * The metadata object of `cls` for writing, created for legacy decorators as TypeScript
 * creates it for TC39 ones: inheriting from the parent class's object.
 */
export function ensureMetadata(cls: Function): MetadataObject {
  const own = ownMetadataOf(cls);
  if (own !== undefined) return own;
  const parent = Object.getPrototypeOf(cls) as Function | null;
  const metadata = Object.create((parent && metadataOf(parent)) ?? null) as MetadataObject;
  Object.defineProperty(cls, METADATA, { value: metadata, writable: true, configurable: true });
  return metadata;
}

/** Append an entry to the class's own list (never to an inherited one). */
export function recordEntry(metadata: MetadataObject, entry: ControllerEntry): void {
  const own = Object.hasOwn(metadata, ENTRIES) ? (metadata[ENTRIES] as ControllerEntry[]) : undefined;
  if (own === undefined) metadata[ENTRIES] = [entry];
  else own.push(entry);
}

/**
 * Entries along the metadata chain, the farthest ancestor's first. Within one class,
 * instance methods come before static ones: legacy TypeScript applies decorators in that
 * order and TC39 the other way round, so sorting makes both modes agree. Otherwise the order
 * is the one decorators were applied in: members top to bottom, and stacked decorators
 * bottom-up, as Flask registers stacked `@app.route`s.
 */
export function readEntries(metadata: MetadataObject | undefined): ControllerEntry[] {
  const levels: ControllerEntry[][] = [];
  for (let md: MetadataObject | null | undefined = metadata; md != null; md = Object.getPrototypeOf(md) as MetadataObject | null) {
    if (Object.hasOwn(md, ENTRIES)) levels.push(md[ENTRIES] as ControllerEntry[]);
  }
  const entries: ControllerEntry[] = [];
  for (let i = levels.length - 1; i >= 0; i--) {
    const level = levels[i]!;
    for (const entry of level) if (!entry.isStatic) entries.push(entry);
    for (const entry of level) if (entry.isStatic) entries.push(entry);
  }
  return entries;
}

/** Record the `@blueprint` declaration on a class's own metadata. */
export function recordBlueprint(metadata: MetadataObject, declaration: BlueprintDeclaration): void {
  metadata[BLUEPRINT] = declaration;
}

/** The `@blueprint` declaration of the class itself (not of a parent class). */
export function readBlueprint(cls: Function): BlueprintDeclaration | undefined {
  const own = ownMetadataOf(cls);
  return own !== undefined && Object.hasOwn(own, BLUEPRINT)
    ? (own[BLUEPRINT] as BlueprintDeclaration)
    : undefined;
}
