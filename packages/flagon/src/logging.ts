/**
 * `app.logger`: leveled logging to stderr, replaceable by any object with the same
 * methods (pino, winston and console all fit).
 */

/** The methods Flagon calls on a logger. */
export interface Logger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;

/** A logger level name. */
export type LogLevel = keyof typeof LEVELS;

/**
 * The default logger: one line per message, `[time] LEVEL in name: message`, to stderr;
 * errors passed as arguments are printed with their stack.
 */
export class DefaultLogger implements Logger {
  /** Messages below this level are dropped. */
  level: LogLevel;
  constructor(
    readonly name: string,
    level: LogLevel = "info",
    readonly write: (line: string) => void = (line) => process.stderr.write(line + "\n"),
  ) {
    this.level = level;
  }

  #log(level: LogLevel, message: string, args: unknown[]): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    let line = `[${new Date().toISOString()}] ${level.toUpperCase()} in ${this.name}: ${message}`;
    for (const arg of args) line += "\n" + (arg instanceof Error ? (arg.stack ?? String(arg)) : String(arg));
    this.write(line);
  }

  debug(message: string, ...args: unknown[]): void {
    this.#log("debug", message, args);
  }
  info(message: string, ...args: unknown[]): void {
    this.#log("info", message, args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.#log("warn", message, args);
  }
  error(message: string, ...args: unknown[]): void {
    this.#log("error", message, args);
  }
}
