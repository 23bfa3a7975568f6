/**
 * The server's logger: Probot's own output (pretty text, or JSON lines in production; Sentry when
 * SENTRY_DSN is set), with one change. pino writes each child logger's bindings after its
 * parent's, and Probot binds `name` at every level (`probot`, then `event`, `github`, …), so a
 * JSON line carried `"name"` two or three times, which strict JSON readers (Elasticsearch's among
 * them) refuse. Each line now names every key once, with the last, most specific value.
 */
import { getTransformStream } from "@probot/pino";
import { pino, type Logger } from "pino";

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
    { level: options.level, messageKey: options.messageKey ?? "msg", hooks: { streamWrite: lastValueOfEachKey } },
    transform,
  );
}

/** One JSON line with every repeated key once, its last value in its first place. */
export function lastValueOfEachKey(line: string): string {
  try {
    return `${JSON.stringify(JSON.parse(line))}\n`;
  } catch {
    return line;
  }
}
