import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { policyJsonSchema } from "../../src/policy/json-schema.js";
import { assertBuilt, removeTempDirs, runCli, tempDir } from "./helpers.js";

beforeAll(assertBuilt);
afterAll(removeTempDirs);

describe("guardrails schema", () => {
  it("prints policyJsonSchema() as indented JSON with a final newline", () => {
    const result = runCli(["schema"], tempDir());
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
    const parsed = JSON.parse(result.stdout) as { $schema: string; properties: Record<string, unknown> };
    expect(parsed).toEqual(policyJsonSchema());
    expect(Object.keys(parsed.properties)).toContain("rules");
  });
});
