/**
 * What `guardrails doctor` reads of a repository, with a token: in one GraphQL query, the default
 * branch, its policy file and CODEOWNERS (the first of GitHub's three places) and the organisation
 * policy of the owner's `.github` repository; then the enforcement settings of the default branch
 * (src/enforcement/read.ts: usually 3 REST requests). Texts are GitHub's, bounded by it
 * (`isTruncated`); nothing is written.
 */
import { Octokit } from "@octokit/core";
import { readEnforcement } from "../enforcement/read.js";
import type { EnforcementReading } from "../enforcement/health.js";
import { CODEOWNERS_PATHS } from "../policy/codeowners.js";
import { POLICY_PATH } from "../policy/schema.js";
import { CliError } from "./errors.js";

const BLOB = "object { ... on Blob { byteSize isTruncated text } }";
const OWNERS_ALIASES = ["codeownersGithub", "codeownersRoot", "codeownersDocs"] as const;

export const DOCTOR_QUERY = /* GraphQL */ `
  query GuardrailsDoctor($owner: String!, $name: String!, $policyPath: String!) {
    repository(owner: $owner, name: $name) {
      nameWithOwner
      defaultBranchRef {
        name
        target {
          oid
          ... on Commit {
            policy: file(path: $policyPath) { ${BLOB} }
            ${OWNERS_ALIASES.map((alias, i) => `${alias}: file(path: "${CODEOWNERS_PATHS[i]}") { ${BLOB} }`).join("\n            ")}
          }
        }
      }
    }
    orgPolicy: repository(owner: $owner, name: ".github") {
      nameWithOwner
      defaultBranchRef { target { ... on Commit { file(path: $policyPath) { ${BLOB} } } } }
    }
  }
`;

type RawFile = { object?: { byteSize?: number; isTruncated?: boolean; text?: string | null } | null } | null;
interface DoctorData {
  repository: {
    nameWithOwner: string;
    defaultBranchRef: {
      name: string;
      target: { oid: string; policy?: RawFile } & Partial<Record<(typeof OWNERS_ALIASES)[number], RawFile>>;
    } | null;
  } | null;
  orgPolicy?: { nameWithOwner: string; defaultBranchRef: { target: { file?: RawFile } } | null } | null;
}

/** A file as read: its text, or why there is none to judge. */
export type FileText = { path: string; text: string } | { path: string; unreadable: string };

export interface RepositoryReading {
  repository: string;
  branch: string;
  commit: string;
  /** `.github/guardrails.yml` at the default branch, or null when there is none. */
  policy: FileText | null;
  /** The owner's organisation policy (`OWNER/.github`), or null when there is none. */
  organizationPolicy: (FileText & { repository: string }) | null;
  codeOwners: FileText | null;
  enforcement: EnforcementReading;
}

export async function readRepository(options: {
  token: string;
  apiUrl: string;
  owner: string;
  repo: string;
  checkName: string;
}): Promise<RepositoryReading> {
  const octokit = new Octokit({ auth: options.token, baseUrl: options.apiUrl.replace(/\/+$/, "") });
  const data = await query(octokit, options.owner, options.repo);
  const repository = data.repository;
  if (!repository) throw new CliError(`${options.owner}/${options.repo} was not found, or the token cannot read it`);
  const branch = repository.defaultBranchRef;
  if (!branch) throw new CliError(`${repository.nameWithOwner} has no default branch (an empty repository)`);
  const ownersAt = OWNERS_ALIASES.findIndex((alias) => branch.target[alias]?.object);
  const org = data.orgPolicy?.defaultBranchRef?.target.file;
  const enforcement = await readEnforcement((route, parameters) => octokit.request(route, parameters), {
    owner: options.owner,
    repo: options.repo,
    branch: branch.name,
    checkName: options.checkName,
  });
  return {
    repository: repository.nameWithOwner,
    branch: branch.name,
    commit: branch.target.oid,
    policy: fileText(POLICY_PATH, branch.target.policy),
    organizationPolicy:
      data.orgPolicy && org?.object
        ? { repository: data.orgPolicy.nameWithOwner, ...fileText(POLICY_PATH, org)! }
        : null,
    codeOwners: ownersAt < 0 ? null : fileText(CODEOWNERS_PATHS[ownersAt]!, branch.target[OWNERS_ALIASES[ownersAt]!]),
    enforcement,
  };
}

function fileText(path: string, file: RawFile | undefined): FileText | null {
  const blob = file?.object;
  if (!blob) return null;
  if (blob.isTruncated || typeof blob.text !== "string")
    return { path, unreadable: `GitHub did not return its text (${blob.byteSize ?? "?"} bytes, or binary)` };
  return { path, text: blob.text };
}

/** The query; a repository GitHub cannot resolve (no `OWNER/.github`: no organisation policy) is an answer, not an error. */
async function query(octokit: Octokit, owner: string, name: string): Promise<DoctorData> {
  try {
    return await octokit.graphql<DoctorData>(DOCTOR_QUERY, { owner, name, policyPath: POLICY_PATH });
  } catch (error) {
    const partial = error as { data?: DoctorData; errors?: { type?: string; path?: string[] }[] };
    const notFound = partial.errors?.every((e) => e.type === "NOT_FOUND");
    if (partial.data && notFound) return partial.data;
    throw error;
  }
}
