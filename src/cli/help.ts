/** The --help texts of the program and of each command. */

export const PROGRAM_HELP = `Usage: guardrails <command> [options]

Risk-tiered guardrails for pull requests: validate a policy, try it on a branch.

Commands:
  validate [FILE...]  Check a policy file (default .github/guardrails.yml; - for stdin)
  check               Evaluate the local git diff BASE...HEAD against the policy
  schema              Print the JSON Schema of the policy file
  audit               Export the merged pull requests of a period with their guardrails result
  doctor              Tell whether a repository is really guarded, and what to fix
  playground          Serve the policy playground and its API locally, with no GitHub App
  help [COMMAND]      Show help for a command

Options:
  -h, --help          Show this help
  -V, --version       Print the version

Exit codes: 0 ok, 1 problems found (validate: also an unreadable file; check --strict),
2 usage, policy or git error.
Run "guardrails <command> --help" for a command's options.
`;

export const VALIDATE_HELP = `Usage: guardrails validate [--org] [--json] [FILE... | -]

Checks policy files (default: .github/guardrails.yml; - reads standard input, shown as <stdin>)
and prints every problem at once, one line each, as FILE:LINE:COL: message. Unknown keys are errors.

Options:
  --org        The files are organisation policies (the owner's .github repository's), which
               may say enforce: true
  --json       Print { version, files: [{ file, ok, problems: [{ line, column, message }], error? }] }
  -h, --help   Show this help

Exit codes: 0 every file is valid, 1 a file has problems or cannot be read, 2 usage error.
`;

export const SCHEMA_HELP = `Usage: guardrails schema [--decision | --error]

Prints the JSON Schema (draft 7) of the policy file, for editors' YAML validation:
  guardrails schema > guardrails.schema.json

Options:
  --decision   Print the JSON Schema of \`guardrails check --json\`'s output instead
  --error      Print the JSON Schema of what --json prints when a command cannot run (exit 2)
  -h, --help   Show this help
`;

export const CHECK_HELP = `Usage: guardrails check [options]

Evaluates the local git diff BASE...HEAD (from the merge base of BASE and HEAD to HEAD, as a pull
request of HEAD into BASE would show it) with the same engine as the GitHub App, and explains the
tier and the requirements. Only committed changes count; uncommitted changes are not included.

Options:
  --base REF      Base of the comparison (default: the branch origin/HEAD points to, else
                  origin/main, origin/master, main, master)
  --head REF      Head of the comparison (default: HEAD)
  --policy FILE   Use this policy file instead of .github/guardrails.yml at BASE
  --org-policy FILE
                  The organisation policy (the owner's .github repository's), as the app
                  applies it: alone when BASE has no policy, in addition when it says
                  enforce: true
  --json          Print the decision as JSON: { version, tier, conclusion, reasons,
                  requirements, ... } (JSON Schema: guardrails schema --decision)
  --strict        Exit 1 when a requirement that can be judged locally (tests, ticket, the
                  proposed policy) is unmet
  --preview       When HEAD edits .github/guardrails.yml: also show how the proposed policy
                  would judge this branch
  --author LOGIN  The PR author's login (default: unknown, the empty login)
  --title TEXT    The PR title (default: the subject of the first commit in BASE..HEAD)
  --body TEXT     The PR body (default: the body of the first commit in BASE..HEAD)
  --branch NAME   The head branch name searched for a ticket (default: the branch --head names,
                  or the current branch)
  --label NAME    A label on the PR (repeatable); who applied it is unknown locally, so the
                  tests exempt label never waives tests here
  -h, --help      Show this help

The policy is read from BASE (git show BASE:.github/guardrails.yml), never from HEAD, as the app
does: a branch cannot loosen its own guardrails. When HEAD edits the policy file, its version must
load (requirement proposed_policy, each problem as HEAD:.github/guardrails.yml:LINE:COL). When BASE has no policy file the built-in default
is used (the organisation's .github repository is not consulted locally).

Facts taken from git: changed files with renames (git diff -M), additions and deletions (binary
files count 0 lines), Co-authored-by trailers of the commits in BASE..HEAD, the head commit. Facts
that only GitHub knows are empty: no reviews, no team memberships, no ticked checklist items, so
approvals, approvers and checklist requirements show as unmet. The file list is complete.

Output: the human summary, or JSON with --json, on stdout; errors on stderr, one line each
(policy problems as FILE:LINE:COL: message, REF:.github/guardrails.yml:LINE:COL for BASE's policy).

Exit codes: 0 evaluated (whatever the conclusion), 1 with --strict and a local requirement unmet,
2 usage error, invalid policy, unknown ref, not a git repository, git missing.
`;

