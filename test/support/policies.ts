/** Policies shared by the app's tests (in-process and end-to-end); no test machinery, so importing them loads no nock. */

/** A lax policy: everything low, nothing required (what a PR author would like the policy to say). */
export const LAX = `version: 1
default_tier: low
tiers:
  low: {}
  medium: {}
  high: {}
`;

/** A small policy: docs are low, auth is high with a two-item checklist, the rest medium. */
export const POLICY = `version: 1
default_tier: medium
rules:
  - name: docs
    tier: low
    paths: ["docs/**", "**/*.md"]
  - name: auth
    tier: high
    paths: ["src/auth/**"]
tiers:
  low: {}
  medium:
    approvals: 1
  high:
    approvals: 1
    checklist:
      - Rollback plan is described in the PR
      - Dashboards and alerts cover the change
labels:
  prefix: "risk:"
`;

export const CHECKLIST = ["Rollback plan is described in the PR", "Dashboards and alerts cover the change"];

/** Docs low, auth high, one approval above low, no labels: the shared-head tests' policy. */
export const DOCS_AUTH = `version: 1
default_tier: medium
rules:
  - name: docs
    tier: low
    paths: ["docs/**"]
  - name: auth
    tier: high
    paths: ["src/auth/**"]
tiers:
  low: {}
  medium: { approvals: 1 }
  high: { approvals: 1 }
labels: { prefix: false }
`;
