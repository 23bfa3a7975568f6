/**
 * loadPolicy: every kind of problem at its exact line and column with a message that says what is
 * wrong, every problem at once, defaults filled in, and never an exception whatever the text.
 */
import { describe, expect, it } from "@jest/globals";
import { BUILT_IN_POLICY_YAML, builtInPolicy } from "../../src/policy/default.js";
import { loadPolicy, MAX_POLICY_BYTES, type PolicyProblem } from "../../src/policy/loader.js";
import {
  DEFAULT_EXEMPT_LABEL,
  DEFAULT_SOURCE_GLOBS,
  DEFAULT_TEST_GLOBS,
  DEFAULT_TICKET_PATTERN,
  DEFAULT_TIER_REQUIREMENTS,
  type Policy,
} from "../../src/policy/schema.js";

function problemsOf(text: string): PolicyProblem[] {
  const result = loadPolicy(text);
  if (result.ok) throw new Error(`expected problems, the policy loaded:\n${text}`);
  return result.problems;
}

function policyOf(text: string): Policy {
  const result = loadPolicy(text);
  if (!result.ok) throw new Error(`expected a policy, got ${JSON.stringify(result.problems)}`);
  return result.policy;
}

/** A rule whose paths are `globs`, the glob list starting at line 5, column 13. */
const ruleWithPaths = (globs: string) => `version: 1\nrules:\n  - name: a\n    tier: low\n    paths: [${globs}]\n`;

