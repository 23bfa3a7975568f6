/**
 * Enforcement health: whether merges into a branch wait for the `guardrails` check, and whether
 * only this app can satisfy it. Pure: GitHub's answers in (the active rules of the branch, the
 * rulesets they come from, classic branch protection), a classification with its reasons and the
 * exact settings path of each fix out. The readers (src/enforcement/read.ts, the app) fetch.
 *
 * - `pinned`: a ruleset or branch protection requires the check from this app (its id);
 * - `required_unpinned`: required, but from any source (any app or workflow posting a status
 *   named `guardrails` satisfies it) or from another app: it can be imitated;
 * - `not_required`: nothing requires it: merges do not wait for it;
 * - `unknown`: some source could not be read and what was read does not pin it.
 */

export type Enforcement = "pinned" | "required_unpinned" | "not_required" | "unknown";

/** A REST answer as read: the body of a 200, or the status (and message) of anything else. */
export type Answer<T> = { ok: true; body: T } | { ok: false; status: number; message?: string };

/** An entry of `GET /repos/{owner}/{repo}/rules/branches/{branch}` (GitHub's "repository-rule-detailed"). */
export interface BranchRule {
  type: string;
  /** `Repository` or `Organization`. */
  ruleset_source_type?: string;
  ruleset_source?: string;
  ruleset_id?: number;
  parameters?: {
    required_status_checks?: { context: string; integration_id?: number }[];
    strict_required_status_checks_policy?: boolean;
    [key: string]: unknown;
  };
}

/** `GET /repos/{owner}/{repo}/rulesets/{id}` (GitHub's "repository-ruleset"), the fields read here. */
export interface Ruleset {
  id: number;
  name: string;
  /** `Repository`, `Organization` or `Enterprise`. */
  source_type?: string;
  source: string;
  enforcement: string;
  /** Only returned to a caller who may edit the ruleset. */
  bypass_actors?: {
    actor_id?: number | null;
    actor_type: string;
    bypass_mode?: string;
  }[];
  current_user_can_bypass?: string;
}

/** `GET /repos/{owner}/{repo}/branches/{branch}/protection` (GitHub's "branch-protection"), the fields read here. */
export interface BranchProtection {
  required_status_checks?: {
    contexts?: string[];
    checks?: { context: string; app_id: number | null }[];
    strict?: boolean;
  };
  enforce_admins?: { enabled: boolean };
}

export interface EnforcementReading {
  /** OWNER/NAME. */
  repository: string;
  branch: string;
  rules: Answer<BranchRule[]>;
  /** False when the rules had more pages than were read. */
  rulesComplete?: boolean;
  /** The rulesets that require the check, by id (see rulesetsToRead). */
  rulesets: Record<number, Answer<Ruleset>>;
  protection: Answer<BranchProtection>;
}

export interface Subject {
  /** The check's name: `guardrails`. */
  checkName: string;
  /** The Guardrails App's id: a requirement pinned to it is pinned. */
  appId: number;
}

/** Where the check is required. `app`: the app it must come from, null for any source. */
export interface RequiredCheck {
  where: "ruleset" | "branch_protection";
  /** The ruleset's name (or `ruleset #id` when it could not be read); the branch for branch protection. */
  name: string;
  rulesetId?: number;
  /** A ruleset's owner: `Repository` or `Organization`. */
  level?: string;
  app: number | null;
  pinned: boolean;
  /** Where to change it. */
  settings: string;
}

export interface Bypass {
  where: "ruleset" | "branch_protection";
  name: string;
  /** Who may merge without the check: `OrganizationAdmin`, `RepositoryRole 5`, `Team 42`, `repository administrators`, … */
  actor: string;
  /** `always`, `pull_request`, `exempt` (rulesets), or `admins` (branch protection without enforce_admins). */
  mode: string;
  settings: string;
}

export interface Finding {
  severity: "error" | "warning";
  message: string;
  /** The exact settings path (or permission) that fixes it. */
  fix: string;
}

export interface EnforcementHealth {
  enforcement: Enforcement;
  branch: string;
  required: RequiredCheck[];
  /** Who may merge without the check; null when it could not be read (bypass lists are shown only to ruleset editors). */
  bypass: Bypass[] | null;
  /** Whether an active ruleset sets a merge queue; null when the rules could not be read. */
  mergeQueue: boolean | null;
  findings: Finding[];
}

/** How many rulesets are read for names and bypass lists (each is one request). */
export const MAX_RULESETS_READ = 10;

