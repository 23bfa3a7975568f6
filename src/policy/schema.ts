/**
 * The policy language, version 1 (../shared/spec/policy-v1.md, beside this repository). This zod schema is the single source
 * of the policy's TypeScript types, of its defaults and of the JSON Schema that editors use.
 * Every object is strict: an unknown key is an error, because a typo must not silently weaken a
 * guardrail.
 */
import { z } from "zod";
import { globProblem, regexProblem } from "./patterns.js";

export const TIERS = ["low", "medium", "high"] as const;
export type Tier = (typeof TIERS)[number];

/** The path of the policy file, in the repository and in the owner's `.github` repository. */
export const POLICY_PATH = ".github/guardrails.yml";

export const DEFAULT_TEST_GLOBS = [
  "test/**",
  "tests/**",
  "spec/**",
  "**/__tests__/**",
  "**/*.test.*",
  "**/*.spec.*",
  "**/*_test.*",
  "**/test_*.py",
];
export const DEFAULT_SOURCE_GLOBS = ["src/**", "lib/**", "app/**", "pkg/**", "cmd/**", "internal/**"];
export const DEFAULT_EXEMPT_LABEL = "no-tests-needed";
export const DEFAULT_TICKET_PATTERN = "[A-Z][A-Z0-9]+-[0-9]+";

const glob = z
  .string()
  .superRefine((value, ctx) => {
    const problem = globProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .meta({ description: "A path glob (minimatch, dot files matched), relative to the repository root." });

const globList = z.array(glob);

const tier = z.enum(TIERS).meta({ description: "A risk tier: low < medium < high." });

// Enterprise Managed Users have logins such as `mona_octo`: the handle, `_`, the enterprise's short code.
const login = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:_[A-Za-z0-9]{1,20})?$/,
    "expected a GitHub login (letters, digits and dashes; an Enterprise Managed User's ends in _shortcode)",
  );

const teamSlug = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    "expected a team slug of the repository owner's organisation, such as security-reviewers",
  );

const loginPattern = z
  .string()
  .min(1)
  .max(200)
  .meta({ description: "`*` matches any run of characters; everything else is literal; case-insensitive." });

/** GitHub's check run conclusions: the values `checks[].conclusions` may list. */
export const CHECK_CONCLUSIONS = [
  "success",
  "failure",
  "neutral",
  "cancelled",
  "skipped",
  "timed_out",
  "action_required",
  "stale",
] as const;
export type CheckConclusion = (typeof CHECK_CONCLUSIONS)[number];

// A check run's or commit status's name as GitHub shows it (`build (ubuntu-latest, 20)`): one line.
const checkName = z
  .string()
  .min(1)
  .max(200)
  .refine(
    (name) => ![...name].some((c) => c.charCodeAt(0) < 0x20 || c === "\u007f" || c === "\u2028" || c === "\u2029"),
    "a check name is one line of text without control characters",
  )
  .meta({ description: "The exact name of a check run, or the context of a commit status." });

const appSlug = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/, "expected a GitHub App's slug, such as github-actions")
  .meta({ description: "Only a run posted by the GitHub App with this slug counts (github-actions for workflows)." });

const checkEntry = z
  .union([
    checkName,
    z
      .strictObject({
        name: checkName,
        app: appSlug.optional(),
        conclusions: z
          .array(z.enum(CHECK_CONCLUSIONS))
          .min(1)
          .default(() => ["success" as const])
          .meta({ description: "Conclusions that meet the entry (default: success)." }),
      })
      .meta({
        description: "A CI result: its name, optionally the app that must post it and the conclusions that pass.",
      }),
  ])
  .transform((entry) => (typeof entry === "string" ? { name: entry, conclusions: ["success" as const] } : entry))
  .meta({ description: "A check run or commit status that must pass on the PR's head commit." });

export const DEFAULT_AGENT_TRAILERS = ["Co-authored-by"];

// A git trailer key: letters, digits and dashes (`Assisted-by`), without the colon.
const trailerKey = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/, "expected a trailer key of letters, digits and dashes, such as Assisted-by")
  .meta({ description: "A commit trailer key without its colon, compared case-insensitively." });