describe("each kind of problem, at its line and column", () => {
  it.each<[string, string, number, number, RegExp]>([
    // YAML syntax
    ["an unclosed flow sequence", "version: 1\nrules: [\n", 3, 1, /^YAML: Flow sequence .*must .*end with a \]/],
    [
      "a tab used for indentation",
      "version: 1\nrules:\n\t- name: x\n",
      3,
      1,
      /^YAML: a tab in the indentation; YAML indents with spaces only/,
    ],
    [
      "a nested mapping in a compact mapping",
      "version: 1\n  default_tier: low\n",
      1,
      10,
      /^YAML: a ": " inside an unquoted value starts a nested mapping: .*indent it like the keys beside it$/,
    ],
    ["an unknown tag", "version: !foo 1\n", 1, 10, /^YAML: Unresolved tag: !foo/],
    ["a second document", "version: 1\n---\nversion: 1\n", 2, 1, /^YAML: the policy must be a single document/],
    [
      "a duplicate key, at its second occurrence",
      "version: 1\ndefault_tier: low\ndefault_tier: high\n",
      3,
      1,
      /^YAML: Map keys must be unique/,
    ],
    [
      "a duplicate key in a nested mapping",
      "version: 1\ntiers:\n  low: {}\n  low: {}\n",
      4,
      3,
      /^YAML: Map keys must be unique/,
    ],
    ["a list used as a key", "version: 1\n? [a]\n: b\n", 2, 3, /^YAML: a key must be a plain name/],
    // unknown keys
    [
      "an unknown top-level key with a hint",
      "version: 1\ndefualt_tier: low\n",
      2,
      1,
      /^unknown key "defualt_tier" \(did you mean "default_tier"\?\); allowed: version, default_tier, rules,/,
    ],
    [
      "an unknown key in a rule with a hint",
      "version: 1\nrules:\n  - name: a\n    tier: low\n    paths: ['x/**']\n    exlude: ['y']\n",
      6,
      5,
      /^rules\[0\]: unknown key "exlude" \(did you mean "exclude"\?\); allowed: name, description, tier, paths, exclude, require$/,
    ],
    [
      "an unknown tier name with a hint",
      "version: 1\ntiers:\n  meduim: {}\n",
      3,
      3,
      /^tiers: unknown key "meduim" \(did you mean "medium"\?\); allowed: low, medium, high$/,
    ],
    [
      "an unknown requirement key with a hint",
      "version: 1\ntiers:\n  high:\n    aprovals: 2\n",
      4,
      5,
      /^tiers\.high: unknown key "aprovals" \(did you mean "approvals"\?\)/,
    ],
    [
      "an unknown key in an approver group",
      "version: 1\ntiers:\n  high:\n    approvers:\n      - { users: [alice], cuont: 2 }\n",
      5,
      27,
      /^tiers\.high\.approvers\[0\]: unknown key "cuont" \(did you mean "count"\?\); allowed: teams, users, count$/,
    ],
    [
      "an unknown key in size with a hint",
      "version: 1\nsize:\n  ignroe: []\n",
      3,
      3,
      /^size: unknown key "ignroe" \(did you mean "ignore"\?\); allowed: ignore, medium, high$/,
    ],
    [
      "an unknown key far from any allowed one: no hint",
      "version: 1\nzzzzzzzz: 1\n",
      2,
      1,
      /^unknown key "zzzzzzzz"; allowed: version,/,
    ],
    [
      "an unknown key in a flow mapping",
      "{version: 1, rules: [{name: a, tier: low, paths: ['x'], foo: 1}]}\n",
      1,
      57,
      /^rules\[0\]: unknown key "foo"; allowed:/,
    ],
    ["an empty key", "version: 1\n: x\n", 2, 1, /^unknown key ""; allowed:/],
    [
      "__proto__ is an unknown key like any other",
      "version: 1\n__proto__: { x: 1 }\n",
      2,
      1,
      /^unknown key "__proto__"/,
    ],
    // wrong types
    ["a scalar where a list belongs", "version: 1\nrules: nope\n", 2, 8, /^rules: expected a list, got "nope"$/],
    ["an empty value where a mapping belongs", "version: 1\nsize:\n", 2, 6, /^size: expected a mapping, got null$/],
    [
      "a string where a number belongs",
      "version: 1\nsize:\n  medium: { lines: many }\n",
      3,
      20,
      /^size\.medium\.lines: expected a number, got "many"$/,
    ],
    [
      "a fraction where a whole number belongs",
      "version: 1\ntiers:\n  medium:\n    approvals: 1.5\n",
      4,
      16,
      /^tiers\.medium\.approvals: expected a whole number, got number 1\.5$/,
    ],
    [
      "a negative count",
      "version: 1\ntiers:\n  medium:\n    approvals: -1\n",
      4,
      16,
      /^tiers\.medium\.approvals: must be at least 0, got number -1$/,
    ],
    [
      "yes is not a boolean",
      "version: 1\ntiers:\n  medium:\n    tests: yes\n",
      4,
      12,
      /^tiers\.medium\.tests: expected true or false, got "yes"$/,
    ],
    [
      "a label prefix of true",
      "version: 1\nlabels:\n  prefix: true\n",
      3,
      11,
      /^labels\.prefix: invalid value boolean true: expected a label prefix such as "risk:", or false$/,
    ],
    [
      "an approval group count of 0",
      "version: 1\ntiers:\n  high:\n    approvers:\n      - { users: [alice], count: 0 }\n",
      5,
      34,
      /^tiers\.high\.approvers\[0\]\.count: must be at least 1, got number 0$/,
    ],
    // tiers and enums
    [
      "an unknown default_tier",
      "version: 1\ndefault_tier: critical\n",
      2,
      15,
      /^default_tier: expected one of low, medium, high, got "critical"$/,
    ],
    [
      "an unknown rule tier",
      "version: 1\nrules:\n  - name: a\n    tier: urgent\n    paths: ['x']\n",
      4,
      11,
      /^rules\[0\]\.tier: expected one of low, medium, high, got "urgent"$/,
    ],
    [
      "an unknown agents.min_tier",
      "version: 1\nagents:\n  min_tier: severe\n",
      3,
      13,
      /^agents\.min_tier: expected one of low, medium, high, got "severe"$/,
    ],
    [
      "a missing rule tier, at the rule",
      "version: 1\nrules:\n  - name: a\n    paths: ['x']\n",
      3,
      5,
      /^rules\[0\]\.tier: is required: one of low, medium, high$/,
    ],
    [
      "a missing rule paths, at the rule",
      "version: 1\nrules:\n  - name: a\n    tier: low\n",
      3,
      5,
      /^rules\[0\]\.paths: is required$/,
    ],
    [
      "an unknown approvals.stale",
      "version: 1\napprovals:\n  stale: never\n",
      3,
      10,
      /^approvals\.stale: expected one of discard, keep, got "never"$/,
    ],
    // version
    ["version 2", "version: 2\n", 1, 10, /^version: must be 1/],
    [
      "version as a string",
      "version: '1'\n",
      1,
      10,
      /^version: must be the number 1, not the string "1": remove the quotes$/,
    ],
    ["no version, at the top of the file", "default_tier: low\n", 1, 1, /^version: is required and must be 1/],
    // globs
    [
      "a negated glob",
      ruleWithPaths("'!docs/**'"),
      5,
      13,
      /^rules\[0\]\.paths\[0\]: negated glob "!docs\/\*\*" is not allowed in a list: use "exclude"$/,
    ],
    [
      "an unclosed brace",
      ruleWithPaths("'src/{a,b/**'"),
      5,
      13,
      /^rules\[0\]\.paths\[0\]: invalid glob "src\/\{a,b\/\*\*": unclosed "\{"$/,
    ],
    [
      "an unclosed bracket",
      ruleWithPaths("'src/[ab/**'"),
      5,
      13,
      /^rules\[0\]\.paths\[0\]: invalid glob "src\/\[ab\/\*\*": unclosed "\["$/,
    ],
    [
      "more than two ** in one glob",
      ruleWithPaths("'**/a/**/a/**/b'"),
      5,
      13,
      /^rules\[0\]\.paths\[0\]: glob "\*\*\/a\/\*\*\/a\/\*\*\/b" has more than two "\*\*"/,
    ],
    [
      "more than 3 stars in one segment",
      ruleWithPaths("'**/*a*a*a*b'"),
      5,
      13,
      /^rules\[0\]\.paths\[0\]: glob "\*\*\/\*a\*a\*a\*b" has more than 3 "\*" in the segment/,
    ],
    [
      "a stray closing brace",
      ruleWithPaths("'src/a}/**'"),
      5,
      13,
      /^rules\[0\]\.paths\[0\]: invalid glob "src\/a\}\/\*\*": "\}" without a matching "\{"$/,
    ],
    ["a leading slash", ruleWithPaths("'/src/**'"), 5, 13, /^rules\[0\]\.paths\[0\]: glob "\/src\/\*\*" is absolute/],
    [
      "a trailing slash",
      ruleWithPaths("'src/'"),
      5,
      13,
      /^rules\[0\]\.paths\[0\]: glob "src\/" ends with "\/" and so matches no file: write "src\/\*\*"$/,
    ],
    ["an empty glob", ruleWithPaths("''"), 5, 13, /^rules\[0\]\.paths\[0\]: glob is empty$/],
    ["a blank glob", ruleWithPaths("'  '"), 5, 13, /^rules\[0\]\.paths\[0\]: glob is empty$/],
    [
      "a leading ./",
      ruleWithPaths("'./src/**'"),
      5,
      13,
      /^rules\[0\]\.paths\[0\]: glob "\.\/src\/\*\*" starts with "\.\/"/,
    ],
    [
      "an empty path segment",
      ruleWithPaths("'src//a'"),
      5,
      13,
      /^rules\[0\]\.paths\[0\]: invalid glob "src\/\/a": empty path segment/,
    ],
    [
      "the second glob of a list",
      ruleWithPaths("'ok/**', '!bad'"),
      5,
      22,
      /^rules\[0\]\.paths\[1\]: negated glob "!bad"/,
    ],
    ["an empty paths list", ruleWithPaths(""), 5, 12, /^rules\[0\]\.paths: needs at least 1 item$/],
    [
      "an invalid exclude glob",
      "version: 1\nrules:\n  - name: a\n    tier: low\n    paths: ['x/**']\n    exclude:\n      - 'x/{a'\n",
      7,
      9,
      /^rules\[0\]\.exclude\[0\]: invalid glob "x\/\{a": unclosed "\{"$/,
    ],
    [
      "an invalid size.ignore glob",
      "version: 1\nsize:\n  ignore: ['!**/*.lock']\n",
      3,
      12,
      /^size\.ignore\[0\]: negated glob/,
    ],
    [
      "an invalid tests.source glob",
      "version: 1\ntests:\n  source: ['/src/**']\n",
      3,
      12,
      /^tests\.source\[0\]: glob "\/src\/\*\*" is absolute/,
    ],
    [
      "an invalid tests.tests glob",
      "version: 1\ntests:\n  tests: ['test/']\n",
      3,
      11,
      /^tests\.tests\[0\]: glob "test\/" ends with "\/"/,
    ],
    // ticket regex
    [
      "a backreference in the ticket pattern",
      "version: 1\nticket:\n  pattern: '(a)\\1'\n",
      3,
      12,
      /^ticket\.pattern: invalid regular expression "\(a\)\\1": .*\(RE2 syntax: no backreferences or lookaround\)$/,
    ],
    [
      "a lookahead in the ticket pattern",
      "version: 1\nticket:\n  pattern: '(?=ABC)[A-Z]+'\n",
      3,
      12,
      /^ticket\.pattern: invalid regular expression "\(\?=ABC\)\[A-Z\]\+": .*\(RE2 syntax: no backreferences or lookaround\)$/,
    ],
    [
      "a lookbehind in the ticket pattern",
      "version: 1\nticket:\n  pattern: '(?<!x)y'\n",
      3,
      12,
      /^ticket\.pattern: invalid regular expression/,
    ],
    [
      "an unbalanced parenthesis in the ticket pattern",
      "version: 1\nticket:\n  pattern: 'ABC-(\\d+'\n",
      3,
      12,
      /^ticket\.pattern: invalid regular expression "ABC-\(\\d\+"/,
    ],
    ["an empty ticket pattern", "version: 1\nticket:\n  pattern: ''\n", 3, 12, /^ticket\.pattern: must not be empty$/],
    // rule names
    [
      "a duplicate rule name, at the second rule's name",
      "version: 1\nrules:\n  - name: a\n    tier: low\n    paths: ['x/**']\n  - name: a\n    tier: high\n    paths: ['y/**']\n",
      6,
      11,
      /^rules\[1\]\.name: duplicate rule name "a"$/,
    ],
    [
      "a rule name with capitals and underscores",
      "version: 1\nrules:\n  - name: Auth_Rules\n    tier: low\n    paths: ['x/**']\n",
      3,
      11,
      /^rules\[0\]\.name: rule names use lowercase letters, digits and single dashes/,
    ],
    [
      "a rule name with a double dash",
      "version: 1\nrules:\n  - name: a--b\n    tier: low\n    paths: ['x/**']\n",
      3,
      11,
      /^rules\[0\]\.name: rule names use lowercase letters/,
    ],
    [
      "a rule name with a trailing dash",
      "version: 1\nrules:\n  - name: auth-\n    tier: low\n    paths: ['x/**']\n",
      3,
      11,
      /^rules\[0\]\.name: rule names use lowercase letters/,
    ],
    // approver groups
    [
      "an approver group without teams or users",
      "version: 1\ntiers:\n  high:\n    approvers:\n      - count: 2\n",
      5,
      9,
      /^tiers\.high\.approvers\[0\]: an approver group needs at least one of "teams" or "users"$/,
    ],
    [
      "an approver group with empty teams and users",
      "version: 1\nrules:\n  - name: a\n    tier: high\n    paths: ['x']\n    require:\n      approvers: [{ teams: [], users: [] }]\n",
      7,
      19,
      /^rules\[0\]\.require\.approvers\[0\]: an approver group needs at least one of "teams" or "users"$/,
    ],
    [
      "a user that is not a GitHub login",
      "version: 1\ntiers:\n  high:\n    approvers:\n      - users: ['bad user']\n",
      5,
      17,
      /^tiers\.high\.approvers\[0\]\.users\[0\]: expected a GitHub login/,
    ],
    [
      "a login with an underscore that is not an Enterprise Managed User's",
      "version: 1\ntiers:\n  high:\n    approvers:\n      - users: ['_mona']\n",
      5,
      17,
      /^tiers\.high\.approvers\[0\]\.users\[0\]: expected a GitHub login/,
    ],
    // the document as a whole
    ["an empty file", "", 1, 1, /^the policy is empty: it needs at least `version: 1`$/],
    ["a file with only comments", "# policy\n\n# to come\n", 1, 1, /^the policy is empty/],
    ["a list instead of a mapping", "- version: 1\n", 1, 1, /^expected a mapping, got a list$/],
    ["a scalar instead of a mapping", "hello\n", 1, 1, /^expected a mapping, got "hello"$/],
  ])("%s", (_name, text, line, column, message) => {
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toEqual({ line, column, message: expect.stringMatching(message) });
  });

  it("CRLF line endings give the same lines and columns", () => {
    expect(problemsOf("version: 1\r\ntiers:\r\n  meduim: {}\r\n")).toEqual([
      { line: 3, column: 3, message: expect.stringMatching(/unknown key "meduim"/) },
    ]);
  });

  it("columns count from 1 after leading spaces and comments", () => {
    const text =
      "# Guardrails\nversion: 1\n\n# rules below\nrules:\n    -   name: a\n        tier: nope\n        paths: ['x']\n";
    expect(problemsOf(text)).toEqual([
      { line: 7, column: 15, message: expect.stringMatching(/^rules\[0\]\.tier: expected one of/) },
    ]);
  });
});

