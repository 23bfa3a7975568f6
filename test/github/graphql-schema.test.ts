/**
 * Every GraphQL document the app sends, checked against GitHub's published public schema
 * (@octokit/graphql-schema, read from node_modules; GitHub itself is out of reach): each document
 * in each variant its builder makes validates and uses no deprecated field. Then the readers run
 * over real HTTP against the FakeGitHub, and every GraphQL request they sent is checked as GitHub
 * would take it: the variables the code passes coerce to the declared types and are exactly the
 * declared ones, every connection asks for 1 to 100 nodes, the node count stays under GitHub's
 * 500,000 limit, and the fake's answer has GitHub's types and exactly the fields asked for (so the
 * fake cannot answer what GitHub would not).
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Octokit } from "@octokit/core";
import { readFileSync } from "node:fs";
import {
  buildSchema,
  executeSync,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getNamedType,
  getVariableValues,
  isCompositeType,
  Kind,
  NoDeprecatedCustomRule,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLTypeResolver,
  type OperationDefinitionNode,
  type SelectionNode,
} from "graphql";
import { mergedPullRequests } from "../../src/audit/github-audit.js";
import { readRepository } from "../../src/cli/doctor-read.js";
import type { GitHub } from "../../src/github/octokit.js";
import { fetchPreviewPullRequests, ORGANIZATION_QUERY, SAME_BASE_QUERY } from "../../src/github/preview-read.js";
import {
  MAX_COVERED_LOOKUP,
  pullRequestsOnHeadQuery,
  pullRequestsStillOnHead,
} from "../../src/github/pull-requests.js";
import { fetchSnapshot } from "../../src/github/snapshot.js";
import { COMMENTS_PAGE_QUERY, REVIEWS_PAGE_QUERY, SNAPSHOT_QUERY } from "../../src/github/snapshot-query.js";
import { AUDIT_QUERY } from "../../src/audit/github-audit.js";
import { DOCTOR_QUERY } from "../../src/cli/doctor-read.js";
import { CHECK_NAME } from "../../src/render/check-output.js";
import { FakeGitHub, POLICY_PATH, sha } from "../support/fake-github.js";
import { GitHubStandIn } from "../support/github-stand-in.js";

// GitHub's SDL declares EnterpriseOwnerInfo.repositoryDeployKeySetting twice (same type), which
// graphql-js's SDL check refuses; the schema is otherwise sound, so that check is skipped.
const SDL = new URL("../../node_modules/@octokit/graphql-schema/schema.graphql", import.meta.url);
const schema = buildSchema(readFileSync(SDL, "utf8"), { assumeValidSDL: true });

/** Every document the app sends, in every shape its builder makes (directives cover the rest). */
const DOCUMENTS: Record<string, string> = {
  GuardrailsPullRequest: SNAPSHOT_QUERY,
  GuardrailsReviews: REVIEWS_PAGE_QUERY,
  GuardrailsComments: COMMENTS_PAGE_QUERY,
  GuardrailsPullRequestsOnHead: pullRequestsOnHeadQuery([7]),
  [`GuardrailsPullRequestsOnHead x${MAX_COVERED_LOOKUP}`]: pullRequestsOnHeadQuery(
    Array.from({ length: MAX_COVERED_LOOKUP }, (_, i) => i + 1),
  ),
  GuardrailsPreview: SAME_BASE_QUERY,
  GuardrailsOrganizationPreview: ORGANIZATION_QUERY,
  GuardrailsAudit: AUDIT_QUERY,
  GuardrailsDoctor: DOCTOR_QUERY,
};
const OPERATIONS = [...new Set(Object.keys(DOCUMENTS).map((name) => name.split(" ")[0]!))];

const messages = (errors: readonly { message: string }[]) => errors.map((e) => e.message);
const operationOf = (document: DocumentNode) =>
  document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;

