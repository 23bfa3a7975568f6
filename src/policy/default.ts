/**
 * The built-in default policy: it serves repositories that have no `.github/guardrails.yml` and
 * whose owner has none in its `.github` repository. docs/policy.md shows the same text (a test
 * keeps them equal).
 */
import { loadPolicy } from "./loader.js";
import type { Policy } from "./schema.js";

export const BUILT_IN_POLICY_YAML = `version: 1
default_tier: medium
rules:
  - name: docs
    description: Documentation only
    tier: low
    paths: ["docs/**", "**/*.md", "**/*.mdx", "**/*.rst", "LICENSE*"]
  - name: ci-and-ownership
    description: CI workflows and code ownership decide what runs and who reviews
    tier: high
    paths: [".github/workflows/**", ".github/actions/**", "**/CODEOWNERS"]
  - name: agent-instructions
    description: Instructions that steer AI coding agents
    tier: high
    paths:
      - AGENTS.md
      - "**/AGENTS.md"
      - CLAUDE.md
      - "**/CLAUDE.md"
      - .github/copilot-instructions.md
      - ".github/instructions/**"
      - ".cursor/rules/**"
size:
  ignore: ["**/package-lock.json", "**/yarn.lock", "**/pnpm-lock.yaml", "**/*.lock", "**/*.snap", "**/go.sum"]
  medium: { lines: 200, files: 20 }
  high: { lines: 1000, files: 100 }
agents:
  authors: ["*[bot]", "copilot-swe-agent", "devin-ai-integration"]
  co_authors: ["*copilot*", "*claude*", "*cursor*", "*devin*", "*codex*"]
  min_tier: medium
tiers:
  low: {}
  medium:
    approvals: 1
    tests: true
  high:
    approvals: 2
    tests: true
    checklist:
      - Rollback plan is described in the PR
labels:
  prefix: "risk:"
`;

let builtIn: Policy | undefined;

export function builtInPolicy(): Policy {
  if (!builtIn) {
    const result = loadPolicy(BUILT_IN_POLICY_YAML);
    if (!result.ok) throw new Error(`the built-in policy is invalid: ${JSON.stringify(result.problems)}`);
    builtIn = result.policy;
  }
  return builtIn;
}