describe("every problem at once", () => {
  it("reports several problems of different kinds, sorted by position", () => {
    const text = [
      "version: 1", //                                 1
      "default_tier: extreme", //                      2
      "rules:", //                                     3
      "  - name: Bad", //                              4
      "    tier: low", //                              5
      "    paths: ['!x', 'src/{a']", //                6
      "  - name: ok", //                               7
      "    tier: hihg", //                             8
      "    paths: ['y/**']", //                        9
      "size:", //                                      10
      "  ignroe: []", //                               11
      "ticket:", //                                    12
      "  pattern: '(?=x)'", //                         13
      "tiers:", //                                     14
      "  high:", //                                    15
      "    approvers: [{ count: 1 }]", //              16
      "",
    ].join("\n");
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.line, p.column])).toEqual([
      [2, 15],
      [4, 11],
      [6, 13],
      [6, 19],
      [8, 11],
      [11, 3],
      [13, 12],
      [16, 17],
    ]);
    expect(problems.map((p) => p.message.split(":")[0])).toEqual([
      "default_tier",
      "rules[0].name",
      "rules[0].paths[0]",
      "rules[0].paths[1]",
      "rules[1].tier",
      "size",
      "ticket.pattern",
      "tiers.high.approvers[0]",
    ]);
  });

  it("reports two unknown keys of one mapping separately", () => {
    const problems = problemsOf("version: 1\nfoo: 1\nbar: 2\n");
    expect(problems).toEqual([
      { line: 2, column: 1, message: expect.stringMatching(/^unknown key "foo"/) },
      { line: 3, column: 1, message: expect.stringMatching(/^unknown key "bar"/) },
    ]);
  });

  it("reports an unknown key and a problem of the same mapping both", () => {
    expect(problemsOf("version: 1\ntiers:\n  high:\n    approvers:\n      - team: [sec]\n")).toEqual([
      {
        line: 5,
        column: 9,
        message: expect.stringMatching(/^tiers\.high\.approvers\[0\]: unknown key "team" \(did you mean "teams"\?\)/),
      },
      {
        line: 5,
        column: 9,
        message: expect.stringMatching(
          /^tiers\.high\.approvers\[0\]: an approver group needs at least one of "teams" or "users"$/,
        ),
      },
    ]);
  });

  it("reports YAML syntax errors on several lines, one per line", () => {
    const problems = problemsOf("version: 1\nrules: a: b\nsize:\n  x: y: z\n");
    expect(problems.map((p) => p.line)).toEqual([2, 4]);
    for (const p of problems) expect(p.message).toMatch(/^YAML: /);
  });
});

