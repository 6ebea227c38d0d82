/**
 * Compiling a fixture written with standard (TC39) decorators: the TypeScript compiler,
 * without experimentalDecorators, emits it inside the repository (so that its
 * `import "flagon"` resolves), and the test imports the result.
 */
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll } from "vitest";
import ts from "typescript";

/** A compiled fixture module, its diagnostics, and a cleanup for the emitted files. */
export interface CompiledFixture<M> {
  module: M;
  /** Syntax and type errors in the fixture, as text (empty when it type-checks). */
  diagnostics: string[];
  cleanup(): void;
}

/** Type-check and emit `fixture` (a .ts file) under TC39 decorators, then import it. */
export async function compileTc39Fixture<M>(fixture: string): Promise<CompiledFixture<M>> {
  const outDir = join(dirname(fixture), `.out-${process.pid}`);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ["source"],
    strict: true,
    skipLibCheck: true,
    experimentalDecorators: false,
    emitDecoratorMetadata: false,
    types: ["node"],
    outDir,
    rootDir: dirname(fixture),
  };
  const program = ts.createProgram([fixture], options);
  const source = program.getSourceFile(fixture);
  if (source === undefined) throw new Error(`The fixture ${fixture} could not be read.`);
  const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, "\n"),
  );
  mkdirSync(outDir, { recursive: true });
  const result = program.emit(source);
  if (result.emitSkipped) throw new Error(`TypeScript emitted nothing for ${fixture}.`);
  const emitted = join(outDir, source.fileName.slice(dirname(fixture).length + 1).replace(/\.ts$/, ".js"));
  const module = (await import(pathToFileURL(emitted).href)) as M;
  return { module, diagnostics, cleanup: () => rmSync(outDir, { recursive: true, force: true }) };
}

/**
 * Compile a fixture (a path relative to the test file) before the file's tests and remove
 * the emitted files after; the returned object is filled in once compiled.
 */
export function useTc39Fixture<M>(testFileUrl: string, relativePath: string): { module: M; diagnostics: string[] } {
  const fixture = join(dirname(fileURLToPath(testFileUrl)), relativePath);
  const state = { module: undefined as unknown as M, diagnostics: [] as string[] };
  let compiled: CompiledFixture<M> | undefined;
  beforeAll(async () => {
    compiled = await compileTc39Fixture<M>(fixture);
    state.module = compiled.module;
    state.diagnostics = compiled.diagnostics;
  }, 60_000);
  afterAll(() => compiled?.cleanup());
  return state;
}