export const AUDIT_HELP = `Usage: guardrails audit --repo OWNER/NAME [--app-id ID] [--since DATE] [--until DATE] [--json | --csv] [--summary] [--strict]

One record per pull request merged in the period: number, title, author, merged by, merged at,
base, the merged head, the guardrails check on that head (from the decision record the app keeps
in the check run), tier, approvers, checklist ticks, override, agent-authored, ticket references,
and "bypassed": merged without a passing guardrails check on its head.

Options:
  --repo OWNER/NAME  The repository (required)
  --since DATE       Start of the period: YYYY-MM-DD (00:00 UTC) or an ISO 8601 time (default: 30 days before --until)
  --until DATE       End of the period: YYYY-MM-DD (through 23:59:59 UTC) or an ISO 8601 time (default: now)
  --json             Print JSON
  --csv              Print CSV (RFC 4180; fields that a spreadsheet would run as formulas start with ')
  --summary          Print per tier: merged, bypassed, overridden, median time from opened to merged, agent share
  --strict           Exit 1 when any pull request was bypassed
  --app-id ID        The Guardrails App's id: only its runs count (default: GUARDRAILS_APP_ID; one is required)
  -h, --help         Show this help

Environment: GITHUB_TOKEN (required: reads pull requests and checks), GITHUB_API_URL (GitHub
Enterprise Server: https://HOST/api/v3; default https://api.github.com).

Exit codes: 0 exported, 1 something was bypassed (with --strict), 2 usage or GitHub error.
`;

export const DOCTOR_HELP = `Usage: guardrails doctor --repo OWNER/NAME [--app-id ID] [--json]

Tells a platform engineer whether a repository is really guarded, on one screen: the policy at
the default branch and its problems (FILE:LINE:COL), the organisation policy, the CODEOWNERS file
and its problems, whether the \`guardrails\` check is required on the default branch (rulesets and
branch protection) and pinned to the Guardrails App as its source, who may bypass the rules
(ruleset bypass lists, administrators without "Do not allow bypassing"), whether a merge queue is
set; and, for each problem, the exact settings path that fixes it.

A check required from "Any source" is not a guard: any app or workflow that posts a status named
guardrails satisfies it, so doctor treats it as bypassable, like a check that is not required.

Options:
  --repo OWNER/NAME  The repository (required)
  --app-id ID        The Guardrails App's id: the source the check must be pinned to (default:
                     GUARDRAILS_APP_ID; one is required)
  --json             Print the report as JSON (docs/cli.md; errors as guardrails schema --error)
  -h, --help         Show this help

Environment: GITHUB_TOKEN (required: reads the repository's files, rulesets and branch
protection; branch protection needs admin rights, fine-grained "Administration: read", else it is
reported unknown), GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3).

Exit codes: 0 guarded (required and pinned), 1 a pull request can be merged without the app's
check (not required, required from any source or another app, or unknown), 2 usage or GitHub error.
`;

export const PLAYGROUND_HELP = `Usage: guardrails playground [--port N] [--host ADDRESS]

Serves the policy playground (GET /playground) and its API (POST /api/validate, POST
/api/simulate; docs/api.md) on this machine, with no GitHub App and no credentials: try a policy,
a CODEOWNERS file and team memberships against a pull request's paths (paste git diff --numstat
or --name-status output). Prints the page's URL; runs until Ctrl-C.

Options:
  --port N          The port (default 3000; 0 picks a free one, printed)
  --host ADDRESS    The address to listen on (default 127.0.0.1, this machine only; the page and
                    the API have no login, so 0.0.0.0 lets anyone who can reach the machine use them)
  -h, --help        Show this help

Needs the built page (npm run build). Exit codes: 0 stopped by Ctrl-C or SIGTERM, 2 usage error,
port in use, or page not built.
`;