describe("hostile and odd input", () => {
  const bomb = [
    "a: &a [x, x, x, x, x, x, x, x, x, x]",
    ...["b", "c", "d", "e", "f", "g", "h", "i"].map((name, i) => {
      const previous = "abcdefgh"[i]!;
      return `${name}: &${name} [${Array(10).fill(`*${previous}`).join(", ")}]`;
    }),
    "version: 1",
    "",
  ].join("\n");

  it("an alias bomb is refused quickly instead of expanding", () => {
    const started = Date.now();
    const problems = problemsOf(bomb);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(problems).toEqual([{ line: 1, column: 1, message: expect.stringMatching(/^YAML: .*alias/i) }]);
  });

  it("a few aliases within a sane count are fine", () => {
    const policy = policyOf("version: 1\nsize:\n  ignore: &lock ['**/*.lock']\ntests:\n  tests: *lock\n");
    expect(policy.tests.tests).toEqual(["**/*.lock"]);
  });

  it("refuses text over 256 KiB without parsing it", () => {
    const text = `version: 1\n${"# padding\n".repeat(Math.ceil(MAX_POLICY_BYTES / 10))}`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(MAX_POLICY_BYTES);
    expect(problemsOf(text)).toEqual([{ line: 1, column: 1, message: "the policy is larger than 256 KiB" }]);
  });

  it("counts bytes, not characters, against the limit", () => {
    const text = `version: 1\n# ${"é".repeat(MAX_POLICY_BYTES / 2)}\n`;
    expect(text.length).toBeLessThan(MAX_POLICY_BYTES);
    expect(problemsOf(text)[0]!.message).toBe("the policy is larger than 256 KiB");
  });

  it("accepts a valid policy just under the limit", () => {
    const text = `version: 1\n${"#".repeat(MAX_POLICY_BYTES - 100)}\n`;
    expect(policyOf(text).default_tier).toBe("medium");
  });

  it.each<[string, string]>([
    ["NUL and control characters", "\u0000\u0001\u0002version: 1\u0007\n"],
    ["a lone surrogate", "\uD800version: 1\n"],
    ["random bytes", Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) % 256)).toString("latin1")],
    ["a replacement-character soup", "\uFFFD".repeat(5000)],
    ["deeply nested flow sequences", `version: 1\nrules: ${"[".repeat(20000)}\n`],
    [
      "deeply nested block mappings",
      `version: 1\n${Array.from({ length: 500 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n")}\n`,
    ],
    ["only a document marker", "---\n"],
    ["only whitespace", "   \n\n\t\n"],
    ["a tab before a value", "version:\t1\nrules:\t[]\n"],
    ["a very long line", `version: 1\nrules: ${"x".repeat(200000)}\n`],
    [
      "many problems",
      `version: 1\nrules:\n${Array.from({ length: 500 }, (_, i) => `  - name: R${i}\n    tier: x\n    paths: ['!a']\n`).join("")}`,
    ],
    ["a merge key", "version: 1\nbase: &b { tier: low }\nrules:\n  - <<: *b\n    name: a\n    paths: ['x']\n"],
    ["a mapping as a key", "version: 1\n? {a: 1}\n: b\n"],
    ["a directive", "%YAML 1.1\n---\nversion: 1\n"],
    ["a byte-order mark", "\uFEFFversion: 1\n"],
  ])("never throws on %s", (_name, text) => {
    const started = Date.now();
    const result = loadPolicy(text);
    expect(Date.now() - started).toBeLessThan(5000);
    if (!result.ok) {
      expect(result.problems.length).toBeGreaterThan(0);
      for (const p of result.problems) {
        expect(p.line).toBeGreaterThanOrEqual(1);
        expect(p.column).toBeGreaterThanOrEqual(1);
        expect(typeof p.message).toBe("string");
      }
    } else {
      expect(result.policy.version).toBe(1);
    }
  });

  it.each<[string, unknown]>([
    ["undefined", undefined],
    ["null", null],
    ["a number", 42],
    ["an object", { version: 1 }],
  ])("never throws when given %s instead of text", (_name, input) => {
    expect(loadPolicy(input as string)).toEqual({
      ok: false,
      problems: [{ line: 1, column: 1, message: "the policy is not text" }],
    });
  });
});

