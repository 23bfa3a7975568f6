/**
 * Helpers for the CLI tests: temporary git repositories and a runner for the BUILT command
 * (dist/cli/main.js; build with `npx tsc -p tsconfig.build.json` first).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decisionOutputSchema } from "../../src/report/decision-schema.js";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = join(REPO_ROOT, "dist/cli/main.js");

/** git without the machine's global and system configuration, so tests see plain git. */
export function isolatedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", ...extra };
  delete env.NO_COLOR;
  delete env.GIT_DIR;
  delete env.GIT_WORK_TREE;
  return env;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npx tsc -p tsconfig.build.json" before the CLI tests`);
}

/** Runs `node dist/cli/main.js ...args` in `cwd`. */
export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = isolatedEnv()): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: "utf8" });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A stack trace line such as "    at Object.<anonymous> (file.js:1:2)". */
export const STACK_LINE = /^\s+at /m;

const tempDirs: string[] = [];

export function tempDir(prefix = "guardrails-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function writeFile(dir: string, path: string, content: string | Buffer): void {
  const full = join(dir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

/** A temporary repository on branch main with a local identity. */
export class TempRepo {
  readonly dir: string;

  constructor(dir?: string) {
    this.dir = dir ?? tempDir();
    if (!dir) {
      this.git("init", "-q", "-b", "main");
      this.git("config", "user.name", "Test Author");
      this.git("config", "user.email", "author@example.com");
      this.git("config", "commit.gpgsign", "false");
    }
  }

  git(...args: string[]): string {
    const result = spawnSync("git", args, { cwd: this.dir, env: isolatedEnv(), encoding: "utf8" });
    if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout;
  }

  write(files: Record<string, string | Buffer>): this {
    for (const [path, content] of Object.entries(files)) writeFile(this.dir, path, content);
    return this;
  }

  /** Writes the files, stages everything and commits with `message` (subject, blank line, body). */
  commit(message: string, files: Record<string, string | Buffer> = {}): this {
    this.write(files);
    this.git("add", "-A");
    this.git("commit", "-q", "--allow-empty", "-m", message);
    return this;
  }

  /** Creates `name` from `from` and checks it out. */
  branch(name: string, from = "main"): this {
    this.git("checkout", "-q", "-b", name, from);
    return this;
  }

  /** `git mv`, creating the destination's folder first. */
  move(from: string, to: string): this {
    mkdirSync(dirname(join(this.dir, to)), { recursive: true });
    this.git("mv", from, to);
    return this;
  }

  checkout(name: string): this {
    this.git("checkout", "-q", name);
    return this;
  }

  run(args: string[], env?: NodeJS.ProcessEnv): CliResult {
    return runCli(args, this.dir, env);
  }

  /** Runs `guardrails check --json ...args` and parses stdout (failing loudly when it is not JSON). */
  checkJson(args: string[]): { status: number | null; json: CheckJson; stderr: string } {
    const result = this.run(["check", "--json", ...args]);
    let json: CheckJson;
    try {
      json = JSON.parse(result.stdout) as CheckJson;
    } catch {
      throw new Error(`check --json printed no JSON (exit ${result.status}): ${result.stdout}${result.stderr}`);
    }
    // Every decision a test sees must keep the documented contract (schema/decision.schema.json).
    if (result.status === 0 || result.status === 1) {
      const checked = decisionOutputSchema.safeParse(json);
      if (!checked.success)
        throw new Error(`check --json output breaks src/cli/decision-schema.ts: ${checked.error.message}`);
    }
    return { status: result.status, json, stderr: result.stderr };
  }
}

export interface CheckJson {
  tier: string;
  conclusion: string;
  reasons: {
    kind: string;
    tier: string;
    message: string;
    rule?: string;
    files?: string[];
    pattern?: string;
    value?: string;
  }[];
  requirements: { kind: string; met: boolean; message: string; howTo: string; local: boolean; required?: number }[];
  policy: { source: string; path: string | null; ref: string | null; sha: string | null };
  size: { lines: number; files: number; ignoredFiles: number };
  agentAuthored: boolean;
  policyChanged: boolean;
  diff: {
    base: { ref: string; sha: string };
    head: { ref: string; sha: string; branch: string };
    mergeBase: string;
    files: number;
    renames: { from: string; to: string }[];
  };
}

/** `count` numbered lines, for files whose size matters. */
export function lines(count: number, prefix = "line"): string {
  return Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}\n`).join("");
}
