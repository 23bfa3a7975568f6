#!/usr/bin/env node
/** The `guardrails` executable (package.json "bin"): runs the program with the process's I/O. */
import { processIo } from "./io.js";
import { run } from "./run.js";

// A closed pipe (`guardrails schema | head`) is not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

const result = run(process.argv.slice(2), processIo());
if (typeof result === "number") process.exitCode = result;
else void result.then((code) => (process.exitCode = code));
