import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadPolicy } from "../../src/policy/loader.js";
import { assertBuilt, REPO_ROOT, removeTempDirs, runCli, STACK_LINE, tempDir, writeFile } from "./helpers.js";

const VALID = `version: 1
rules:
  - name: auth
    tier: high
    paths: ["src/auth/**"]
`;

// Five problems: a wrong version, a misspelt key, a bad rule name, an unknown tier, a negated glob.
const BROKEN = `version: 2
rulez: []
rules:
  - name: Auth
    tier: huge
    paths: ["!src/auth/**"]
`;

let dir: string;
beforeAll(() => {
  assertBuilt();
  dir = tempDir();
  writeFile(dir, "valid.yml", VALID);
  writeFile(dir, "broken.yml", BROKEN);
  writeFile(dir, "syntax.yml", "version: 1\nrules: [\n");
  writeFile(dir, ".github/guardrails.yml", VALID);
  writeFile(dir, "folder/.keep", "");
});
afterAll(removeTempDirs);

describe("guardrails validate", () => {
  it("accepts a valid file with exit 0 and one ok line", () => {
    expect(runCli(["validate", "valid.yml"], dir)).toEqual({ status: 0, stdout: "valid.yml: ok\n", stderr: "" });
  });

  it("validates .github/guardrails.yml by default", () => {
    expect(runCli(["validate"], dir)).toEqual({ status: 0, stdout: ".github/guardrails.yml: ok\n", stderr: "" });
  });

  it("prints every problem at once as FILE:LINE:COL: message and exits 1", () => {
    const result = runCli(["validate", "broken.yml"], dir);
    expect(result.status).toBe(1);
    const printed = result.stdout.trimEnd().split("\n");
    expect(printed.map((line) => /^[^:]+:\d+:\d+: /.exec(line)?.[0])).toEqual([
      "broken.yml:1:10: ",
      "broken.yml:2:1: ",
      "broken.yml:4:11: ",
      "broken.yml:5:11: ",
      "broken.yml:6:13: ",
    ]);
    expect(printed[1]).toContain('unknown key "rulez"');
    expect(printed[4]).toContain("!src/auth/**");
    // The messages are the loader's, unchanged.
    const loaded = loadPolicy(BROKEN);
    if (loaded.ok) throw new Error("the broken policy loaded");
    expect(printed).toEqual(loaded.problems.map((p) => `broken.yml:${p.line}:${p.column}: ${p.message}`));
  });

  it("reports a YAML syntax error with its position", () => {
    const result = runCli(["validate", "syntax.yml"], dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^syntax\.yml:\d+:\d+: YAML: /);
  });

  it("keeps the path as given, relative or absolute", () => {
    const absolute = join(dir, "broken.yml");
    const result = runCli(["validate", absolute], dir);
    expect(result.status).toBe(1);
    expect(result.stdout.split("\n")[0]).toMatch(
      new RegExp(`^${absolute.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:1:10: `),
    );
  });

  it("validates several files and exits with the worst result", () => {
    const result = runCli(["validate", "valid.yml", "broken.yml"], dir);
    expect(result.status).toBe(1);
    expect(result.stdout.split("\n")[0]).toBe("valid.yml: ok");
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(6);
  });

  it.each([
    ["missing.yml", "cannot read policy file missing.yml: no such file"],
    ["folder", "cannot read policy file folder: it is a directory"],
  ])("an unreadable file (%s) is one clear line and exit 1: not valid", (file, message) => {
    const result = runCli(["validate", file], dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`guardrails validate: ${message}\n`);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it("accepts every policy in examples/", () => {
    const examples = join(REPO_ROOT, "examples");
    const files = readdirSync(examples)
      .filter((name) => name.endsWith(".yml") || name.endsWith(".yaml"))
      .sort();
    if (files.length === 0) throw new Error("examples/ holds no .yml policy: the issue asks for at least three");
    for (const file of files) {
      // The organisation policy example goes in the owner's .github repository: validated as such.
      const result = runCli(["validate", ...(file === "organization.yml" ? ["--org"] : []), join(examples, file)], dir);
      expect({ file, status: result.status, output: result.stdout + result.stderr }).toEqual({
        file,
        status: 0,
        output: `${join(examples, file)}: ok\n`,
      });
    }
  });
});
