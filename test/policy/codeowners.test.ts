/**
 * The CODEOWNERS reader against GitHub's documented semantics ("About code owners": its example
 * file and its syntax exceptions), and against the reader's own invariants (property tests).
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { MAX_CODEOWNERS_BYTES, parseCodeOwners } from "../../src/policy/codeowners.js";

/** GitHub's documented example file, as published. */
const GITHUB_EXAMPLE = `# This is a comment.
# Each line is a file pattern followed by one or more owners.

# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
# @global-owner1 and @global-owner2 will be requested for
# review when someone opens a pull request.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most
# precedence. When someone opens a pull request that only
# modifies JS files, only @js-owner and not the global
# owner(s) will be requested for a review.
*.js    @js-owner #This is an inline comment.

# You can also use email addresses if you prefer. They'll be
# used to look up users just like we do for commit author
# emails.
*.go docs@example.com

# Teams can be specified as code owners as well. Teams should
# be identified in the format @org/team-name. Teams must have
# explicit write access to the repository. In this example,
# the octocats team in the octo-org organization owns all .txt files.
*.txt @octo-org/octocats

# In this example, @doctocat owns any files in the build/logs
# directory at the root of the repository and any of its
# subdirectories.
/build/logs/ @doctocat

# The \`docs/*\` pattern will match files like
# \`docs/getting-started.md\` but not further nested files like
# \`docs/build-app/troubleshooting.md\`.
docs/*  docs@example.com

# In this example, @octocat owns any file in an apps directory
# anywhere in your repository.
apps/ @octocat

# In this example, @doctocat owns any file in the \`/docs\`
# directory in the root of your repository and any of its
# subdirectories.
/docs/ @doctocat

# In this example, any change inside the \`/scripts\` directory
# will require approval from @doctocat or @octocat.
/scripts/ @doctocat @octocat

# In this example, @octocat owns any file in a \`/logs\` directory such as
# \`/build/logs\`, \`/scripts/logs\`, and \`/deeply/nested/logs\`. Any changes
# in a \`/logs\` directory will require approval from @octocat.
**/logs @octocat

# In this example, @octocat owns any file in the \`/apps\`
# directory in the root of your repository except for the \`/apps/github\`
# subdirectory, as its owners are left empty. Without an owner, changes
# to \`apps/github\` can be made with the approval of any user who has
# write access to the repository.
/apps/ @octocat
/apps/github

# In this example, @octocat owns any file in the \`/apps\`
# directory in the root of your repository except for the \`/apps/github\`
# subdirectory, as this subdirectory has its own owner @doctocat
/apps/ @octocat
/apps/github @doctocat
`;

const owners = (text: string, path: string) =>
  parseCodeOwners(text)
    .ownersOf(path)
    .owners.map((o) => o.text);

describe("GitHub's documented example", () => {
  const file = parseCodeOwners(GITHUB_EXAMPLE);

  it("reads every line without a problem", () => {
    expect(file.problems).toEqual([]);
    expect(file.lines.map((l) => l.pattern)).toEqual([
      "*",
      "*.js",
      "*.go",
      "*.txt",
      "/build/logs/",
      "docs/*",
      "apps/",
      "/docs/",
      "/scripts/",
      "**/logs",
      "/apps/",
      "/apps/github",
      "/apps/",
      "/apps/github",
    ]);
  });

  it.each([
    ["README.md", ["@global-owner1", "@global-owner2"], "the default owners"],
    ["src/index.js", ["@js-owner"], "the last matching line wins over *; the inline comment is not an owner"],
    ["main.go", ["docs@example.com"], "an e-mail owner"],
    ["notes/a.txt", ["@octo-org/octocats"], "a team"],
    ["build/logs/today.log", ["@octocat"], "**/logs, later, wins over /build/logs/"],
    ["build/logs/deep/er/x.txt", ["@octocat"], "everything below a matched directory"],
    ["docs/getting-started.md", ["@doctocat"], "/docs/ comes after docs/*"],
    ["docs/build-app/troubleshooting.md", ["@doctocat"], "/docs/ covers nested files"],
    ["service/apps/x/y.rb", ["@octocat"], "apps/ at any depth"],
    ["apps/main.rb", ["@octocat"], "/apps/"],
    ["apps/github/x.rb", ["@doctocat"], "/apps/github, the last line"],
    ["scripts/run.sh", ["@doctocat", "@octocat"], "two owners"],
    ["deeply/nested/logs/app.log", ["@octocat"], "**/logs at depth"],
  ])("%s → %j (%s)", (path, expected) => {
    expect(file.ownersOf(path).owners.map((o) => o.text)).toEqual(expected);
  });

  it("reports which line decided", () => {
    expect(file.ownersOf("apps/github/x.rb").line?.line).toBe(
      GITHUB_EXAMPLE.split("\n").indexOf("/apps/github @doctocat") + 1,
    );
  });
});

