/**
 * Types that flow from rule strings to view arguments:
 * `RouteParams<"/post/<int:id>/<slug>">` is `{ id: number; slug: string }`.
 */

// `int` and `float` (with or without arguments) give numbers; every other converter a string.
type ConverterValue<C extends string> = C extends `${infer Name}(${string}`
  ? ConverterValue<Name>
  : C extends "int" | "float"
    ? number
    : string;

type Placeholder<B extends string> = B extends `${infer C}:${infer N}` ? { [K in N]: ConverterValue<C> } : { [K in B]: string };

type WerkzeugParams<S extends string> = S extends `${string}<${infer B}>${infer Rest}`
  ? Placeholder<B> & WerkzeugParams<Rest>
  : {};

// path-to-regexp names end at the first character that cannot be part of an identifier.
type NameStop = "/" | "." | "-" | "{" | "}" | ":" | "*" | "(" | ")" | "?" | "+" | "," | ";" | "=" | "@" | "!" | "~" | "&" | "'" | "$" | "[" | "]" | " ";
type TakeName<S extends string, Acc extends string = ""> = S extends `${infer Ch}${infer Rest}`
  ? Ch extends NameStop
    ? Acc
    : TakeName<Rest, `${Acc}${Ch}`>
  : Acc;

// Optional groups (`{/:opt}`) make their parameters optional.
type PtrParams<S extends string, Optional extends boolean = false> = S extends `${infer Head}{${infer Group}}${infer Rest}`
  ? PtrParams<Head, Optional> & PtrParams<Group, true> & PtrParams<Rest, Optional>
  : S extends `${string}${":" | "*"}${infer Rest}`
    ? TakeName<Rest> extends ""
      ? PtrParams<Rest, Optional>
      : (Optional extends true ? { [K in TakeName<Rest>]?: string } : { [K in TakeName<Rest>]: string }) & PtrParams<Rest, Optional>
    : {};

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The values a rule string gives a view, typed: Werkzeug placeholders
 * (`<int:id>` is a number) or path-to-regexp parameters (`:id`, `*path`: strings).
 *
 * @example
 * type P = RouteParams<"/post/<int:id>/<slug>">; // { id: number; slug: string }
 */
export type RouteParams<S extends string> = string extends S
  ? Record<string, unknown>
  : Simplify<S extends `${string}<${string}>${string}` ? WerkzeugParams<S> : PtrParams<S>>;
