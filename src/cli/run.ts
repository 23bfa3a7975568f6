/**
 * The program: picks the command, runs it, and turns every failure into one line on stderr and an
 * exit code. Nothing escapes as a stack trace (GUARDRAILS_DEBUG=1 adds the stack of an internal error).
 */
import { auditCommand } from "./commands/audit.js";
import { checkCommand } from "./commands/check.js";
import { doctorCommand } from "./commands/doctor.js";
import { playgroundCommand } from "./commands/playground.js";
import { schemaCommand } from "./commands/schema.js";
import { validateCommand } from "./commands/validate.js";
import { CliError, EXIT, UsageError } from "./errors.js";
import {
  AUDIT_HELP,
  CHECK_HELP,
  DOCTOR_HELP,
  PLAYGROUND_HELP,
  PROGRAM_HELP,
  SCHEMA_HELP,
  VALIDATE_HELP,
} from "./help.js";
import type { Io } from "./io.js";
import { didYouMean } from "./suggest.js";
import { packageVersion } from "./version.js";

/** A command answers at once, or later when it talks to GitHub (`audit`). */
type Command = (args: string[], io: Io) => number | Promise<number>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  validate: { run: validateCommand, help: VALIDATE_HELP },
  check: { run: checkCommand, help: CHECK_HELP },
  schema: { run: schemaCommand, help: SCHEMA_HELP },
  audit: { run: auditCommand, help: AUDIT_HELP },
  doctor: { run: doctorCommand, help: DOCTOR_HELP },
  playground: { run: playgroundCommand, help: PLAYGROUND_HELP },
};

export function run(argv: string[], io: Io): number | Promise<number> {
  try {
    const result = dispatch(argv, io);
    return typeof result === "number" ? result : result.catch((error: unknown) => report(error, argv, io));
  } catch (error) {
    return report(error, argv, io);
  }
}

function dispatch(argv: string[], io: Io): number | Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr(PROGRAM_HELP);
    return EXIT.error;
  }
  if (first === "-h" || first === "--help") {
    io.stdout(PROGRAM_HELP);
    return EXIT.ok;
  }
  if (first === "-V" || first === "--version") {
    io.stdout(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  if (first === "help") {
    const topic = rest[0];
    if (topic === undefined) {
      io.stdout(PROGRAM_HELP);
      return EXIT.ok;
    }
    const command = Object.hasOwn(COMMANDS, topic) ? COMMANDS[topic] : undefined;
    if (!command) throw new UsageError(`unknown command "${topic}"${didYouMean(topic, Object.keys(COMMANDS))}`);
    io.stdout(command.help);
    return EXIT.ok;
  }
  if (first.startsWith("-"))
    throw new UsageError(`unknown option ${first}${didYouMean(first, ["--help", "--version"])}`);
  const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (!command)
    throw new UsageError(
      `unknown command "${first}"${didYouMean(first, Object.keys(COMMANDS))} (commands: ${Object.keys(COMMANDS).join(", ")})`,
    );
  return command.run(rest, io);
}

function report(error: unknown, argv: string[], io: Io): number {
  if (error instanceof UsageError) {
    const name = error.command ? `guardrails ${error.command}` : "guardrails";
    io.stderr(`${name}: ${error.message} (see ${name} --help)\n`);
    return error.exitCode;
  }
  const command = argv[0] && Object.hasOwn(COMMANDS, argv[0]) ? `guardrails ${argv[0]}` : "guardrails";
  if (error instanceof CliError) {
    io.stderr(`${command}: ${error.message}\n${error.details.map((line) => `${line}\n`).join("")}`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`${command}: internal error: ${message.split("\n")[0]}\n`);
  if (io.env.GUARDRAILS_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return EXIT.error;
}
