/**
 * The output of `guardrails check --json` (and of the app's `/api/simulate`) as a contract: one zod
 * schema, from which schema/decision.schema.json is generated (a test keeps the two equal) and
 * against which the CLI's real output is checked strictly (a key the code adds without a line here
 * fails the test). docs/cli.md explains every key.
 */
import { z } from "zod";
import { CHECK_CONCLUSIONS, TIERS } from "../policy/schema.js";

/** Raised when the output changes in a way a reader must know about (a key removed or redefined). */
export const DECISION_OUTPUT_VERSION = 1;

const tier = z.enum(TIERS);

const policyOrigin = z
  .enum(["repository", "organization"])
  .meta({ description: "Only with an enforced organisation policy (--org-policy): the policy this comes from." });

const approverGroup = z
  .strictObject({
    teams: z.array(z.string()).optional().meta({ description: "Team slugs of the repository owner's organisation." }),
    users: z.array(z.string()).optional().meta({ description: "Logins." }),
    count: z.number().int().meta({ description: "Distinct valid approvals the group needs." }),
  })
  .meta({ description: "An approver group of the policy." });

export const reasonOutputSchema = z
  .strictObject({
    kind: z
      .enum(["rule", "default", "size", "agent", "policy_change", "incomplete"])
      .meta({ description: "What raised the tier." }),
    tier: tier.meta({ description: "The tier this reason demands." }),
    message: z.string().meta({ description: "One line for people." }),
    policy: policyOrigin.optional(),
    rule: z.string().optional().meta({ description: "kind rule: the rule's name." }),
    description: z
      .string()
      .optional()
      .meta({ description: "kind rule: the rule's description, when the policy gives one." }),
    files: z
      .array(z.string())
      .optional()
      .meta({ description: "The changed files behind this reason (rule, default)." }),
    renamedFrom: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: "For renamed files among files: new path to old path." }),
    lines: z.number().optional().meta({ description: "kind size: lines added plus deleted, outside size.ignore." }),
    fileCount: z
      .number()
      .optional()
      .meta({ description: "kind size: changed files outside size.ignore; kind incomplete: files GitHub listed." }),
    pattern: z.string().optional().meta({ description: "kind agent: the agents pattern that matched." }),
    value: z.string().optional().meta({ description: "kind agent: the author login or co-author trailer it matched." }),
  })
  .meta({ description: "One reason for the tier." });

export const requirementOutputSchema = z
  .strictObject({
    kind: z
      .enum([
        "approvals",
        "approvers",
        "codeowners",
        "tests",
        "ticket",
        "checklist",
        "checks",
        "changes_requested",
        "proposed_policy",
      ])
      .meta({ description: "The requirement." }),
    met: z.boolean(),
    message: z.string().meta({ description: "One line: what is required and how far along it is." }),
    howTo: z.string().meta({ description: "One line: how to meet it; empty when met." }),
    sources: z.array(z.string()).meta({
      description:
        "Where it comes from: tier:<tier>, rule:<name>, agents, policy_change, always (org:<source> from an enforced organisation policy).",
    }),
    policy: policyOrigin.optional(),
    local: z
      .boolean()
      .meta({ description: "Whether it can be judged without GitHub (tests, ticket): --strict fails on these." }),
    required: z.number().optional().meta({ description: "approvals, approvers: how many approvals are needed." }),
    approvedBy: z
      .array(z.string())
      .optional()
      .meta({ description: "approvals, approvers: the valid approvals that count." }),
    group: approverGroup.optional(),
    items: z
      .array(z.strictObject({ item: z.string(), ticked: z.boolean(), tickedBy: z.string().optional() }))
      .optional()
      .meta({ description: "checklist: each item, whether it is ticked and by whom." }),
    reviewers: z
      .array(z.string())
      .optional()
      .meta({ description: "changes_requested: reviewers whose latest review requests changes." }),
    references: z.array(z.string()).optional().meta({ description: "ticket: the ticket references found." }),
    problems: z
      .array(z.strictObject({ line: z.number(), column: z.number(), message: z.string() }))
      .optional()
      .meta({
        description:
          "proposed_policy: every problem of the policy file the PR proposes (line and column in its version).",
      }),
    mode: z.literal("evaluate").optional().meta({
      description:
        "Set on the requirements of a policy in mode: evaluate (a trial): judged and shown, but never failing the check.",
    }),
    contributorsNotCounted: z
      .array(z.strictObject({ login: z.string(), why: z.string() }))
      .optional()
      .meta({
        description:
          "approvals, approvers, codeowners with approvals.ignore_contributors: reviewers whose approval did not count because they contributed, and how.",
      }),
    check: z
      .strictObject({
        name: z.string().meta({ description: "The check run's name, or the commit status's context." }),
        app: z.string().optional().meta({ description: "The slug of the only app whose run counts." }),
        conclusions: z.array(z.enum(CHECK_CONCLUSIONS)).meta({ description: "The conclusions that meet it." }),
      })
      .optional()
      .meta({ description: "checks: the policy's entry this requirement judges." }),
    result: z
      .strictObject({
        source: z.enum(["check_run", "status"]),
        status: z
          .string()
          .meta({ description: "check_run: queued, in_progress, completed, …; status: pending or completed." }),
        conclusion: z
          .string()
          .optional()
          .meta({ description: "The run's conclusion, or the status's state (success, failure, error)." }),
        url: z.string().optional(),
        app: z.string().optional().meta({ description: "check_run: the slug of the app that posted it." }),
      })
      .optional()
      .meta({
        description:
          "checks: the newest run of that name (or the commit status) found on the head commit; absent when none was found or CI cannot be seen (the CLI, the simulate API).",
      }),
    ownerGroups: z
      .array(
        z.strictObject({
          owners: z
            .array(z.string())
            .meta({ description: "The owners as CODEOWNERS writes them (@user, @org/team, e-mail)." }),
          patterns: z.array(z.string()).meta({ description: "The CODEOWNERS patterns that assigned them." }),
          files: z.array(z.string()).meta({ description: "The changed paths they own (a rename by both paths)." }),
          met: z.boolean(),
          approvedBy: z
            .array(z.string())
            .meta({ description: "Owners (or members of owner teams) whose valid approval counts." }),
        }),
      )
      .optional()
      .meta({ description: "codeowners: the owned changed files grouped by owner set." }),
  })
  .meta({ description: "One requirement and whether it is met." });

