/**
 * The server's logger: Probot's own output (pretty text, or JSON lines in production; Sentry when
 * SENTRY_DSN is set), with one change. pino writes each child logger's bindings after its
 * parent's, and Probot binds `name` at every level (`probot`, then `event`, `github`, …), so a
 * JSON line carried `"name"` two or three times, which strict JSON readers (Elasticsearch's among
 * them) refuse. Each line now names every key once, with the last, most specific value.
 *
 * And one addition: a warning or error that repeats (the same logger, message and error, as when
 * Redis or GitHub is down and every retry fails alike) is written once, then summed up every
 * REPEAT_WINDOW_MS while it goes on (`repeated: n`) instead of once per occurrence.
 */
import { format } from "node:util";
import { getTransformStream } from "@probot/pino";
import { pino, type LogFn, type Logger } from "pino";

export interface LoggerOptions {
  level: string;
  format: "json" | "pretty";
  levelInString?: boolean;
  sentryDsn?: string;
  messageKey?: string;
}

export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const transform = await getTransformStream({
    logFormat: options.format,
    logLevelInString: options.levelInString,
    sentryDsn: options.sentryDsn,
  });
  // SonicBoom is a writable stream, though not typed as one.
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino(
    {
      level: options.level,
      messageKey: options.messageKey ?? "msg",
      hooks: { streamWrite: lastValueOfEachKey, logMethod: limitRepeats() },
    },
    transform,
  );
}

/** How long a repeated warning or error is counted before its count is written. */
export const REPEAT_WINDOW_MS = 10_000;
/** Distinct lines followed at once; past them a line is written as it comes (memory stays bounded). */
const MAX_FOLLOWED = 1000;
const WARN = 40;

/**
 * pino's `logMethod` hook that writes a repeated warning or error (level 40 and above) once, then,
 * every `windowMs` while it goes on, one line with the count of the repeats not written. A line is
 * the same as an earlier one when its level, its logger's bindings, its message and its fields
 * (an error by its name, code and message) are. Children of the logger share it.
 */
export function limitRepeats(windowMs = REPEAT_WINDOW_MS) {
  const followed = new Map<string, { repeats: number }>();
  return function logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number): void {
    const key = level < WARN ? undefined : repeatKey(level, this.bindings(), args);
    if (key === undefined) return method.apply(this, args);
    const seen = followed.get(key);
    if (seen) {
      seen.repeats++;
      return;
    }
    method.apply(this, args);
    if (followed.size >= MAX_FOLLOWED) return;
    const entry = { repeats: 0 };
    followed.set(key, entry);
    const summarise = () => {
      if (entry.repeats === 0) {
        followed.delete(key);
        return;
      }
      method.apply(this, repeatSummary(args, entry.repeats, windowMs));
      entry.repeats = 0;
      setTimeout(summarise, windowMs).unref();
    };
    setTimeout(summarise, windowMs).unref();
  };
}

/** What makes two lines the same; undefined for fields JSON cannot write (such a line is never held back). */
function repeatKey(level: number, bindings: object, args: unknown[]): string | undefined {
  try {
    const fields = JSON.stringify(args, (_key, value: unknown) => (value instanceof Error ? errorKey(value) : value));
    return `${level}\u0000${JSON.stringify(bindings)}\u0000${fields}`.slice(0, 4000);
  } catch {
    return undefined;
  }
}

/** An error as far as repeats go: its name, code and message (not its stack, nor when it happened). */
function errorKey(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return `${error.name}:${typeof code === "string" || typeof code === "number" ? code : ""}:${error.message}`;
}

/** The line that sums up `repeats` repeats of the line logged with `args`. */
function repeatSummary(args: unknown[], repeats: number, windowMs: number): Parameters<LogFn> {
  const [first, ...rest] = args;
  const fields =
    first instanceof Error ? { err: first } : typeof first === "object" && first !== null ? { ...first } : {};
  const message =
    typeof first === "string"
      ? format(first, ...rest)
      : rest.length > 0
        ? format(...rest)
        : first instanceof Error
          ? first.message
          : "";
  return [
    { ...fields, repeated: repeats },
    `${message} (repeated ${repeats} more time${repeats === 1 ? "" : "s"} in ${windowMs / 1000} s)`,
  ];
}

/** One JSON line with every repeated key once, its last value in its first place. */
export function lastValueOfEachKey(line: string): string {
  try {
    return `${JSON.stringify(JSON.parse(line))}\n`;
  } catch {
    return line;
  }
}
