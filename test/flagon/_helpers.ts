/** Shared setup for the flagon tests: an app in testing mode whose log lines are kept. */
import { DefaultLogger, Flagon, type FlagonOptions } from "flagon";

/** A Flagon app with TESTING on, a secret key, no static folder unless asked, and `logs`. */
export function makeApp(opts: FlagonOptions = {}, name = "flagon_test"): Flagon & { logs: string[] } {
  const app = new Flagon(name, { staticFolder: null, ...opts }) as Flagon & { logs: string[] };
  app.config.TESTING = true;
  app.config.SECRET_KEY = "test key";
  app.logs = [];
  app.logger = new DefaultLogger(name, "info", (line) => app.logs.push(line));
  return app;
}