const approverGroup = z
  .strictObject({
    teams: z.array(teamSlug).optional().meta({ description: "Team slugs of the repository owner's organisation." }),
    users: z.array(login).optional().meta({ description: "GitHub logins." }),
    count: z.int().min(1).max(100).default(1).meta({ description: "Distinct valid approvals needed from this group." }),
  })
  .superRefine((group, ctx) => {
    if ((group.teams?.length ?? 0) + (group.users?.length ?? 0) === 0) {
      ctx.addIssue({ code: "custom", message: 'an approver group needs at least one of "teams" or "users"' });
    }
  })
  .meta({ description: "`count` distinct valid approvals from these users or members of these teams." });

export const requirementSchema = z
  .strictObject({
    approvals: z.int().min(0).max(100).optional().meta({ description: "Distinct valid approvals in total." }),
    approvers: z.array(approverGroup).optional().meta({ description: "Groups of people who must approve." }),
    codeowners: z.boolean().optional().meta({
      description:
        "Every changed file the base's CODEOWNERS assigns owners to needs a valid approval from one of its owners.",
    }),
    tests: z.boolean().optional().meta({ description: "Source changes must come with test changes." }),
    ticket: z.boolean().optional().meta({ description: "The title, body or head branch must reference a ticket." }),
    checklist: z
      .array(z.string().trim().min(1).max(300))
      .optional()
      .meta({ description: "Items to tick in the pull request's Guardrails comment." }),
    checks: z.array(checkEntry).max(50).optional().meta({
      description: "CI results (check runs of other apps, or commit statuses) that must pass on the PR's head commit.",
    }),
  })
  .meta({ description: "What must be true before the check passes." });

export type RequirementSpec = z.output<typeof requirementSchema>;
export type CheckSpec = z.output<typeof checkEntry>;

/** What each tier demands when a policy leaves `tiers`, or one of its tiers, out. */
export const DEFAULT_TIER_REQUIREMENTS: Record<Tier, RequirementSpec> = {
  low: {},
  medium: { approvals: 1, tests: true },
  high: { approvals: 2, tests: true, checklist: ["Rollback plan is described in the PR"] },
};

const rule = z
  .strictObject({
    name: z
      .string()
      .regex(
        /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
        "rule names use lowercase letters, digits and single dashes, such as auth-service",
      )
      .max(64),
    description: z
      .string()
      .max(300)
      .optional()
      .meta({ description: "Shown beside the rule in the check's explanation." }),
    tier,
    paths: z.array(glob).min(1, "a rule needs at least one path glob"),
    exclude: globList.optional(),
    require: requirementSchema.optional(),
  })
  .meta({ description: "A path rule: a changed file matching `paths` (and not `exclude`) raises the PR to `tier`." });

const sizeThreshold = z
  .strictObject({
    lines: z
      .int()
      .min(1)
      .optional()
      .meta({ description: "Changed lines (additions + deletions) at which the tier applies." }),
    files: z.int().min(1).optional().meta({ description: "Changed files at which the tier applies." }),
  })
  .meta({ description: "The tier applies when lines >= `lines` OR files >= `files`." });