describe("patterns (gitignore-style, with GitHub's exceptions)", () => {
  it.each([
    // [pattern, path, matches]
    ["docs/*", "docs/getting-started.md", true],
    ["docs/*", "docs/build-app/troubleshooting.md", false],
    ["/*", "README.md", true],
    ["/*", "src/a.ts", false],
    ["*", "src/deep/a.ts", true],
    ["*.js", "a/b/c.js", true],
    ["*.js", "a/b/c.jsx", false],
    ["*.test.ts", "src/x.test.ts", true],
    ["*.test.ts", "src/x.spec.ts", false],
    ["apps/", "apps", false],
    ["apps/", "apps/x", true],
    ["apps/", "a/apps/b/c", true],
    ["apps", "apps", true],
    ["apps", "x/apps", true],
    ["/apps", "x/apps", false],
    ["/build/logs/", "build/logs/a", true],
    ["/build/logs/", "x/build/logs/a", false],
    ["build/logs", "x/build/logs/a", false],
    ["**/logs", "logs/a", true],
    ["**/logs", "a/b/logs/c", true],
    ["**/logs", "a/b/logs", true],
    ["src/**", "src/a/b.ts", true],
    ["src/**", "src", false],
    ["src/**/*.sql", "src/m.sql", true],
    ["src/**/*.sql", "src/a/b/m.sql", true],
    ["src/**/*.sql", "lib/src/m.sql", false],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["a/**/b", "a/x/y/c", false],
    ["/**", "anything/at/all", true],
    ["?.md", "a.md", true],
    ["?.md", "ab.md", false],
    ["a*b*c", "axxbyyc", true],
    ["a*b*c", "axxbyy", false],
    ["Docs/", "docs/a.md", false],
    ["path\\ with\\ spaces/", "path with spaces/a", true],
    // Issue 19 items 14 and 15, each row as `git check-ignore --no-index` answers it (a directory
    // that a pattern matches covers everything beneath it; a backslash makes `*` and `?` literal).
    ["/services/*/", "services/api/main.go", true],
    ["/services/*/", "services/api/deep/x.go", true],
    ["/services/*/", "services/x.go", false],
    ["/services/*/", "other/services/api/main.go", false],
    ["services/*/", "services/api/main.go", true],
    ["/*/", "services/api/main.go", true],
    ["/*/", "README.md", false],
    ["a\\*b", "a*b", true],
    ["a\\*b", "axb", false],
    ["a\\?b", "a?b", true],
    ["a\\?b", "axb", false],
    ["\\*.go", "d/*.go", true],
    ["\\*.go", "x.go", false],
    ["/x/\\*/y", "x/*/y", true],
    ["/x/\\*/y", "x/a/y", false],
    ["*\\?", "src/what?", true],
    ["*\\?", "src/whatx", false],
    ["a\\**", "a*b/c", true],
    ["a\\**", "ab", false],
  ])("%s matches %s: %s", (pattern, path, matches) => {
    expect(owners(`${pattern} @owner`, path)).toEqual(matches ? ["@owner"] : []);
  });

  it("a trailing lone `*` with a slash gives every service's files to their owner (the issue's case)", () => {
    const file = parseCodeOwners("* @org/everyone\n/services/*/ @org/platform\n");
    expect(file.problems).toEqual([]);
    expect(file.ownersOf("services/api/main.go").owners.map((o) => o.text)).toEqual(["@org/platform"]);
    expect(file.ownersOf("services/README.md").owners.map((o) => o.text)).toEqual(["@org/everyone"]);
  });

  it("an escaped `*` or `?` is a literal character: it owns only the file of that name", () => {
    const file = parseCodeOwners("* @org/everyone\n/docs/\\*.md @docs-owner\n");
    expect(file.lines[1]!.pattern).toBe("/docs/\\*.md");
    expect(file.ownersOf("docs/*.md").owners.map((o) => o.text)).toEqual(["@docs-owner"]);
    expect(file.ownersOf("docs/guide.md").owners.map((o) => o.text)).toEqual(["@org/everyone"]);
  });

  it("a pattern without owners un-assigns, and a later line assigns again", () => {
    const text = "* @all\n/vendor/\n/vendor/ours/ @us\n";
    expect(owners(text, "vendor/lib.c")).toEqual([]);
    expect(parseCodeOwners(text).ownersOf("vendor/lib.c").line?.pattern).toBe("/vendor/");
    expect(owners(text, "vendor/ours/x.c")).toEqual(["@us"]);
    expect(owners(text, "src/x.c")).toEqual(["@all"]);
  });

  it("no matching line: no owners and no deciding line", () => {
    const result = parseCodeOwners("/src/ @a\n").ownersOf("lib/x");
    expect(result).toEqual({ owners: [] });
  });
});