/** The rulesets worth reading: those whose rules require the check (for their names and bypass lists). */
export function rulesetsToRead(rules: BranchRule[], checkName: string): number[] {
  const ids = rules
    .filter((rule) => requiresCheck(rule, checkName) && rule.ruleset_id !== undefined)
    .map((rule) => rule.ruleset_id!);
  return [...new Set(ids)].slice(0, MAX_RULESETS_READ);
}

function requiresCheck(rule: BranchRule, checkName: string): boolean {
  return (
    rule.type === "required_status_checks" &&
    (rule.parameters?.required_status_checks ?? []).some((check) => check.context === checkName)
  );
}

export function classify(reading: EnforcementReading, subject: Subject): EnforcementHealth {
  const fromRules = reading.rules.ok ? rulesetRequirements(reading, subject) : [];
  const fromProtection = protectionRequirement(reading, subject);
  const required = [...fromRules, ...(fromProtection ? [fromProtection] : [])];
  const protectionKnown = reading.protection.ok || notProtected(reading.protection);
  const rulesKnown = reading.rules.ok && reading.rulesComplete !== false;
  const enforcement: Enforcement = required.some((r) => r.pinned)
    ? "pinned"
    : !rulesKnown || !protectionKnown
      ? "unknown"
      : required.length > 0
        ? "required_unpinned"
        : "not_required";
  return {
    enforcement,
    branch: reading.branch,
    required,
    bypass: bypassOf(reading, required),
    mergeQueue: reading.rules.ok ? reading.rules.body.some((rule) => rule.type === "merge_queue") : null,
    findings: findingsOf(reading, subject, enforcement, required),
  };
}

/** GitHub answers 404 "Branch not protected" for a branch without classic protection. */
function notProtected(answer: Answer<BranchProtection>): boolean {
  return !answer.ok && answer.status === 404 && /not protected/i.test(answer.message ?? "");
}

function rulesetRequirements(reading: EnforcementReading, subject: Subject): RequiredCheck[] {
  if (!reading.rules.ok) return [];
  const out: RequiredCheck[] = [];
  for (const rule of reading.rules.body) {
    if (rule.type !== "required_status_checks") continue;
    for (const check of rule.parameters?.required_status_checks ?? []) {
      if (check.context !== subject.checkName) continue;
      const ruleset = rule.ruleset_id !== undefined ? reading.rulesets[rule.ruleset_id] : undefined;
      const name = ruleset?.ok ? ruleset.body.name : `ruleset #${rule.ruleset_id ?? "?"}`;
      const app = check.integration_id ?? null;
      out.push({
        where: "ruleset",
        name,
        ...(rule.ruleset_id !== undefined ? { rulesetId: rule.ruleset_id } : {}),
        ...(rule.ruleset_source_type ? { level: rule.ruleset_source_type } : {}),
        app,
        pinned: app === subject.appId,
        settings: `${rulesetPath(rule.ruleset_source_type, rule.ruleset_source, name)} → Require status checks to pass`,
      });
    }
  }
  return out;
}

function protectionRequirement(reading: EnforcementReading, subject: Subject): RequiredCheck | undefined {
  if (!reading.protection.ok) return undefined;
  const checks = reading.protection.body.required_status_checks;
  if (!checks) return undefined;
  // `checks` names each context with its app; `contexts` is the older list (any source).
  const entry = (checks.checks ?? []).find((check) => check.context === subject.checkName);
  const app = entry ? entry.app_id : (checks.contexts ?? []).includes(subject.checkName) ? null : undefined;
  if (app === undefined) return undefined;
  return {
    where: "branch_protection",
    name: reading.branch,
    app,
    pinned: app === subject.appId,
    settings: `${protectionPath(reading.branch)} → Require status checks to pass before merging`,
  };
}

/** Settings path of a ruleset: the repository's, or its organisation's. */
export function rulesetPath(level: string | undefined, source: string | undefined, name: string): string {
  return level === "Organization"
    ? `Organization settings (${source ?? "the organisation"}) → Repository → Rulesets → ${name}`
    : `Settings → Rules → Rulesets → ${name}`;
}

function protectionPath(branch: string): string {
  return `Settings → Branches → Branch protection rules → the rule for ${branch} → Edit`;
}

