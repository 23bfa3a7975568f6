/**
 * Argument handling: node's util.parseArgs, strict, with its errors turned into one-line usage
 * errors that name the command.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";
import { didYouMean } from "./suggest.js";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** Every command accepts --help. */
const HELP: OptionSpecs = { help: { type: "boolean", short: "h" } };

export function parseCommandArgs(
  command: string,
  args: string[],
  options: OptionSpecs,
  maxPositionals: number,
): ParsedArgs {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({ args, options: { ...HELP, ...options }, strict: true, allowPositionals: true }) as ParsedArgs;
  } catch (error) {
    throw new UsageError(describeParseError(error, Object.keys({ ...HELP, ...options })), command);
  }
  if (parsed.values.help) return parsed;
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals
      .slice(maxPositionals)
      .map((p) => JSON.stringify(p))
      .join(" ");
    throw new UsageError(
      `unexpected argument${parsed.positionals.length - maxPositionals === 1 ? "" : "s"} ${extra}`,
      command,
    );
  }
  for (const [name, spec] of Object.entries(options)) {
    if (spec.type !== "string") continue;
    const raw = parsed.values[name];
    const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    if (list.some((value) => value === "")) throw new UsageError(`--${name} needs a non-empty value`, command);
  }
  return parsed;
}

/** parseArgs' messages are long and suggest `--` tricks; say the essential in a few words. */
function describeParseError(error: unknown, known: string[]): string {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
  const option = /--[A-Za-z0-9][A-Za-z0-9-]*/.exec(quoted)?.[0] ?? /-[A-Za-z0-9]/.exec(quoted)?.[0] ?? quoted;
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${option}${
        option.startsWith("--")
          ? didYouMean(
              option,
              known.map((name) => `--${name}`),
            )
          : ""
      }`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take/.test(message)) return `option ${option} does not take a value`;
      if (/ambiguous/.test(message))
        return `option ${option} needs a value (write ${option}=VALUE for a value that starts with "-")`;
      return `option ${option} needs a value`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${quoted}`;
    default:
      return message.split("\n")[0]!;
  }
}

export function stringOption(values: ParsedArgs["values"], name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

export function stringList(values: ParsedArgs["values"], name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export function flag(values: ParsedArgs["values"], name: string): boolean {
  return values[name] === true;
}