describe("invalid lines are skipped and reported with their line number", () => {
  const text = [
    "* @all",
    "\\#hash @x",
    "!*.md @x",
    "*.[ch] @x",
    "/src/ alice",
    "/lib/ @a @@b",
    "/ @x",
    "   # an indented comment",
    "",
    "/ok/ @ok @acme/team-1 ops@example.com",
  ].join("\n");
  const file = parseCodeOwners(text);

  it("each problem names its line and column", () => {
    expect(file.problems.map((p) => [p.line, p.column])).toEqual([
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 7],
      [6, 10],
      [7, 1],
    ]);
    expect(file.problems[0]!.message).toMatch(/escaping a leading #/);
    expect(file.problems[1]!.message).toMatch(/negation/);
    expect(file.problems[2]!.message).toMatch(/\[ \]/);
    expect(file.problems[3]!.message).toMatch(/"alice" is not an owner/);
    expect(file.problems[5]!.message).toMatch(/matches nothing/);
  });

  it("the skipped lines take no part: earlier lines decide", () => {
    expect(owners(text, "a.md")).toEqual(["@all"]);
    expect(owners(text, "src/a.c")).toEqual(["@all"]);
    expect(owners(text, "ok/x")).toEqual(["@ok", "@acme/team-1", "ops@example.com"]);
    expect(file.ownersOf("ok/x").owners.map((o) => o.kind)).toEqual(["user", "team", "email"]);
  });

  it("CRLF line ends read alike", () => {
    expect(parseCodeOwners(text.replace(/\n/g, "\r\n")).problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it("a file of 3 MB or more is not loaded (GitHub's limit): no owners, one problem", () => {
    const big = "* @all\n" + "#".repeat(MAX_CODEOWNERS_BYTES);
    const file = parseCodeOwners(big);
    expect(file.lines).toEqual([]);
    expect(file.problems).toHaveLength(1);
    expect(file.ownersOf("a").owners).toEqual([]);
  });
});

describe("invariants (property tests)", () => {
  const segment = fc.constantFrom(
    "src",
    "docs",
    "apps",
    "logs",
    "a.js",
    "b.ts",
    "x.test.ts",
    "README.md",
    "github",
    "build",
    "*",
    "**",
    "*.js",
    "?.ts",
    "a*",
  );
  const patternArb = fc
    .tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([lead, parts, trail]) => `${lead ? "/" : ""}${parts.join("/")}${trail ? "/" : ""}`);
  const pathArb = fc
    .array(
      fc.constantFrom("src", "docs", "apps", "logs", "a.js", "b.ts", "x.test.ts", "README.md", "github", "build", "a"),
      { minLength: 1, maxLength: 5 },
    )
    .map((p) => p.join("/"));
  const lineArb = fc.tuple(patternArb, fc.array(fc.constantFrom("@a", "@b", "@org/t", "e@x.io"), { maxLength: 2 }));

  it("the result is the last line that matches on its own (last match wins)", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 12 }), pathArb, (lines, path) => {
        const text = lines.map(([p, o]) => [p, ...o].join(" ")).join("\n");
        const file = parseCodeOwners(text);
        const decided = file.ownersOf(path);
        let expected: number | undefined;
        file.lines.forEach((line) => {
          if (parseCodeOwners(`${line.pattern} @z`).ownersOf(path).line) expected = line.line;
        });
        expect(decided.line?.line).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("a match of a directory covers everything beneath it, except a trailing lone *", () => {
    fc.assert(
      fc.property(patternArb, pathArb, fc.constantFrom("x", "y/z.md"), (pattern, path, below) => {
        const file = parseCodeOwners(`${pattern} @o`);
        if (pattern.replace(/\/$/, "").endsWith("/*") && pattern.replace(/\/$/, "") !== "*") return;
        if (file.ownersOf(path).line && !pattern.endsWith("/"))
          expect(file.ownersOf(`${path}/${below}`).line).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on any text, and every problem points into the text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 40 }), (text, path) => {
        const file = parseCodeOwners(text);
        file.ownersOf(path);
        const count = text.split(/\r\n|\n|\r/).length;
        for (const problem of file.problems) {
          expect(problem.line).toBeGreaterThanOrEqual(1);
          expect(problem.line).toBeLessThanOrEqual(count);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a hostile path and pattern cost is bounded: 200 asterisks against a 10,000-character segment", () => {
    const file = parseCodeOwners(`${"a*".repeat(100)}b @o`);
    const path = "a".repeat(10_000);
    expect(file.ownersOf(path).owners).toEqual([]);
    expect(file.ownersOf(`${path}b`).owners.map((o) => o.text)).toEqual(["@o"]);
  });
});