describe("every GraphQL document validates against GitHub's public schema", () => {
  it.each(Object.keys(DOCUMENTS))("%s", (name) => {
    const document = parse(DOCUMENTS[name]!);
    expect(messages(validate(schema, document))).toEqual([]);
    // GitHub removes deprecated fields on a schedule: none is used.
    expect(messages(validate(schema, document, [NoDeprecatedCustomRule]))).toEqual([]);
    expect(operationOf(document).name?.value).toBe(name.split(" ")[0]);
  });

  it("fails on a misspelt field, with GitHub's name for it", () => {
    const misspelt = SNAPSHOT_QUERY.replace("headRefOid", "headRefOdi");
    expect(messages(validate(schema, parse(misspelt)))).toEqual([
      expect.stringMatching(/^Cannot query field "headRefOdi" on type "PullRequest"\. Did you mean "headRefOid"/),
    ]);
  });
});

/** What GitHub checks of a query beyond the schema: connection sizes, the node count, and its rate-limit points. */
function connectionLimits(document: DocumentNode, variables: Record<string, unknown>) {
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const problems: string[] = [];
  let nodes = 0;
  let requests = 0; // GitHub's rate-limit formula: the requests each connection would need
  // A field left out by @include/@skip costs nothing.
  const asked = (node: SelectionNode) =>
    getDirectiveValues(GraphQLSkipDirective, node, variables)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
  const walk = (selections: readonly SelectionNode[], parent: GraphQLCompositeType, multiplier: number) => {
    for (const selection of selections) {
      if (!asked(selection)) continue;
      if (selection.kind !== Kind.FIELD) {
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value)! : selection;
        const on = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parent;
        walk(fragment.selectionSet.selections, on as GraphQLCompositeType, multiplier);
        continue;
      }
      if (selection.name.value === "__typename" || !("getFields" in parent)) continue;
      const field = parent.getFields()[selection.name.value];
      if (!field) continue; // an unknown field: validation reports it
      const type = getNamedType(field.type);
      let inner = multiplier;
      if (type.name.endsWith("Connection")) {
        const size = selection.arguments?.find((a) => a.name.value === "first" || a.name.value === "last")?.value;
        const value =
          size?.kind === Kind.INT
            ? Number(size.value)
            : size?.kind === Kind.VARIABLE
              ? variables[size.name.value]
              : undefined;
        if (typeof value !== "number" || value < 1 || value > 100)
          problems.push(`${selection.alias?.value ?? selection.name.value}: first/last is ${String(value)}`);
        requests += multiplier;
        inner = multiplier * (typeof value === "number" ? value : 100);
        nodes += inner;
      }
      if (selection.selectionSet && isCompositeType(type)) walk(selection.selectionSet.selections, type, inner);
    }
  };
  walk(operationOf(document).selectionSet.selections, schema.getQueryType()!, 1);
  return { problems, nodes, points: Math.max(1, Math.round(requests / 100)) };
}

/**
 * The fake's answer run through the schema as the data of the query: a wrong enum value, a null
 * where GitHub promises a value, a number as a string, or a field the query did not ask for shows.
 */
function answerErrors(document: DocumentNode, variables: Record<string, unknown>, data: unknown): string[] {
  // An object of an interface or union without __typename: the type its keys say (fragments first).
  const typeResolver: GraphQLTypeResolver<Record<string, unknown>, unknown> = (value, _context, info, abstract) => {
    if (typeof value.__typename === "string") return value.__typename;
    const named = info.fieldNodes.flatMap((node) =>
      (node.selectionSet?.selections ?? []).flatMap((s) =>
        s.kind === Kind.INLINE_FRAGMENT && s.typeCondition ? [s.typeCondition.name.value] : [],
      ),
    );
    const candidates = schema.getPossibleTypes(abstract).filter((t) => named.length === 0 || named.includes(t.name));
    return (
      candidates.find((t) => Object.keys(value).some((key) => key in t.getFields() && key !== "oid")) ?? candidates[0]
    )?.name;
  };
  const result = executeSync({
    schema,
    document,
    variableValues: variables,
    rootValue: data,
    fieldResolver: (source: Record<string, unknown>, _args, _context, info) => source[info.path.key as string],
    typeResolver,
  });
  return [...new Set([...messages(result.errors ?? []), ...differences(data, result.data, "")])];
}

