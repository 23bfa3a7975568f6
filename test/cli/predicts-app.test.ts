/**
 * The CLI predicts the app: a diff past GitHub's 3000-file list is high (reason incomplete), as
 * the app decides; --json prints JSON on stdout even when the base policy is broken; text output
 * escapes control characters of file names as the check renderer does.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { assertBuilt, removeTempDirs, TempRepo } from "./helpers.js";

afterAll(removeTempDirs);

const POLICY = "version: 1\ndefault_tier: low\ntiers: { low: {}, medium: {}, high: { approvals: 1 } }\n";

describe("guardrails check predicts the app", () => {
  it("a diff of more than 3000 files is high, as the app's incomplete list", () => {
    assertBuilt();
    const repo = new TempRepo().commit("init", { ".github/guardrails.yml": POLICY });
    const files = Object.fromEntries(Array.from({ length: 3001 }, (_, i) => [`docs/f${i}.md`, `${i}\n`]));
    repo.branch("many").commit("Many docs", files);
    const { json, status } = repo.checkJson(["--base", "main", "--head", "many"]);
    expect(status).toBe(0);
    expect(json.tier).toBe("high");
    expect(json.reasons).toContainEqual(expect.objectContaining({ kind: "incomplete", tier: "high", fileCount: 3000 }));
    expect(json.diff.files).toBe(3001);
  });

  it("--json with a broken base policy prints a JSON error on stdout and exits 2", () => {
    const repo = new TempRepo().commit("init", { ".github/guardrails.yml": "version: 1\ndefault_tier: meduim\n" });
    repo.branch("x").commit("x", { "a.txt": "a\n" });
    const result = repo.run(["check", "--json", "--base", "main", "--head", "x"]);
    expect(result.status).toBe(2);
    const output = JSON.parse(result.stdout) as { version: number; error: { message: string; problems: string[] } };
    expect(output.version).toBe(1);
    expect(output.error.message).toContain("is not a valid policy");
    expect(output.error.problems).toEqual([
      expect.stringMatching(
        /:2:15: default_tier: expected one of low, medium, high, got "meduim" \(did you mean "medium"\?\)$/,
      ),
    ]);
    expect(result.stderr).toContain("is not a valid policy");
  });

  it("escapes control characters of file names in the text output", () => {
    const repo = new TempRepo().commit("init", { ".github/guardrails.yml": POLICY });
    repo.branch("odd").commit("Odd names", { "docs/line\nbreak.md": "x\n", "docs/esc\u001b[31mred.md": "y\n" });
    const text = repo.run(["check", "--base", "main", "--head", "odd"]).stdout;
    expect(text).toContain("docs/line\\nbreak.md");
    expect(text).toContain("docs/esc\\u001b[31mred.md");
    expect(text).not.toContain("\u001b[31m");
    expect(text.split("\n").some((line) => line.startsWith("break.md"))).toBe(false);
  });
});
