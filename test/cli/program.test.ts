import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import {
  assertBuilt,
  isolatedEnv,
  REPO_ROOT,
  removeTempDirs,
  runCli,
  STACK_LINE,
  tempDir,
  TempRepo,
} from "./helpers.js";

let cwd: string;
beforeAll(() => {
  assertBuilt();
  cwd = tempDir();
});
afterAll(removeTempDirs);

describe("guardrails (program)", () => {
  it("starts with a node shebang so npm can link it as a bin", () => {
    expect(readFileSync(join(REPO_ROOT, "dist/cli/main.js"), "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("runs as the `guardrails` bin npm links (package.json's bin, executed through its shebang from PATH) in any git repository", () => {
    const { bin } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      bin: Record<string, string>;
    };
    const binDir = tempDir("guardrails-bin-");
    symlinkSync(join(REPO_ROOT, bin.guardrails!), join(binDir, "guardrails"));
    const repo = new TempRepo().commit("Add the policy", { ".github/guardrails.yml": "version: 1\n" });
    const result = spawnSync("guardrails", ["validate"], {
      cwd: repo.dir,
      env: isolatedEnv({ PATH: `${binDir}:${process.env.PATH}` }),
      encoding: "utf8",
    });
    expect(result.error).toBeUndefined();
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 0,
      stdout: ".github/guardrails.yml: ok\n",
      stderr: "",
    });
  });

  it("--version prints package.json's version", () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const result = runCli([flag], cwd);
      expect(result).toEqual({ status: 0, stdout: `${version}\n`, stderr: "" });
    }
  });

  it("--help lists the commands on stdout", () => {
    const result = runCli(["--help"], cwd);
    expect(result.status).toBe(0);
    for (const command of ["validate", "check", "schema"]) expect(result.stdout).toContain(`  ${command}`);
  });

  it.each([
    ["validate", "FILE:LINE:COL"],
    ["check", "--strict"],
    ["schema", "JSON Schema"],
  ])("%s --help and help %s describe the command", (command, expected) => {
    const viaFlag = runCli([command, "--help"], cwd);
    expect(viaFlag.status).toBe(0);
    expect(viaFlag.stdout).toContain(`Usage: guardrails ${command}`);
    expect(viaFlag.stdout).toContain(expected);
    expect(runCli(["help", command], cwd).stdout).toBe(viaFlag.stdout);
  });

  it("check --help documents where each fact comes from", () => {
    const help = runCli(["check", "--help"], cwd).stdout;
    for (const option of [
      "--base",
      "--head",
      "--policy",
      "--json",
      "--strict",
      "--author",
      "--title",
      "--body",
      "--branch",
      "--label",
    ]) {
      expect(help).toContain(option);
    }
    expect(help).toMatch(/no reviews/);
    expect(help).toMatch(/Co-authored-by/);
    expect(help).toMatch(/built-in default/);
  });

  it.each([
    [[], /Usage: guardrails/],
    [["deploy"], /^guardrails: unknown command "deploy"/],
    [["--frobnicate"], /^guardrails: unknown option --frobnicate/],
    [["check", "--frobnicate"], /^guardrails check: unknown option --frobnicate \(see guardrails check --help\)\n$/],
    [["check", "--base"], /^guardrails check: option --base needs a value/],
    [["check", "--base", "--json"], /^guardrails check: option --base needs a value/],
    [["check", "--json=yes"], /^guardrails check: option --json does not take a value/],
    [["check", "extra"], /^guardrails check: unexpected argument "extra"/],
    [["check", "--base="], /^guardrails check: --base needs a non-empty value/],
    [["schema", "now"], /^guardrails schema: unexpected argument "now"/],
  ])("usage error %j exits 2 with one line and no stack trace", (args, message) => {
    const result = runCli(args, cwd);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(STACK_LINE);
    if (args.length > 0) expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