/** Where the answer has a field the query did not ask for, or lacks one it asked for. */
function differences(answer: unknown, asked: unknown, path: string): string[] {
  if (Array.isArray(answer) && Array.isArray(asked))
    return [...new Set(answer.flatMap((item, i) => differences(item, asked[i], `${path}[]`)))];
  if (!isObject(answer) || !isObject(asked)) return [];
  const keys = new Set([...Object.keys(answer), ...Object.keys(asked)]);
  return [...keys].flatMap((key) =>
    !(key in asked)
      ? [`${path}.${key} was not asked for`]
      : !(key in answer)
        ? [`${path}.${key} is missing`]
        : differences(answer[key], asked[key], `${path}.${key}`),
  );
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** A repository with a PR that has a bit of everything the snapshot reads; returns its head. */
function populate(fake: FakeGitHub): string {
  const repo = fake.addRepository({ owner: "acme", name: "app", policy: "version: 1\n" });
  fake.setCodeOwners(repo, "main", "* @acme/platform\n");
  fake.addRepository({ owner: "acme", name: ".github", policy: "version: 1\ndefault_tier: medium\n" });
  const other = fake.addRepository({ owner: "acme", name: "lib", policy: "version: 1\n" });
  fake.addPullRequest(other, {
    number: 3,
    files: [{ filename: "a.ts", status: "added", additions: 1, deletions: 0 }],
  });
  // 150 reviews and 250 comments (none the app's): both follow-up pages are asked for.
  const pr = fake.addPullRequest(repo, {
    number: 1,
    headPolicy: "version: 1\ndefault_tier: low\n",
    labels: ["ready"],
    labelEvents: [{ label: "ready", actor: "maintainer" }],
    requestedReviewers: { users: ["bob"], teams: ["platform"] },
    reviews: Array.from({ length: 150 }, (_, i) => ({ user: `r${i}`, state: "APPROVED" as const, commit: sha("x") })),
    comments: Array.from({ length: 250 }, (_, i) => ({ id: 10_000 + i, body: `c${i}`, user: "c", byApp: false })),
    commitUsers: [{ author: "dev", committer: "web-flow" }],
    headForcePushedAt: "2026-12-01T00:00:00Z",
    baseChangedAt: "2026-12-01T00:00:00Z",
  });
  fake.addPullRequest(repo, {
    number: 2,
    headSha: pr.headSha,
    files: [{ filename: "b.ts", status: "modified", additions: 1, deletions: 1 }],
  });
  fake.setCiRun(repo, {
    headSha: pr.headSha,
    name: "test",
    appId: 15368,
    appSlug: "github-actions",
    status: "completed",
    conclusion: "success",
  });
  fake.setStatus(repo, { sha: pr.headSha, context: "ci/legacy", state: "pending" });
  fake.checkRuns.push({
    repo: "acme/app",
    id: fake.id(),
    headSha: pr.headSha,
    name: CHECK_NAME,
    appId: fake.appId,
    status: "completed",
    conclusion: "failure",
    title: "t",
    summary: "s",
    text: "x",
    externalId: null,
    completedAt: "2026-12-02T00:00:00Z",
    annotations: [],
    actions: [],
  });
  fake.addPullRequest(repo, {
    number: 4,
    state: "MERGED",
    mergedAt: "2026-12-03T00:00:00Z",
    updatedAt: "2026-12-03T00:00:00Z",
    mergedBy: "m",
    headSha: pr.headSha,
  });

  return pr.headSha;
}

/** Every reader of the app that sends GraphQL, in each of its variants. */
async function readEverything(fake: FakeGitHub, baseUrl: string, headSha: string): Promise<void> {
  const github = new Octokit({ auth: "token", baseUrl: baseUrl }) as unknown as GitHub;
  const target = { owner: "acme", repo: "app", number: 1 };
  await fetchSnapshot(github, target, fake.appId, POLICY_PATH);
  await fetchSnapshot(github, { ...target, previousHeadSha: sha("before") }, fake.appId, POLICY_PATH);
  await pullRequestsStillOnHead(github, target, [1, 2], headSha);
  await pullRequestsStillOnHead(
    github,
    target,
    Array.from({ length: MAX_COVERED_LOOKUP }, (_, i) => i + 1),
    headSha,
  );
  await fetchPreviewPullRequests(github, target, "main", "repository");
  await fetchPreviewPullRequests(github, target, "main", "organization");
  const audit = { token: "t", apiUrl: baseUrl, owner: "acme", repo: "app", checkName: CHECK_NAME };
  const period = { since: new Date("2026-12-01T00:00:00Z"), until: new Date("2026-12-05T00:00:00Z") };
  await mergedPullRequests({ ...audit, ...period, appId: fake.appId });
  await mergedPullRequests({ ...audit, ...period });
  await readRepository(audit);
}

describe("every GraphQL request the readers send, as GitHub would take it", () => {
  const fake = new FakeGitHub(4321, 1);
  const standIn = new GitHubStandIn({ fake });
  const sent: { operation: string; query: string; variables: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    await standIn.start();
    await readEverything(fake, standIn.baseUrl, populate(fake));
    for (const request of fake.requests.filter((r) => r.path === "/graphql")) {
      const body = request.body as { query: string; variables?: Record<string, unknown> };
      sent.push({ operation: request.operation ?? "", query: body.query, variables: body.variables ?? {} });
    }
  });

  afterAll(() => standIn.stop());

  it("covers every operation the app has, in each variant", () => {
    const counts: Record<string, number> = {};
    for (const { operation } of sent) counts[operation] = (counts[operation] ?? 0) + 1;
    expect(Object.keys(counts).sort()).toEqual([...OPERATIONS].sort());
    // Each snapshot (with and without the previous head) pages reviews and comments once; each
    // audit export walks the merged PRs twice (the second walk finds nothing moved).
    expect(counts).toEqual({
      GuardrailsPullRequest: 2,
      GuardrailsReviews: 2,
      GuardrailsComments: 2,
      GuardrailsPullRequestsOnHead: 2,
      GuardrailsPreview: 1,
      GuardrailsOrganizationPreview: 1,
      GuardrailsAudit: 4,
      GuardrailsDoctor: 1,
    });
  });

  /** One check over every request sent: the requests where it found something, and what. */
  const failing = (check: (request: (typeof sent)[number]) => string[]) =>
    sent.map((request) => ({ operation: request.operation, errors: check(request) })).filter((r) => r.errors.length);

  it("sends documents that validate, with exactly the declared variables, of the declared types", () => {
    const found = failing(({ query, variables }) => {
      const document = parse(query);
      const definitions = operationOf(document).variableDefinitions ?? [];
      const declared = definitions.map((d) => d.variable.name.value);
      return [
        ...messages(validate(schema, document)),
        ...Object.keys(variables)
          .filter((key) => !declared.includes(key))
          .map((key) => `$${key} is passed but not declared`),
        ...declared.filter((key) => !(key in variables)).map((key) => `$${key} is declared but not passed`),
        ...messages(getVariableValues(schema, definitions, variables).errors ?? []),
      ];
    });
    expect(found).toEqual([]);
  });

  it("stays inside GitHub's connection limits (1 to 100 per connection, 500,000 nodes per query)", () => {
    const found = failing(({ query, variables }) => {
      const { problems, nodes } = connectionLimits(parse(query), variables);
      return [...problems, ...(nodes > 500_000 ? [`${nodes} nodes`] : [])];
    });
    expect(found).toEqual([]);
  });

  it("keeps the snapshot at 1 point of GitHub's GraphQL rate limit (docs/performance.md)", () => {
    const snapshots = sent.filter((s) => s.operation === "GuardrailsPullRequest");
    expect(snapshots.map(({ query, variables }) => connectionLimits(parse(query), variables).points)).toEqual([1, 1]);
  });

  it("gets answers from the FakeGitHub in GitHub's types, with the fields asked for and no others", () => {
    const found = failing(({ query, variables }) => {
      const answer = fake.handle("POST", "/graphql", { query, variables }).body as { data?: unknown };
      return answerErrors(parse(query), variables, answer.data);
    });
    expect(found).toEqual([]);
  });
});