describe("logins", () => {
  it.each(["mona", "Mona-Lisa", "a1", "mona_octo", "m-l_acme1"])("accepts %s as an approver", (user) => {
    expect(
      policyOf(`version: 1\ntiers:\n  high:\n    approvers:\n      - users: ['${user}']\n`).tiers.high.approvers,
    ).toEqual([{ users: [user], count: 1 }]);
  });
});

describe("defaults", () => {
  it("`version: 1` alone gives the documented defaults", () => {
    const policy = policyOf("version: 1\n");
    expect(policy).toEqual({
      version: 1,
      default_tier: "medium",
      rules: [],
      size: { ignore: [] },
      tests: { source: DEFAULT_SOURCE_GLOBS, tests: DEFAULT_TEST_GLOBS, exempt_label: DEFAULT_EXEMPT_LABEL },
      ticket: { pattern: DEFAULT_TICKET_PATTERN },
      agents: { authors: [], co_authors: [], trailers: ["Co-authored-by"], min_tier: "medium" },
      policy_change: {},
      approvals: { stale: "discard", request_reviews: false, ignore_contributors: false },
      tiers: DEFAULT_TIER_REQUIREMENTS,
      labels: { prefix: "risk:" },
      mode: "enforce",
    });
  });

  it("the documented default values", () => {
    expect(DEFAULT_TICKET_PATTERN).toBe("[A-Z][A-Z0-9]+-[0-9]+");
    expect(DEFAULT_EXEMPT_LABEL).toBe("no-tests-needed");
    expect(DEFAULT_TIER_REQUIREMENTS).toEqual({
      low: {},
      medium: { approvals: 1, tests: true },
      high: { approvals: 2, tests: true, checklist: ["Rollback plan is described in the PR"] },
    });
  });

  it("the default tiers demand what the built-in policy's tiers demand", () => {
    expect(builtInPolicy().tiers).toEqual(DEFAULT_TIER_REQUIREMENTS);
  });

  it("a tier left out of `tiers` gets the default's; `low: {}` demands nothing", () => {
    const policy = policyOf("version: 1\ntiers:\n  low: {}\n  high:\n    approvals: 3\n");
    expect(policy.tiers.low).toEqual({});
    expect(policy.tiers.medium).toEqual(DEFAULT_TIER_REQUIREMENTS.medium);
    expect(policy.tiers.high).toEqual({ approvals: 3 });
  });

  it("an empty `tiers` mapping gives every default tier", () => {
    expect(policyOf("version: 1\ntiers: {}\n").tiers).toEqual(DEFAULT_TIER_REQUIREMENTS);
  });

  it("a section given partly gets defaults for the rest", () => {
    const policy = policyOf("version: 1\ntests:\n  source: ['app/**']\nagents:\n  authors: ['*[bot]']\n");
    expect(policy.tests).toEqual({ source: ["app/**"], tests: DEFAULT_TEST_GLOBS, exempt_label: DEFAULT_EXEMPT_LABEL });
    expect(policy.agents).toEqual({
      authors: ["*[bot]"],
      co_authors: [],
      trailers: ["Co-authored-by"],
      min_tier: "medium",
    });
  });

  it("an approver group's count defaults to 1", () => {
    const policy = policyOf("version: 1\ntiers:\n  high:\n    approvers: [{ teams: [security] }]\n");
    expect(policy.tiers.high.approvers).toEqual([{ teams: ["security"], count: 1 }]);
  });

  it("labels can be turned off with false", () => {
    expect(policyOf("version: 1\nlabels:\n  prefix: false\n").labels.prefix).toBe(false);
  });

  it("checklist items are trimmed", () => {
    expect(
      policyOf("version: 1\ntiers:\n  high:\n    checklist: ['  Rollback plan  ']\n").tiers.high.checklist,
    ).toEqual(["Rollback plan"]);
  });

  it("the built-in policy YAML loads", () => {
    const result = loadPolicy(BUILT_IN_POLICY_YAML);
    expect(result.ok).toBe(true);
  });

  it("the full example of the product contract loads", () => {
    const policy = policyOf(`version: 1
default_tier: medium
rules:
  - name: docs
    tier: low
    paths: ["docs/**", "**/*.md"]
  - name: auth
    tier: high
    paths: ["src/auth/**", "src/session/**"]
    exclude: ["**/*.md"]
    require:
      approvers:
        - teams: [security]
          users: [alice]
          count: 1
      checklist:
        - Threat model reviewed for this change
  - name: infra
    tier: high
    paths: ["infra/**", "**/*.tf", ".github/workflows/**"]
size:
  ignore: ["**/package-lock.json", "**/*.snap"]
  medium: { lines: 200, files: 20 }
  high:   { lines: 1000, files: 100 }
tests:
  source: ["src/**"]
  tests: ["test/**", "**/*.test.*", "**/__tests__/**"]
  exempt_label: no-tests-needed
ticket:
  pattern: "[A-Z][A-Z0-9]+-[0-9]+"
agents:
  authors: ["*[bot]", "copilot-swe-agent"]
  co_authors: ["*copilot*", "*claude*"]
  min_tier: medium
  require:
    approvals: 1
policy_change:
  require:
    approvers: [{ teams: [platform] }]
approvals:
  stale: discard
tiers:
  low: {}
  medium:
    approvals: 1
    tests: true
  high:
    approvals: 2
    tests: true
    ticket: true
    approvers: [{ teams: [security-reviewers], count: 1 }]
    checklist:
      - Rollback plan is described in the PR
      - Dashboards and alerts cover the change
labels:
  prefix: "risk:"
`);
    expect(policy.rules.map((r) => r.name)).toEqual(["docs", "auth", "infra"]);
    expect(policy.policy_change.require?.approvers).toEqual([{ teams: ["platform"], count: 1 }]);
  });
});
