/**
 * The `codeowners: true` requirement: every changed file (a rename by both paths) that the base's
 * CODEOWNERS assigns owners to needs a valid approval from one of its owners: a listed user, or a
 * member of a listed team of the repository owner's organisation. Files are grouped by owner set.
 */
import {
  CodeOwnersWorkExceeded,
  endCodeOwnersWorkLimit,
  resetCodeOwnersWork,
  type CodeOwners,
  type CodeOwnersLine,
  type Owner,
} from "../policy/codeowners.js";
import { notCountedNote } from "./reviews.js";
import { plural } from "./tier.js";
import type { Decision, PullRequestFacts, RequirementResult, RequirementSource } from "./types.js";

export interface OwnerGroup {
  /** The owners as written (`@user`, `@org/team`, `a@b.c`). */
  owners: string[];
  /** The CODEOWNERS patterns that assigned them. */
  patterns: string[];
  files: string[];
  met: boolean;
  approvedBy: string[];
}

/** An owner as written in a requirement's owner group: `@user`, `@org/team` or an e-mail address. */
export function parseOwner(
  owner: string,
): { kind: "team"; org: string; slug: string } | { kind: "user"; login: string } | undefined {
  const team = /^@([^/]+)\/(.+)$/.exec(owner);
  if (team) return { kind: "team", org: team[1]!, slug: team[2]! };
  return owner.startsWith("@") ? { kind: "user", login: owner.slice(1) } : undefined;
}

/** Owners of the unmet owner groups of a decision's `codeowners` requirements. */
export function unmetOwners(decision: Decision): string[] {
  return decision.requirements.flatMap((r) =>
    r.kind === "codeowners" && !r.met ? (r.ownerGroups ?? []).filter((g) => !g.met).flatMap((g) => g.owners) : [],
  );
}

/** Team slugs of the repository owner's organisation named by unmet owner groups: their memberships decide. */
export function unmetOwnerTeams(decision: Decision, repositoryOwner: string): string[] {
  const org = repositoryOwner.toLowerCase();
  const teams = new Set<string>();
  for (const owner of unmetOwners(decision)) {
    const parsed = parseOwner(owner);
    if (parsed?.kind === "team" && parsed.org.toLowerCase() === org) teams.add(parsed.slug);
  }
  return [...teams];
}

/**
 * The work (src/policy/codeowners.ts `codeOwnersWork`) one evaluation may spend working out the
 * owners of the changed files. A CODEOWNERS on any branch is written by whoever can push it, and
 * GitHub reads files up to 3 MB: 10,000 wildcard lines that no folder or extension keys took 43 s
 * for 300 paths. Past the budget the owners of the remaining files are unknown and the
 * requirement is not met (fail closed). The 3000-file x 500-line benchmark uses about 4 % of it.
 */
export const MAX_CODEOWNERS_WORK = 2_500_000;

export function judgeCodeOwners(
  facts: PullRequestFacts,
  approvers: string[],
  sources: RequirementSource[],
  /** Reviewers not counted because they contributed (approvals.ignore_contributors): named where they own files. */
  contributors: { login: string; why: string }[] = [],
): RequirementResult {
  const base = { kind: "codeowners" as const, local: false, sources };
  const file: CodeOwners | null | undefined = facts.codeOwners;
  // Unknown (an adapter that did not read it) fails closed; null is "no CODEOWNERS file".
  if (file === undefined) {
    return {
      ...base,
      met: false,
      ownerGroups: [],
      message: "CODEOWNERS was not read, so the owners of the changed files are unknown",
      howTo: "Press Re-evaluate; if it persists, ask an administrator",
    };
  }
  if (file === null)
    return {
      ...base,
      met: true,
      ownerGroups: [],
      message: "no CODEOWNERS file at the base commit: no file has owners",
      howTo: "",
    };

  const { groups, unworked } = groupByOwners(file, facts);
  const notCounted = contributors.filter(({ login }) =>
    [...groups.values()].some((group) => group.owners.some((owner) => isOwner(login, owner, facts))),
  );
  const ownerGroups: OwnerGroup[] = [...groups.values()].map((group) => {
    const approvedBy = approvers.filter((login) => group.owners.some((owner) => isOwner(login, owner, facts)));
    return {
      owners: group.owners.map((o) => o.text),
      patterns: [...group.patterns],
      files: group.files,
      met: approvedBy.length > 0,
      approvedBy,
    };
  });
  const unmet = ownerGroups.filter((g) => !g.met);
  const incomplete = (!facts.filesComplete && file.assignsOwners) || unworked > 0 || file.unreadLines > 0;
  const met = unmet.length === 0 && !incomplete;
  const { message, howTo } = codeOwnersMessage(facts, file, ownerGroups, { met, incomplete, unworked });
  return {
    ...base,
    met,
    ownerGroups,
    ...(notCounted.length ? { contributorsNotCounted: notCounted } : {}),
    message: message + notCountedNote(notCounted),
    howTo,
  };
}