function bypassOf(reading: EnforcementReading, required: RequiredCheck[]): Bypass[] | null {
  const out: Bypass[] = [];
  let known = true;
  for (const requirement of required) {
    if (requirement.where === "branch_protection") {
      const protection = reading.protection.ok ? reading.protection.body : undefined;
      if (!protection?.enforce_admins?.enabled)
        out.push({
          where: "branch_protection",
          name: requirement.name,
          actor: "repository administrators",
          mode: "admins",
          settings: `${protectionPath(requirement.name)} → Do not allow bypassing the above settings`,
        });
      continue;
    }
    const ruleset = requirement.rulesetId !== undefined ? reading.rulesets[requirement.rulesetId] : undefined;
    if (!ruleset?.ok || ruleset.body.bypass_actors === undefined) {
      known = false;
      continue;
    }
    for (const actor of ruleset.body.bypass_actors)
      out.push({
        where: "ruleset",
        name: requirement.name,
        actor: actorName(actor),
        mode: actor.bypass_mode ?? "always",
        settings: `${requirement.settings.replace(/ → Require status checks to pass$/, "")} → Bypass list`,
      });
  }
  return known ? dedupe(out) : null;
}

function actorName(actor: NonNullable<Ruleset["bypass_actors"]>[number]): string {
  if (actor.actor_type === "OrganizationAdmin") return "organisation owners";
  if (actor.actor_type === "DeployKey") return "deploy keys";
  // GitHub's ids of the built-in repository roles (custom roles have larger ids).
  const role = { 2: "maintain", 4: "write", 5: "admin" }[
    actor.actor_type === "RepositoryRole" ? (actor.actor_id ?? 0) : 0
  ];
  if (role) return `repository role ${role}`;
  const kind = { Integration: "app", RepositoryRole: "repository role", Team: "team", User: "user" }[actor.actor_type];
  return `${kind ?? actor.actor_type} ${actor.actor_id ?? "?"}`;
}

function dedupe(list: Bypass[]): Bypass[] {
  const seen = new Set<string>();
  return list.filter((b) => {
    const key = `${b.where}\u0000${b.name}\u0000${b.actor}\u0000${b.mode}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function findingsOf(
  reading: EnforcementReading,
  subject: Subject,
  enforcement: Enforcement,
  required: RequiredCheck[],
): Finding[] {
  const check = `\`${subject.checkName}\``;
  const source = `source: the Guardrails App (app id ${subject.appId}), not "Any source"`;
  const findings: Finding[] = [];
  for (const requirement of required.filter((r) => !r.pinned)) {
    const where =
      requirement.where === "ruleset" ? `ruleset "${requirement.name}"` : `branch protection of ${reading.branch}`;
    findings.push({
      severity: "error",
      message:
        requirement.app === null
          ? `${where} requires ${check} from any source: any app or workflow that posts a status named ${subject.checkName} satisfies it`
          : `${where} requires ${check} from app ${requirement.app}, not the Guardrails App (${subject.appId}): that app's check decides, not this one`,
      fix: `${requirement.settings} → ${check} → ${source}`,
    });
  }
  if (!reading.rules.ok)
    findings.push({
      severity: "error",
      message: `the rules of ${reading.branch} could not be read (HTTP ${reading.rules.status}${reading.rules.message ? `: ${reading.rules.message}` : ""})`,
      fix: "a token that can read the repository (fine-grained: Metadata: read)",
    });
  else if (reading.rulesComplete === false)
    findings.push({
      severity: "error",
      message: `${reading.branch} has more rules than were read; the check may be required by one not read`,
      fix: "Settings → Rules → Rulesets: look for Require status checks to pass",
    });
  if (!reading.protection.ok && !notProtected(reading.protection))
    findings.push({
      severity: enforcement === "pinned" ? "warning" : "error",
      message: `the branch protection of ${reading.branch} could not be read (HTTP ${reading.protection.status}${reading.protection.message ? `: ${reading.protection.message}` : ""})`,
      fix: "a token with admin rights on the repository (fine-grained: Administration: read)",
    });
  if (enforcement === "not_required")
    findings.push({
      severity: "error",
      message: `nothing requires ${check} on ${reading.branch}: a pull request can be merged without it`,
      fix: `Settings → Rules → Rulesets → New ruleset → New branch ruleset → Enforcement status: Active; Target branches: Include default branch; Require status checks to pass → Add checks → ${check}, ${source}`,
    });
  return findings;
}

/**
 * One line for the top of the check summary where merges do not wait for the check (undefined
 * when they do, or when that is unknown). It names no ruleset: their names are the admins' text.
 */
export function enforcementWarning(health: Pick<EnforcementHealth, "enforcement" | "branch">): string | undefined {
  switch (health.enforcement) {
    case "not_required":
      return `⚠️ Merges into \`${health.branch}\` do not wait for this check: it is not a required status check (Settings → Rules → Rulesets → Require status checks to pass).`;
    case "required_unpinned":
      return `⚠️ This check is required on \`${health.branch}\` without its source pinned to this app: any app or workflow posting a status with its name can satisfy it (Settings → Rules → Rulesets → Require status checks to pass → source).`;
    default:
      return undefined;
  }
}