export const policySchema = z
  .strictObject({
    version: z
      .literal(1, { error: "must be 1 (the only version of the policy language)" })
      .meta({ description: "The policy language version." }),
    default_tier: tier.default("medium").meta({ description: "Tier of a changed file that no rule matches." }),
    rules: z
      .array(rule)
      .default(() => [])
      .superRefine((rules, ctx) => {
        const seen = new Set<string>();
        rules.forEach((r, index) => {
          if (seen.has(r.name))
            ctx.addIssue({ code: "custom", message: `duplicate rule name "${r.name}"`, path: [index, "name"] });
          seen.add(r.name);
        });
      }),
    size: z
      .strictObject({
        ignore: globList
          .default(() => [])
          .meta({ description: "Files not counted in the size (lock files, snapshots)." }),
        medium: sizeThreshold.optional(),
        high: sizeThreshold.optional(),
      })
      .prefault({})
      .meta({ description: "Diff-size escalation." }),
    tests: z
      .strictObject({
        source: globList
          .default(() => [...DEFAULT_SOURCE_GLOBS])
          .meta({ description: "Files that need tests when they change." }),
        tests: globList.default(() => [...DEFAULT_TEST_GLOBS]).meta({ description: "Files that count as tests." }),
        exempt_label: z.string().min(1).max(50).default(DEFAULT_EXEMPT_LABEL).meta({
          description:
            "Label that waives `tests: true`, honoured only when applied by a user with write access or above.",
        }),
      })
      .prefault({}),
    ticket: z
      .strictObject({
        pattern: z
          .string()
          .min(1)
          .max(500)
          .superRefine((value, ctx) => {
            const problem = regexProblem(value);
            if (problem) ctx.addIssue({ code: "custom", message: problem });
          })
          .default(DEFAULT_TICKET_PATTERN)
          .meta({ description: "RE2 regular expression searched in the PR title, body and head branch name." }),
      })
      .prefault({}),
    agents: z
      .strictObject({
        authors: z
          .array(loginPattern)
          .default(() => [])
          .meta({ description: "Login patterns of agent PR authors." }),
        co_authors: z
          .array(loginPattern)
          .default(() => [])
          .meta({
            description: "Patterns on the values (`Name <email>`) of the commits' trailers listed in `trailers`.",
          }),
        trailers: z
          .array(trailerKey)
          .min(1)
          .max(20)
          .default(() => [...DEFAULT_AGENT_TRAILERS])
          .meta({
            description: "Commit trailer keys whose values are matched against co_authors (case-insensitive).",
          }),
        min_tier: tier.default("medium").meta({ description: "Lowest tier of an agent-authored PR." }),
        require: requirementSchema.optional(),
      })
      .prefault({})
      .meta({ description: "Changes delegated to AI agents and bots." }),
    policy_change: z
      .strictObject({ require: requirementSchema.optional() })
      .prefault({})
      .meta({ description: "Requirements of a PR that changes the policy file (such a PR is always high)." }),
    approvals: z
      .strictObject({
        stale: z
          .enum(["discard", "keep"])
          .default("discard")
          .meta({ description: "discard: only approvals of the current head commit count." }),
        request_reviews: z.boolean().default(false).meta({
          description:
            "Request reviews from who can meet an unmet approvers or codeowners requirement (once per head commit, at most 15).",
        }),
        ignore_contributors: z.boolean().default(false).meta({
          description:
            "A person who contributed to the PR's commits (author, committer, Co-authored-by, pusher) does not count as an approver.",
        }),
      })
      .prefault({}),
    tiers: z
      .strictObject({
        low: requirementSchema.default(() => structuredClone(DEFAULT_TIER_REQUIREMENTS.low)),
        medium: requirementSchema.default(() => structuredClone(DEFAULT_TIER_REQUIREMENTS.medium)),
        high: requirementSchema.default(() => structuredClone(DEFAULT_TIER_REQUIREMENTS.high)),
      })
      .prefault({})
      .meta({ description: "What each tier demands; a tier left out demands the built-in default's." }),
    labels: z
      .strictObject({
        prefix: z
          .union([z.string().min(1).max(40), z.literal(false)])
          .default("risk:")
          .meta({ description: "Labels <prefix><tier>; false turns labels off." }),
      })
      .prefault({}),
    overrides: z
      .strictObject({
        users: z
          .array(login)
          .max(100)
          .default(() => [])
          .meta({ description: "Logins who may override (with write access or above)." }),
        teams: z
          .array(teamSlug)
          .max(20)
          .default(() => [])
          .meta({
            description:
              "Team slugs of the repository owner's organisation whose members may override (with write access or above).",
          }),
        allow_author: z
          .boolean()
          .default(false)
          .meta({ description: "Whether the PR's author may override their own PR (default false)." }),
      })
      .optional()
      .meta({
        description:
          "Break glass: who may make the check pass with `/guardrails override <reason>` (bound to the head commit; a push ends it). Absent: nobody can override.",
      }),
    mode: z.enum(["enforce", "evaluate"]).default("enforce").meta({
      description:
        "evaluate: judge and show everything, but the check concludes success and says what would fail under enforcement (a trial).",
    }),
    enforce: z.boolean().optional().meta({
      description:
        "Only in the organisation policy (the owner's .github repository): true applies it to every pull request of the owner's repositories in addition to the repository's own policy (the higher tier, both sets of requirements).",
    }),
  })
  .meta({
    title: "Guardrails policy",
    description: "Risk-tiered guardrails for pull requests (.github/guardrails.yml).",
  });

/** A policy with every default filled in: what the engine evaluates. */
export type Policy = z.output<typeof policySchema>;
/** A policy as written in YAML. */
export type PolicyInput = z.input<typeof policySchema>;
export type Rule = Policy["rules"][number];
export type ApproverGroup = z.output<typeof approverGroup>;
