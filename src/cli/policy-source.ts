/**
 * Where `guardrails check` and `guardrails validate` get a policy: a file on disk, the policy file
 * at a git commit, or the built-in default. Problems come back as `FILE:LINE:COL: message` lines.
 */
import { readFileSync, readSync } from "node:fs";
import { builtInPolicy } from "../policy/default.js";
import { loadPolicy, MAX_POLICY_BYTES, type PolicyProblem } from "../policy/loader.js";
import { POLICY_PATH, type Policy } from "../policy/schema.js";
import { CliError } from "./errors.js";
import { readFileAtCommit, type Git } from "./git.js";
import type { CheckedPolicySource } from "../report/check-report.js";

export type { CheckedPolicySource };

export interface LoadedPolicy {
  policy: Policy;
  source: CheckedPolicySource;
}

/** `FILE:LINE:COL: message`, the format editors and CI annotate. */
export function problemLines(label: string, problems: readonly PolicyProblem[]): string[] {
  return problems.map((problem) => `${label}:${problem.line}:${problem.column}: ${problem.message}`);
}

/** Reads a policy file from disk; an unreadable file is a one-line CliError. */
export function readPolicyFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read policy file ${file}: ${describeFsError(error)}`);
  }
}

/**
 * `validate -`: the policy from standard input, read to one byte past the loader's size limit (the
 * loader then refuses it by its size, unparsed), so a pipe that never ends costs no more.
 */
export function readPolicyStdin(fd = 0): string {
  const buffer = Buffer.alloc(MAX_POLICY_BYTES + 1);
  let length = 0;
  try {
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0 || (length += read) >= buffer.length) break;
    }
  } catch (error) {
    // EOF on some platforms when stdin is closed; EAGAIN when it is a terminal with nothing typed.
    if ((error as NodeJS.ErrnoException).code !== "EOF")
      throw new CliError(`cannot read the policy from standard input: ${describeFsError(error)}`);
  }
  return buffer.subarray(0, length).toString("utf8");
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EISDIR":
      return "it is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default:
      return (error as Error).message ?? String(error);
  }
}

function parse(text: string, label: string, organization = false): Policy {
  const result = loadPolicy(text, { organization });
  if (result.ok) return result.policy;
  const count = result.problems.length;
  throw new CliError(
    `${label} is not a valid policy (${count} problem${count === 1 ? "" : "s"}):`,
    2,
    problemLines(label, result.problems),
  );
}

export function policyFromFile(file: string): LoadedPolicy {
  return { policy: parse(readPolicyFile(file), file), source: { source: "file", path: file, ref: null, sha: null } };
}

/** The policy file at the base commit, else the built-in default. */
export function policyFromRef(git: Git, ref: string, sha: string): LoadedPolicy {
  const label = `${ref}:${POLICY_PATH}`;
  const text = readFileAtCommit(git, sha, POLICY_PATH, label);
  if (text === undefined) return { policy: builtInPolicy(), source: { source: "built-in", path: null, ref, sha } };
  return { policy: parse(text, label), source: { source: "ref", path: POLICY_PATH, ref, sha } };
}

/** `--org-policy FILE`: the organisation policy (the owner's `.github` repository's), which may say `enforce`. */
export function organizationPolicyFromFile(file: string): LoadedPolicy {
  return {
    policy: parse(readPolicyFile(file), file, true),
    source: { source: "file", path: file, ref: null, sha: null },
  };
}