export const decisionOutputSchema = z
  .strictObject({
    version: z.literal(DECISION_OUTPUT_VERSION).meta({ description: "The version of this output format." }),
    tier: tier.meta({
      description: "The pull request's tier: the highest of the reasons' tiers (low when nothing changed).",
    }),
    conclusion: z.enum(["success", "failure"]).meta({
      description:
        "What the guardrails check run concludes on the same facts: success only when every enforced requirement is met (in mode: evaluate, always success).",
    }),
    mode: z.enum(["enforce", "evaluate"]).meta({
      description:
        "evaluate: every policy that decided is on trial (mode: evaluate): the conclusion is success whatever is unmet, and wouldFail says what enforcement would conclude.",
    }),
    wouldFail: z.boolean().meta({
      description:
        "Whether some requirement is unmet: the conclusion would be failure if every policy were enforced (and nothing overridden).",
    }),
    reasons: z.array(reasonOutputSchema),
    requirements: z.array(requirementOutputSchema),
    checklist: z.array(z.string()).meta({ description: "Every checklist item the pull request must tick, in order." }),
    agentAuthored: z.boolean().meta({ description: "Whether agents.authors or agents.co_authors matched." }),
    policyChanged: z.boolean().meta({ description: "Whether the diff changes the policy file." }),
    size: z
      .strictObject({
        lines: z.number().meta({ description: "Lines added plus deleted outside size.ignore." }),
        files: z.number().meta({ description: "Changed files outside size.ignore." }),
        ignoredFiles: z.number().meta({ description: "Changed files in size.ignore." }),
      })
      .meta({ description: "The diff's size as the size escalation sees it." }),
    ticketReferences: z.array(z.string()).optional().meta({
      description:
        "Ticket references found in the title, body or branch name (ticket.pattern), whether a ticket is required or not.",
    }),
    codeOwnersProblems: z
      .array(
        z.strictObject({
          path: z
            .string()
            .meta({ description: "The CODEOWNERS file: .github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS." }),
          line: z.number(),
          column: z.number(),
          message: z.string().meta({ description: "What is wrong; GitHub skips the line." }),
        }),
      )
      .optional()
      .meta({
        description:
          "The base's CODEOWNERS lines that GitHub skips (an unsupported pattern, an owner that is not one), at most 100; absent when there are none.",
      }),
    policy: z
      .strictObject({
        source: z.enum(["ref", "file", "built-in", "request"]).meta({
          description:
            "ref: the policy file at the base ref; file: --policy FILE; built-in: the default policy; request: the policy in the body of POST /api/simulate.",
        }),
        path: z.string().nullable(),
        ref: z.string().nullable(),
        sha: z.string().nullable(),
      })
      .meta({ description: "The policy that decided." }),
    organizationPolicy: z
      .strictObject({
        path: z.string().meta({ description: "The --org-policy file." }),
        role: z.enum(["fallback", "floor", "not enforced"]).meta({
          description:
            "fallback: the base has no policy, the organisation's decides alone; floor: enforce: true, it applies in addition; not enforced: the repository's policy decides.",
        }),
      })
      .optional()
      .meta({ description: "Only with --org-policy: what the organisation policy did." }),
    diff: z
      .strictObject({
        base: z.strictObject({ ref: z.string(), sha: z.string() }),
        head: z.strictObject({ ref: z.string(), sha: z.string(), branch: z.string() }),
        mergeBase: z.string(),
        files: z.number().meta({ description: "Changed files in the diff (before size.ignore)." }),
        renames: z.array(z.strictObject({ from: z.string(), to: z.string() })),
      })
      .meta({ description: "The diff that was evaluated: BASE...HEAD." }),
    preview: z
      .strictObject({
        message: z
          .string()
          .meta({ description: "One line: what the proposed policy would decide, or why there is no preview." }),
        tier: tier.optional().meta({ description: "The tier under the proposed policy." }),
        conclusion: z.enum(["success", "failure"]).optional(),
        reasons: z.array(reasonOutputSchema).optional(),
        requirements: z.array(requirementOutputSchema).optional(),
      })
      .optional()
      .meta({
        description:
          "Only with --preview: how the proposed policy (the head's .github/guardrails.yml) would judge this branch; the decision above still comes from the base's policy.",
      }),
  })
  .meta({ title: "guardrails check --json", description: "The decision of `guardrails check --json`." });

export type DecisionOutput = z.infer<typeof decisionOutputSchema>;

/** The JSON Schema of the output (schema/decision.schema.json). */
export function decisionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(decisionOutputSchema, { io: "output", target: "draft-7", unrepresentable: "any" });
}
