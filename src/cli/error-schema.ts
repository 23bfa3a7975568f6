/**
 * What a command given --json prints on stdout when it cannot do its work (exit 2): a contract like
 * the decision's, generated into schema/error.schema.json (`guardrails schema --error`); the same
 * message and problem lines also go to stderr.
 */
import { z } from "zod";
import { CliError } from "./errors.js";
import type { Io } from "./io.js";

export const ERROR_OUTPUT_VERSION = 1;

export const errorOutputSchema = z
  .strictObject({
    version: z.literal(ERROR_OUTPUT_VERSION).meta({ description: "The version of this output format: 1." }),
    error: z.strictObject({
      message: z.string().meta({ description: "One line: what went wrong (as on stderr)." }),
      problems: z.array(z.string()).meta({
        description:
          "The lines after the message, e.g. an invalid policy's problems as FILE:LINE:COL: message (empty when there are none).",
      }),
    }),
  })
  .meta({
    title: "guardrails --json error",
    description:
      "What `check --json`, `validate --json` and `doctor --json` print instead of their output when they cannot run.",
  });

export type ErrorOutput = z.infer<typeof errorOutputSchema>;

export function renderJsonError(error: CliError): string {
  const output: ErrorOutput = {
    version: ERROR_OUTPUT_VERSION,
    error: { message: error.message, problems: [...error.details] },
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}

/** The JSON Schema of the error output (schema/error.schema.json). */
export function errorJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(errorOutputSchema, { io: "output", target: "draft-7" });
}

/** Runs a command's work; with --json, a CliError also prints the error output on stdout (then goes on to stderr). */
export function withJsonErrors<T extends number | Promise<number>>(
  json: boolean,
  io: Pick<Io, "stdout">,
  work: () => T,
): T {
  if (!json) return work();
  const onError = (error: unknown): never => {
    if (error instanceof CliError) io.stdout(renderJsonError(error));
    throw error;
  };
  try {
    const result = work();
    return (result instanceof Promise ? result.catch(onError) : result) as T;
  } catch (error) {
    return onError(error);
  }
}
