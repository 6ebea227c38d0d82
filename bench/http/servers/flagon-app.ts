/**
 * The Flagon app of the benchmark, built from its public API only. `flagon` resolves to
 * the built package (`packages/flagon/dist`), as for any user of it. `flagon.ts` serves
 * it; `flagon-phases.ts` serves it with a timer around each phase of a request.
 */
import { dirname } from "node:path";
import { Flagon, renderTemplate, session } from "flagon";
import {
  HELLO,
  HELLO_JSON,
  PAGE_TEMPLATE,
  SECRET,
  TABLE_ROUTES,
  TEMPLATES_DIR,
  pageContext,
  tableBody,
} from "../app-spec.js";

export const app = new Flagon("flagon-bench", {
  rootPath: dirname(TEMPLATES_DIR),
  templateFolder: "templates",
  staticFolder: null,
});
app.config.SECRET_KEY = SECRET;

app.get("/", function hello() {
  return HELLO;
});

app.get("/json", function helloJson() {
  return HELLO_JSON;
});

app.get("/page", async function page() {
  const count = (typeof session.count === "number" ? session.count : 0) + 1;
  session.count = count;
  return renderTemplate(PAGE_TEMPLATE, pageContext(count));
});

TABLE_ROUTES.forEach((route, i) => {
  app.addUrlRule(route.flaskPath, {
    endpoint: `table_${i}`,
    methods: [route.method],
    view: (params: Record<string, string>) => tableBody(route.name, route.keys.map((k) => params[k]!)),
  });
});

