/**
 * CODEOWNERS benchmark (issue 10): the 3000-file monorepo PR of bench/engine.ts against its
 * 200-rule policy with `codeowners: true`, and a 500-line CODEOWNERS written the way monorepos
 * write them: a default owner, `*.ext` lines, `/dir/` and `dir/**` lines per service and
 * package, `**` + `/name` lines, a few wildcard lines, teams and users.
 */
import { parseCodeOwners, type CodeOwners } from "../src/policy/codeowners.js";

const EXTENSIONS = [
  "go",
  "tf",
  "sql",
  "yml",
  "yaml",
  "json",
  "sh",
  "py",
  "rb",
  "java",
  "kt",
  "swift",
  "proto",
  "graphql",
  "css",
  "scss",
  "html",
  "vue",
  "jsx",
  "tsx",
];
const NAMES = [
  "Dockerfile",
  "Makefile",
  "package.json",
  "go.mod",
  "Cargo.toml",
  "__tests__",
  "__snapshots__",
  "migrations",
  "fixtures",
  "CHANGELOG.md",
];

/** The text of a `count`-line CODEOWNERS (comments and blank lines not counted). */
export function monorepoCodeOwnersText(count = 500): string {
  const lines: string[] = ["# Default owners", "* @acme/engineering", ""];
  let n = 1;
  const push = (line: string) => {
    if (n < count) {
      lines.push(line);
      n++;
    }
  };
  for (const ext of EXTENSIONS) push(`*.${ext} @acme/${ext}-reviewers`);
  for (const name of NAMES) push(`**/${name} @acme/platform`);
  push("/docs/ @acme/docs @techwriter");
  push("/infra/ @acme/sre");
  push(".github/workflows/** @acme/security");
  push("/services/*/config/ @acme/config-reviewers");
  push("packages/*/src/**/*.sql @dba-lead");
  push("/tools/**/*.sh @acme/tooling");
  for (let i = 0; n < count; i++) {
    const kind = i % 4;
    if (kind === 0) push(`/services/svc-${i}/ @acme/team-${i % 40} @owner-${i}`);
    else if (kind === 1) push(`services/svc-${i - 1}/migrations/** @acme/dba`);
    else if (kind === 2) push(`packages/pkg-${i}/** @acme/pkg-team-${i % 30}`);
    else push(`/services/svc-${i - 3}/src/auth/ @acme/security @sec-lead`);
  }
  return lines.join("\n");
}

export function monorepoCodeOwners(count = 500): CodeOwners {
  const parsed = parseCodeOwners(monorepoCodeOwnersText(count));
  if (parsed.problems.length > 0)
    throw new Error(`benchmark CODEOWNERS invalid: ${JSON.stringify(parsed.problems.slice(0, 3))}`);
  return parsed;
}
