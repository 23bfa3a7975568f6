/**
 * The command line tried as a new user would (issue 21, item 6), through the built command
 * (dist/cli/main.js): help that names every option, did-you-mean, `validate -` and `--json`, the
 * documented --json error, wording that says what it counts, and docs/policy.md's CLI table.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { errorJsonSchema, errorOutputSchema } from "../../src/cli/error-schema.js";
import { assertBuilt, CLI, isolatedEnv, removeTempDirs, runCli, TempRepo, tempDir, writeFile } from "./helpers.js";

beforeAll(assertBuilt);
afterAll(removeTempDirs);

const BROKEN = "version: 1\nrules:\n  - name: docs\n    tier: lowest\n    paths: [docs/**]\n";

function withStdin(args: string[], input: string, cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, env: isolatedEnv(), input, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("help names every option", () => {
  it("audit --help's and schema --help's usage lines name --app-id, --decision and --error", () => {
    const dir = tempDir();
    expect(runCli(["audit", "--help"], dir).stdout.split("\n")[0]).toContain("--app-id ID");
    expect(runCli(["schema", "--help"], dir).stdout.split("\n")[0]).toBe(
      "Usage: guardrails schema [--decision | --error]",
    );
    expect(runCli(["--help"], dir).stdout).toMatch(/\n {2}doctor {14}Tell whether a repository is really guarded/);
  });
});

describe("did you mean", () => {
  it("suggests the closest command or option within two edits, and nothing for a word far from any", () => {
    const dir = tempDir();
    expect(runCli(["chek"], dir).stderr).toBe(
      'guardrails: unknown command "chek" (did you mean check?) (commands: validate, check, schema, audit, doctor, playground) (see guardrails --help)\n',
    );
    expect(runCli(["help", "docter"], dir).stderr).toMatch(/unknown command "docter" \(did you mean doctor\?\)/);
    expect(runCli(["--verison"], dir).stderr).toMatch(/unknown option --verison \(did you mean --version\?\)/);
    const option = runCli(["check", "--jsno"], dir);
    expect(option).toMatchObject({ status: 2 });
    expect(option.stderr).toBe(
      "guardrails check: unknown option --jsno (did you mean --json?) (see guardrails check --help)\n",
    );
    expect(runCli(["validate", "--orgs"], dir).stderr).toMatch(/unknown option --orgs \(did you mean --org\?\)/);
    expect(runCli(["frobnicate"], dir).stderr).not.toMatch(/did you mean/);
    expect(runCli(["check", "--everything"], dir).stderr).not.toMatch(/did you mean/);
  });
});

describe("validate - and validate --json", () => {
  it("reads standard input with -, naming it <stdin> in problems", () => {
    const dir = tempDir();
    expect(withStdin(["validate", "-"], "version: 1\n", dir)).toEqual({
      status: 0,
      stdout: "<stdin>: ok\n",
      stderr: "",
    });
    const broken = withStdin(["validate", "-"], BROKEN, dir);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/^<stdin>:4:11: rules\[0\]\.tier: /);
    // A pipe past the size limit is read no further than the limit, and refused by its size.
    const huge = withStdin(["validate", "-"], `version: 1\n#${"x".repeat(300 * 1024)}\n`, dir);
    expect(huge.stdout).toBe("<stdin>:1:1: the policy is larger than 256 KiB\n");
    expect(runCli(["validate", "-", "-"], dir).stderr).toMatch(/standard input \(-\) can be read only once/);
  });

  it("--json prints one object: each file valid or not, its problems at line and column, or why it could not be read", () => {
    const dir = tempDir();
    writeFile(dir, "ok.yml", "version: 1\n");
    writeFile(dir, "broken.yml", BROKEN);
    const result = runCli(["validate", "--json", "ok.yml", "broken.yml", "missing.yml"], dir);
    expect(result.status).toBe(1);
    const output = JSON.parse(result.stdout) as { version: number; files: Record<string, unknown>[] };
    expect(output.version).toBe(1);
    expect(output.files).toEqual([
      { file: "ok.yml", ok: true, problems: [] },
      {
        file: "broken.yml",
        ok: false,
        problems: [
          expect.objectContaining({ line: 4, column: 11, message: expect.stringMatching(/^rules\[0\]\.tier: /) }),
        ],
      },
      { file: "missing.yml", ok: false, problems: [], error: "cannot read policy file missing.yml: no such file" },
    ]);
    expect(runCli(["validate", "--json", "ok.yml"], dir)).toMatchObject({ status: 0 });
  });
});

describe("the --json error output", () => {
  it("is committed as generated (schema/error.schema.json = guardrails schema --error)", () => {
    const committed = JSON.parse(
      readFileSync(new URL("../../schema/error.schema.json", import.meta.url), "utf8"),
    ) as unknown;
    expect(committed).toEqual(errorJsonSchema());
    expect(JSON.parse(runCli(["schema", "--error"], tempDir()).stdout)).toEqual(errorJsonSchema());
  });

  it("is what check --json prints for an invalid base policy, strictly, with the problem lines (exit 2)", () => {
    const repo = new TempRepo()
      .commit("init", { ".github/guardrails.yml": BROKEN })
      .branch("f")
      .commit("x", { "a.txt": "a\n" });
    const result = repo.run(["check", "--json", "--base", "main"]);
    expect(result.status).toBe(2);
    const output = errorOutputSchema.parse(JSON.parse(result.stdout));
    expect(output.error.message).toBe("main:.github/guardrails.yml is not a valid policy (1 problem):");
    expect(output.error.problems).toEqual([expect.stringMatching(/^main:\.github\/guardrails\.yml:4:11: /)]);
    expect(result.stderr.split("\n")[0]).toBe(
      "guardrails check: main:.github/guardrails.yml is not a valid policy (1 problem):",
    );
  });

  it("is documented in docs/cli.md", () => {
    const docs = readFileSync(new URL("../../docs/cli.md", import.meta.url), "utf8");
    expect(docs).toContain("## `--json` errors");
    expect(docs).toContain("schema/error.schema.json");
  });
});

describe("check's wording", () => {
  it("counts the size.ignore'd changes as files, and labels an organisation policy deciding alone as --org-policy", () => {
    const policy = "version: 1\nsize:\n  ignore: ['**/*.lock']\n";
    const repo = new TempRepo()
      .commit("init", { "README.md": "x\n" })
      .branch("f")
      .commit("deps", { "a.lock": "1\n2\n", "b.lock": "1\n", "src/a.ts": "a\n" });
    const orgDir = tempDir();
    writeFile(orgDir, "org.yml", policy);
    const result = repo.run(["check", "--base", "main", "--org-policy", join(orgDir, "org.yml")]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/3 changed files, 1 line \(2 files not counted: size\.ignore\)/);
    expect(result.stdout).toContain(`Policy: ${join(orgDir, "org.yml")} (--org-policy)`);
    expect(result.stdout).not.toContain("(--policy)");
  });

  it("does not say GitHub listed the files of a local diff past 3000 files", () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3001; i++) files[`f/${i}.txt`] = `${i}\n`;
    const repo = new TempRepo().commit("init", { "README.md": "x\n" }).branch("big").commit("many", files);
    const result = repo.run(["check", "--base", "main"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("only the first 3000 changed files were listed; the list is incomplete");
    expect(result.stdout).not.toMatch(/GitHub listed/);
  });
});

describe("docs/policy.md's command table", () => {
  it("lists every command and every requirement kind", () => {
    const docs = readFileSync(new URL("../../docs/policy.md", import.meta.url), "utf8");
    const table = docs.slice(docs.indexOf("## Command line"));
    for (const command of ["validate", "check", "schema", "audit", "doctor", "playground"])
      expect(table).toMatch(new RegExp(`\\| \`guardrails ${command}\\b`));
    const kinds = /\| `requirements\[\]\.kind` \| (.*) \|/.exec(table)?.[1] ?? "";
    for (const kind of [
      "approvals",
      "approvers",
      "codeowners",
      "tests",
      "ticket",
      "checklist",
      "changes_requested",
      "proposed_policy",
    ])
      expect(kinds).toContain(`\`${kind}\``);
  });
});
