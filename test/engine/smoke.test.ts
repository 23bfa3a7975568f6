import { describe, expect, it } from "@jest/globals";
import { loadPolicy } from "../../src/policy/loader.js";
import { evaluate } from "../../src/engine/evaluate.js";

describe("smoke", () => {
  it("evaluates a docs-only PR as low", () => {
    const loaded = loadPolicy("version: 1\nrules:\n  - name: docs\n    tier: low\n    paths: ['docs/**']\n");
    if (!loaded.ok) throw new Error("policy");
    const decision = evaluate(loaded.policy, {
      headSha: "abc",
      author: { login: "dev", isBot: false },
      title: "t",
      body: "",
      headBranch: "b",
      files: [{ path: "docs/a.md", status: "modified", additions: 1, deletions: 0 }],
      filesComplete: true,
      labels: [],
      reviews: [],
      teamMembers: {},
      coAuthors: [],
      checklist: [],
    });
    expect(decision.tier).toBe("low");
    expect(decision.conclusion).toBe("success");
  });
});
