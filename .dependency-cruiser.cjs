/**
 * The layering of src/, checked in CI (`npm run lint`). From the bottom up:
 *   markdown.ts (text helpers) < policy (the language) < engine (pure decisions)
 *   < overrides, state (codecs of what is kept on GitHub), render, reconcile (pure plans)
 *   < github (I/O only) < pipeline (one PR: gather, judge, plan, apply) < webhooks (events, schedule) < server.ts
 * Beside them, adapters that never touch the GitHub App's adapter: cli, web, audit, metrics, operations, http.
 */
const pure = "^src/(markdown\\.ts|policy|engine|overrides|state|render|reconcile|decision-json)";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "No import cycles.", from: {}, to: { circular: true } },
    {
      name: "policy-is-the-bottom",
      severity: "error",
      comment: "The policy language imports nothing of ours but the text helpers.",
      from: { path: "^src/policy/" },
      to: { path: "^src/", pathNot: "^src/(policy/|markdown\\.ts)" },
    },
    {
      name: "engine-only-policy",
      severity: "error",
      comment: "The engine is pure: it knows the policy language and nothing above it.",
      from: { path: "^src/engine/" },
      to: { path: "^src/", pathNot: "^src/(engine/|policy/|markdown\\.ts)" },
    },
    {
      name: "pure-core-no-io",
      severity: "error",
      comment: "Pure layers never import an adapter, the pipeline or the webhooks.",
      from: { path: pure },
      to: {
        path: "^src/(github|pipeline|webhooks|http|cli|web|audit|metrics|operations|enforcement)/|^src/(server|config|logger)\\.ts",
      },
    },
    {
      name: "github-adapter-only-from-pipeline",
      severity: "error",
      comment: "The GitHub App's adapter is used by the pipeline, the webhooks and server.ts only.",
      from: { path: "^src/", pathNot: "^src/(github/|pipeline/|webhooks/|server\\.ts)" },
      to: { path: "^src/github/" },
    },
    {
      name: "pipeline-only-from-webhooks",
      severity: "error",
      comment: "One PR's pipeline is run by the webhooks (and wired in server.ts).",
      from: { path: "^src/", pathNot: "^src/(pipeline/|webhooks/|server\\.ts)" },
      to: { path: "^src/pipeline/" },
    },
    {
      name: "webhooks-only-from-server",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(webhooks/|server\\.ts)" },
      to: { path: "^src/webhooks/" },
    },
    {
      name: "github-adapter-does-io-only",
      severity: "error",
      comment: "The adapter does not call up into the pipeline or the webhooks.",
      from: { path: "^src/github/" },
      to: { path: "^src/(pipeline|webhooks|cli|web|audit|operations)/" },
    },
    {
      name: "cli-not-from-others",
      severity: "error",
      comment: "The command line is a leaf adapter: what others share with it lives below it.",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/web/client/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".d.ts", ".js"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
