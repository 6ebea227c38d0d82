/**
 * Rule factories: reusable groups of rules with a shared prefix, subdomain, endpoint
 * prefix, or template values. Each is callable with or without `new`.
 */
import type { Map } from "./map.js";
import { Rule, RuleFactory } from "./rules.js";

type Factories = Iterable<RuleFactory>;

class SubdomainFactory extends RuleFactory {
  constructor(
    readonly subdomain: string,
    readonly rules: Factories,
  ) {
    super();
  }
  *getRules(map: Map): Iterable<Rule> {
    for (const factory of this.rules) {
      for (const rule of factory.getRules(map)) {
        const copy = rule.empty();
        copy.subdomain = this.subdomain;
        yield copy;
      }
    }
  }
}

class SubmountFactory extends RuleFactory {
  readonly path: string;
  constructor(
    path: string,
    readonly rules: Factories,
  ) {
    super();
    this.path = path.replace(/\/+$/, "");
  }
  *getRules(map: Map): Iterable<Rule> {
    for (const factory of this.rules) {
      for (const rule of factory.getRules(map)) {
        const copy = rule.empty();
        copy.rule = this.path + copy.rule;
        yield copy;
      }
    }
  }
}

class EndpointPrefixFactory extends RuleFactory {
  constructor(
    readonly prefix: string,
    readonly rules: Factories,
  ) {
    super();
  }
  *getRules(map: Map): Iterable<Rule> {
    for (const factory of this.rules) {
      for (const rule of factory.getRules(map)) {
        const copy = rule.empty();
        copy.endpoint = this.prefix + String(copy.endpoint);
        yield copy;
      }
    }
  }
}

// Python's string.Template: `$name`, `${name}`, and `$$` for a literal dollar sign.
function substitute(template: string, context: Record<string, unknown>): string {
  return template.replace(/\$(?:\$|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})/g, (whole, bare, braced) => {
    if (whole === "$$") return "$";
    const name = (bare ?? braced) as string;
    if (!(name in context)) throw new Error(`The rule template needs a value for "$${name}"; pass it when calling the template.`);
    return String(context[name]);
  });
}

/** The factory a `RuleTemplate` returns when called with values. */
export class RuleTemplateFactory extends RuleFactory {
  constructor(
    readonly rules: Factories,
    readonly context: Record<string, unknown>,
  ) {
    super();
  }
  *getRules(map: Map): Iterable<Rule> {
    const ctx = this.context;
    for (const factory of this.rules) {
      for (const rule of factory.getRules(map)) {
        let defaults: Record<string, unknown> | undefined;
        if (rule.defaults) {
          defaults = {};
          for (const [key, value] of Object.entries(rule.defaults)) {
            defaults[key] = typeof value === "string" ? substitute(value, ctx) : value;
          }
        }
        const Ctor = rule.constructor as typeof Rule;
        const copy = new Ctor(substitute(rule.rule, ctx), {
          ...rule.getEmptyKwargs(),
          defaults,
          subdomain: rule.subdomain === undefined ? undefined : substitute(rule.subdomain, ctx),
          endpoint: typeof rule.endpoint === "string" ? substitute(rule.endpoint, ctx) : rule.endpoint,
        });
        yield copy;
      }
    }
  }
}

/** A callable rule template; call it with values to get a factory. */
export interface RuleTemplate {
  (context?: Record<string, unknown>): RuleTemplateFactory;
  readonly rules: RuleFactory[];
}

/** A factory function that also works with `new`. */
interface Callable<A extends unknown[], R> {
  (...args: A): R;
  new (...args: A): R;
}

function callable<A extends unknown[], R>(make: (...args: A) => R): Callable<A, R> {
  // A function returning an object works both as a call and as a `new` target.
  return function (this: unknown, ...args: A) {
    return make(...args);
  } as unknown as Callable<A, R>;
}

/**
 * Give every rule a subdomain (when the map matches subdomains).
 *
 * @example
 * Subdomain("<user>", [new Rule("/", { endpoint: "user/home" })]);
 */
export const Subdomain = callable((subdomain: string, rules: Factories): RuleFactory => new SubdomainFactory(subdomain, rules));

/**
 * Prefix every rule's path.
 *
 * @example
 * Submount("/blog", [new Rule("/", { endpoint: "blog/index" })]); // matches /blog/
 */
export const Submount = callable((path: string, rules: Factories): RuleFactory => new SubmountFactory(path, rules));

/**
 * Prefix every rule's endpoint.
 *
 * @example
 * EndpointPrefix("blog/", [new Rule("/", { endpoint: "index" })]); // endpoint "blog/index"
 */
export const EndpointPrefix = callable((prefix: string, rules: Factories): RuleFactory => new EndpointPrefixFactory(prefix, rules));

/**
 * A template of rules; calling it with values substitutes `$name` / `${name}` in rule
 * strings, endpoints, subdomains and string defaults.
 *
 * @example
 * const resource = RuleTemplate([new Rule("/$name/", { endpoint: "$name.list" })]);
 * new Map([resource({ name: "user" }), resource({ name: "page" })]);
 */
export const RuleTemplate = callable((rules: Factories): RuleTemplate => {
  const list = [...rules];
  const template = ((context: Record<string, unknown> = {}) => new RuleTemplateFactory(list, context)) as RuleTemplate;
  Object.defineProperty(template, "rules", { value: list });
  return template;
});
