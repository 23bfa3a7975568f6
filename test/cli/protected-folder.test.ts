/** The CLI protects a folder's own path as the app does: a submodule bump or a file replacing `src/auth`. */
import { afterAll, describe, expect, it } from "@jest/globals";
import { assertBuilt, removeTempDirs, TempRepo } from "./helpers.js";

afterAll(removeTempDirs);

const POLICY = `version: 1
default_tier: low
rules:
  - name: auth
    tier: high
    paths: ["src/auth/**"]
tiers: { low: {}, medium: {}, high: {} }
`;

describe("guardrails check and a protected folder's own path", () => {
  it("a submodule bump at a protected folder's path is high", () => {
    assertBuilt();
    const repo = new TempRepo().commit("init", { ".github/guardrails.yml": POLICY, "README.md": "x\n" });
    repo.branch("bump");
    // A gitlink (mode 160000) at src/auth, as a submodule update records it.
    repo.git("update-index", "--add", "--cacheinfo", `160000,${"1".repeat(40)},src/auth`);
    repo.git("commit", "-q", "-m", "Bump the auth submodule");
    const { json } = repo.checkJson(["--base", "main", "--head", "bump"]);
    expect(json.tier).toBe("high");
    expect(json.reasons).toContainEqual(expect.objectContaining({ kind: "rule", rule: "auth", files: ["src/auth"] }));
  });

  it("a file that replaces the folder is high", () => {
    const repo = new TempRepo().commit("init", { ".github/guardrails.yml": POLICY, "README.md": "x\n" });
    repo.branch("file").commit("A file where the folder would be", { "src/auth": "redirect\n" });
    expect(repo.checkJson(["--base", "main", "--head", "file"]).json.tier).toBe("high");
  });
});
