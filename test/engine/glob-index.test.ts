/**
 * The GlobIndex files globs under handles (directory prefix, exact path, basename, extension) to
 * test a path only against globs that can match it. That must change speed, never the result:
 * minimatch(path, glob, { dot: true }) is the oracle for every glob × path of the table.
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { minimatch } from "minimatch";
import { GlobIndex, globSet } from "../../src/engine/glob-index.js";
import { globProblem } from "../../src/policy/patterns.js";

const GLOBS = [
  // exact paths
  "README.md",
  ".github/guardrails.yml",
  "src/index.ts",
  "Makefile",
  // directory prefixes
  "src/**",
  "src/auth/**",
  "docs/**",
  ".github/workflows/**",
  "src/*.ts",
  "src/**/*.ts",
  "src/auth/*",
  "a/b/c/**/d",
  "infra/**/main.tf",
  "packages/*/src/**",
  // extension forms
  "**/*.md",
  "**/*.test.ts",
  "**/*.test.*",
  "**/*.tar.gz",
  "**/*.yml",
  "**/*.lock",
  // basename forms
  "**/package-lock.json",
  "**/CODEOWNERS",
  "**/.env",
  "**/Dockerfile",
  // braces
  "{src,lib}/**",
  "**/*.{md,mdx,rst}",
  "src/{auth,session}/**",
  "{,docs/}README.md",
  "**/{package-lock.json,yarn.lock}",
  "file{1..3}.txt",
  "src/{a,b/{c,d}}/*.ts",
  // no handle: tried against every path
  "**/__tests__/**",
  "**/test/**",
  "*.md",
  "*",
  "**",
  "**/*",
  "LICENSE*",
  "*.{yml,yaml}",
  "**/test_*.py",
  "**/*_test.*",
  "?akefile",
  "src/[ab]*.ts",
  "[Dd]ocs/**",
  "**/.*",
  "**/.github/**",
  "*/**",
  "src/*/**",
  "**/__tests__/**/*",
];

const PATHS = [
  "README.md",
  "docs/README.md",
  "docs/guide/intro.md",
  "docs/intro.mdx",
  "Docs/x.rst",
  ".github/guardrails.yml",
  ".github/workflows/ci.yml",
  ".github/CODEOWNERS",
  "sub/.github/x.yml",
  "src/index.ts",
  "src/auth/login.ts",
  "src/auth/deep/token.ts",
  "src/session/store.ts",
  "src/a.ts",
  "src/b/c/x.ts",
  "src/b/d/x.ts",
  "src/.hidden/x.ts",
  "src/auth",
  "src",
  "lib/x.go",
  "lib/__tests__/x.js",
  "app/test/x.spec.ts",
  "test/helpers.ts",
  "x.test.ts",
  "deep/dir/y.test.tsx",
  "pkg/mod_test.go",
  "tests/test_mod.py",
  "archive.tar.gz",
  "dist/archive.tar.gz",
  "package-lock.json",
  "web/package-lock.json",
  "web/yarn.lock",
  "Cargo.lock",
  "CODEOWNERS",
  "docs/CODEOWNERS",
  ".env",
  "config/.env",
  "config/.env.local",
  "Dockerfile",
  "services/api/Dockerfile",
  "Makefile",
  "makefile",
  "LICENSE",
  "LICENSE.txt",
  "file1.txt",
  "file4.txt",
  "a.txt",
  "ab.txt",
  "c.txt",
  "a/b/c/d",
  "a/b/c/x/y/d",
  "a/b/c/dd",
  "infra/main.tf",
  "infra/prod/eu/main.tf",
  "packages/ui/src/button.tsx",
  "packages/ui/test/button.tsx",
  ".eslintrc",
  "x.yaml",
  "config.yml",
  ".md",
  "notes.md.bak",
  "x/README.md",
  "x/docs/a.md",
  "x/lib/a.md",
  "src/session/a.ts",
  "lib/__tests__",
  "src/x",
];

function indexMatches(glob: string, path: string): boolean {
  return globSet([glob]).matches(path);
}