interface OwnersGroup {
  owners: Owner[];
  patterns: Set<string>;
  files: string[];
}

/** The changed files (a rename by both paths) by the owner set of their deciding line, within the work budget. */
function groupByOwners(
  file: CodeOwners,
  facts: PullRequestFacts,
): { groups: Map<string, OwnersGroup>; unworked: number } {
  const groups = new Map<string, OwnersGroup>();
  // The group of each deciding line, found once per line (most files share a few lines).
  const groupOfLine = new Map<CodeOwnersLine, OwnersGroup>();
  const add = (path: string) => {
    const line = file.decidingLine(path);
    if (!line || line.owners.length === 0) return;
    const owners = line.owners;
    let group = groupOfLine.get(line);
    if (!group) {
      const key = owners
        .map((o) => o.text.toLowerCase())
        .sort()
        .join(" ");
      group = groups.get(key);
      if (!group) groups.set(key, (group = { owners, patterns: new Set(), files: [] }));
      group.patterns.add(line.pattern);
      groupOfLine.set(line, group);
    }
    group.files.push(path);
  };
  // Past the budget, ownersOf throws: the file it was on and those after it are not worked out.
  resetCodeOwnersWork(MAX_CODEOWNERS_WORK);
  let unworked = 0;
  try {
    for (const changed of facts.files) {
      if (changed.previousPath !== undefined && changed.previousPath !== changed.path) add(changed.previousPath);
      add(changed.path);
      unworked++;
    }
    unworked = 0;
  } catch (error) {
    if (!(error instanceof CodeOwnersWorkExceeded)) throw error;
    unworked = facts.files.length - unworked;
  } finally {
    endCodeOwnersWorkLimit();
  }

  return { groups, unworked };
}

/** What the requirement says, and how to meet it. */
function codeOwnersMessage(
  facts: PullRequestFacts,
  file: CodeOwners,
  ownerGroups: OwnerGroup[],
  state: { met: boolean; incomplete: boolean; unworked: number },
): { message: string; howTo: string } {
  const { met, incomplete, unworked } = state;
  const unmet = ownerGroups.filter((g) => !g.met);
  const describe = (g: OwnerGroup) => {
    const emails = g.owners.filter((o) => !o.startsWith("@"));
    const emailNote = emails.length ? ` (${emails.join(", ")}: an e-mail owner matches nobody)` : "";
    return `${g.patterns.map((p) => `\`${p}\``).join(", ")} (${plural(g.files.length, "file")}): 1 approval from ${g.owners.join(" or ")}${emailNote}`;
  };
  const incompleteNote = [
    ...(!facts.filesComplete && file.assignsOwners
      ? ["the file list is incomplete, so files GitHub did not list may have owners"]
      : []),
    ...(file.unreadLines > 0
      ? [
          `the CODEOWNERS file is longer than Guardrails reads (${file.unreadLines} lines past the first 10,000), and a later line decides: the owners of the changed files are unknown`,
        ]
      : []),
    ...(unworked > 0
      ? [
          `the owners of ${plural(unworked, "changed file")} were not worked out: matching the paths against CODEOWNERS ran past the work budget of one evaluation (a CODEOWNERS of many wildcard lines, or very long paths), so they may have owners`,
        ]
      : []),
  ].join("; ");
  let message: string;
  if (ownerGroups.length === 0) message = incomplete ? incompleteNote : "no changed file has code owners";
  else if (met)
    message = `${plural(ownerGroups.length, "owner group")} approved (${ownerGroups.map((g) => `${g.owners.join(" or ")}: ${g.approvedBy.join(", ")}`).join("; ")})`;
  else message = [...unmet.map(describe), ...(incomplete ? [incompleteNote] : [])].join("; ");
  const howTo = met
    ? ""
    : unmet.length
      ? `Get an approval on the current commit from one owner of each group: ${unmet.map((g) => g.owners.join(" or ")).join("; ")}`
      : unworked > 0
        ? "Simplify CODEOWNERS at the base (fewer lines whose pattern starts with a wildcard other than *.ext), or split the pull request"
        : "Split the pull request: GitHub lists at most 3000 files, and the owners of the others cannot be known";
  return { message, howTo };
}

function isOwner(login: string, owner: Owner, facts: PullRequestFacts): boolean {
  const lower = login.toLowerCase();
  if (owner.kind === "user") return owner.name.toLowerCase() === lower;
  if (owner.kind === "email") return false;
  // A team of another organisation never counts.
  if (!facts.repositoryOwner || owner.org.toLowerCase() !== facts.repositoryOwner.toLowerCase()) return false;
  const members = facts.teamMembers[owner.name] ?? facts.teamMembers[owner.name.toLowerCase()] ?? [];
  return members.some((m) => m.toLowerCase() === lower);
}