describe("GlobIndex agrees with minimatch(path, glob, { dot: true })", () => {
  it.each(GLOBS.map((glob) => [glob]))("%s", (glob) => {
    const disagreements = PATHS.filter((path) => indexMatches(glob, path) !== minimatch(path, glob, { dot: true }));
    expect(disagreements).toEqual([]);
  });

  it("every glob of the table is one a policy may contain", () => {
    expect(GLOBS.filter((glob) => globProblem(glob) !== undefined)).toEqual([]);
  });

  it("the table exercises both outcomes for most globs", () => {
    const both = GLOBS.filter((glob) => {
      const results = new Set(PATHS.map((path) => minimatch(path, glob, { dot: true })));
      return results.size === 2;
    });
    expect(both.length).toBeGreaterThanOrEqual(GLOBS.length - 2);
  });

  it("one index holding every glob reports exactly the globs minimatch matches", () => {
    const index = new GlobIndex<number>();
    GLOBS.forEach((glob, i) => index.add(glob, i));
    for (const path of PATHS) {
      const found = new Set<number>();
      index.forEachMatch(path, (i) => found.add(i));
      const expected = GLOBS.flatMap((glob, i) => (minimatch(path, glob, { dot: true }) ? [i] : []));
      expect({ path, matched: [...found].sort((a, b) => a - b) }).toEqual({ path, matched: expected });
    }
  });

  it("an empty index matches nothing", () => {
    expect(globSet([]).matches("anything")).toBe(false);
  });

  it("counts one compiled glob per brace alternative", () => {
    expect(globSet(["**/*.{md,mdx,rst}", "src/**"]).globCount).toBe(4);
  });

  it("agrees with minimatch on generated globs and paths", () => {
    const segment = fc.constantFrom("a", "b", "src", ".git", "x.md", "y.test.ts", "lock.json", "c.d.e");
    const globSegment = fc.constantFrom(
      "a",
      "b",
      "src",
      ".git",
      "*",
      "**",
      "*.md",
      "*.ts",
      "*.test.*",
      "{a,b}",
      "x.md",
      "lock.json",
      "?",
      "[ab]",
      "*.d.e",
    );
    const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join("/"));
    const glob = fc
      .array(globSegment, { minLength: 1, maxLength: 5 })
      .map((s) => s.join("/"))
      .filter((g) => globProblem(g) === undefined);
    fc.assert(
      fc.property(glob, fc.array(path, { minLength: 1, maxLength: 10 }), (g, paths) => {
        for (const p of paths) expect([g, p, indexMatches(g, p)]).toEqual([g, p, minimatch(p, g, { dot: true })]);
      }),
      { numRuns: 1000, seed: 20240601 },
    );
  });

  it("one index, many globs, paths that share directories (the per-directory decisions are reused): same tags as minimatch", () => {
    // Paths as git and GitHub give them: no "." or ".." segment (git refuses them; minimatch's
    // regular expression and minimatch() disagree there, e.g. "a/." and "a/?"), no trailing "/".
    const segment = fc.constantFrom("a", "b", "src", ".git", "x.md", "y.test.ts", "c.d.e", ".github", "..x");
    const globSegment = fc.constantFrom(
      "a",
      "b",
      "src",
      ".git",
      "*",
      "**",
      "*.md",
      "*.ts",
      "{a,b}",
      "x.md",
      "?",
      "[ab]",
    );
    const glob = fc
      .array(globSegment, { minLength: 1, maxLength: 4 })
      .map((s) => s.join("/"))
      .filter((g) => globProblem(g) === undefined);
    const directory = fc.array(segment, { minLength: 0, maxLength: 3 });
    const name = fc.constantFrom("x.md", "y.test.ts", "a", ".git", "c.d.e", ".env", "..x");
    fc.assert(
      fc.property(
        fc.uniqueArray(glob, { minLength: 1, maxLength: 8 }),
        fc.array(directory, { minLength: 1, maxLength: 3 }),
        fc.array(name, { minLength: 1, maxLength: 4 }),
        (globs, directories, names) => {
          const index = new GlobIndex<number>();
          globs.forEach((g, i) => index.add(g, i));
          for (const dir of directories) {
            for (const base of names) {
              const path = [...dir, base].join("/");
              if (path === "") continue;
              const found = new Set<number>();
              index.forEachMatch(path, (i) => found.add(i));
              const expected = globs.flatMap((g, i) => (minimatch(path, g, { dot: true }) ? [i] : []));
              expect([path, [...found].sort((x, y) => x - y)]).toEqual([path, expected]);
            }
          }
        },
      ),
      { numRuns: 1500, seed: 20261123 },
    );
  });
});
