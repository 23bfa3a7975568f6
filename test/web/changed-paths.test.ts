/**
 * The playground's paths box (src/web/changed-paths.ts) on what people paste: real output of
 * `git diff --numstat` and `--name-status` from a repository made here (renames in both of
 * numstat's forms, a binary file, a deletion), the same with tabs turned into spaces, git's
 * quoted paths, `git status` and `--summary` lines, and lines that are no paths (a patch, a
 * `--stat` bar, an absolute path), which are problems with their line numbers, never files.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { parseChangedPaths, unquote } from "../../src/web/changed-paths.js";
import { playgroundRequest, type PlaygroundState } from "../../src/web/playground-state.js";
import { removeTempDirs, TempRepo } from "../cli/helpers.js";

afterAll(() => removeTempDirs());

/** A branch that edits, adds, deletes, renames (in a folder and across folders) and adds a binary file. */
function gitOutputs(): { numstat: string; nameStatus: string; summary: string } {
  const repo = new TempRepo();
  const lines = (n: number, word: string) => Array.from({ length: n }, (_, i) => `${word} ${i}\n`).join("");
  repo.commit("base", {
    "src/util/clock.ts": lines(30, "clock"),
    "src/auth/login.ts": lines(10, "login"),
    "docs/old.md": lines(5, "doc"),
    "README.md": "readme\n",
  });
  repo.branch("feature");
  repo.move("src/util/clock.ts", "src/session/clock.ts");
  repo.move("README.md", "docs/README.md");
  repo.git("rm", "-q", "docs/old.md");
  repo.commit("change", {
    "src/auth/login.ts": lines(12, "login2"),
    "src/auth/new.ts": lines(3, "new"),
    "assets/logo.png": Buffer.from([0, 1, 2, 3, 0, 255, 0, 10]),
  });
  return {
    numstat: repo.git("diff", "--numstat", "-M", "main...feature"),
    nameStatus: repo.git("diff", "--name-status", "-M", "main...feature"),
    summary: repo.git("diff", "--summary", "-M", "main...feature"),
  };
}

describe("pasted git output", () => {
  const outputs = gitOutputs();

  it("reads git diff --numstat: counts, a binary file as 0, renames in both forms", () => {
    expect(outputs.numstat).toContain("\t");
    expect(outputs.numstat).toMatch(/\{util => session\}|=>/);
    const { files, problems } = parseChangedPaths(outputs.numstat);
    expect(problems).toEqual([]);
    const byPath = Object.fromEntries(files.map((file) => [file.path, file]));
    expect(Object.keys(byPath).sort()).toEqual([
      "assets/logo.png",
      "docs/README.md",
      "docs/old.md",
      "src/auth/login.ts",
      "src/auth/new.ts",
      "src/session/clock.ts",
    ]);
    expect(byPath["src/session/clock.ts"]).toMatchObject({ previous_path: "src/util/clock.ts", additions: 0 });
    expect(byPath["docs/README.md"]).toMatchObject({ previous_path: "README.md" });
    expect(byPath["assets/logo.png"]).toMatchObject({ additions: 0, deletions: 0 });
    expect(byPath["src/auth/login.ts"]).toMatchObject({ additions: 12, deletions: 10 });
    expect(byPath["docs/old.md"]).toMatchObject({ additions: 0, deletions: 5 });
  });

  it("reads git diff --name-status: A, D, M and R100 with both paths", () => {
    const { files, problems } = parseChangedPaths(outputs.nameStatus);
    expect(problems).toEqual([]);
    expect(outputs.nameStatus).toMatch(/^R100\tsrc\/util\/clock.ts\tsrc\/session\/clock.ts$/m);
    expect(files).toEqual(
      expect.arrayContaining([
        { path: "src/session/clock.ts", previous_path: "src/util/clock.ts", status: "renamed" },
        { path: "docs/old.md", status: "removed" },
        { path: "src/auth/new.ts", status: "added" },
        { path: "src/auth/login.ts", status: "modified" },
      ]),
    );
  });

  it("merges numstat and name-status pasted together: one file per path, counts and status", () => {
    const { files, problems } = parseChangedPaths(`${outputs.numstat}\n${outputs.nameStatus}`);
    expect(problems).toEqual([]);
    expect(files).toHaveLength(6);
    expect(files.find((file) => file.path === "docs/old.md")).toEqual({
      path: "docs/old.md",
      additions: 0,
      deletions: 5,
      status: "removed",
    });
  });

  it("reads the same output with its tabs turned into spaces, as a terminal copy gives it", () => {
    const spaced = (text: string) => text.replace(/\t/g, "    ");
    expect(parseChangedPaths(spaced(outputs.numstat))).toEqual(parseChangedPaths(outputs.numstat));
    expect(parseChangedPaths(spaced(outputs.nameStatus))).toEqual(parseChangedPaths(outputs.nameStatus));
  });

  it("reads git diff --summary and git status lines", () => {
    const { files, problems } = parseChangedPaths(outputs.summary);
    expect(problems).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        { path: "docs/old.md", status: "removed" },
        { path: "src/auth/new.ts", status: "added" },
        { path: "src/session/clock.ts", previous_path: "src/util/clock.ts", status: "renamed" },
      ]),
    );
    const status = parseChangedPaths(
      [
        "On branch feature",
        "Changes to be committed:",
        '  (use "git restore --staged <file>..." to unstage)',
        "\tdeleted:    docs/old.md",
        "\tnew file:   src/auth/new.ts",
        "\trenamed:    src/util/clock.ts -> src/session/clock.ts",
      ].join("\n"),
    );
    expect(status).toEqual({
      files: [
        { path: "docs/old.md", status: "removed" },
        { path: "src/auth/new.ts", status: "added" },
        { path: "src/session/clock.ts", previous_path: "src/util/clock.ts", status: "renamed" },
      ],
      problems: [],
    });
  });
});

describe("the page's own lines and git's words", () => {
  it("recognises (deleted), (new) and (gone) as statuses, and keeps other parentheses in the path", () => {
    expect(parseChangedPaths("docs/old.md (deleted)\nsrc/a.ts +3 (new)\nb.ts (gone)\nnotes (draft)").files).toEqual([
      { path: "docs/old.md", status: "removed" },
      { path: "src/a.ts", status: "added", additions: 3 },
      { path: "b.ts", status: "removed" },
      { path: "notes (draft)" },
    ]);
  });

  it("unquotes git's quoted paths", () => {
    expect(unquote('"docs/caf\\303\\251 \\"menu\\".md"')).toBe('docs/café "menu".md');
    expect(parseChangedPaths('1\t0\t"docs/caf\\303\\251.md"').files).toEqual([
      { path: "docs/café.md", additions: 1, deletions: 0 },
    ]);
  });

  it("reads numstat's braced renames with an empty side", () => {
    expect(parseChangedPaths("2\t1\tsrc/{ => session}/clock.ts\n0\t0\t{old => new}/a.ts").files).toEqual([
      { path: "src/session/clock.ts", previous_path: "src/clock.ts", additions: 2, deletions: 1 },
      { path: "new/a.ts", previous_path: "old/a.ts", additions: 0, deletions: 0 },
    ]);
  });
});

describe("lines that are not paths", () => {
  it("are problems with their line numbers, never files", () => {
    const { files, problems } = parseChangedPaths(
      [
        "src/ok.ts",
        "diff --git a/src/a.ts b/src/a.ts",
        "@@ -1,3 +1,4 @@",
        " src/a.ts | 12 +++++++-----",
        " 2 files changed, 7 insertions(+), 5 deletions(-)",
        "/etc/passwd",
        "src/../secret.ts",
        "src//double.ts",
        "docs/",
        "$ git diff --numstat main",
        "R100\tonly-one-path.ts",
        "U\tsrc/conflict.ts",
        "",
        "docs/fine.md",
      ].join("\n"),
    );
    expect(files.map((file) => file.path)).toEqual(["src/ok.ts", "docs/fine.md"]);
    expect(problems.map((problem) => problem.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(problems[0]!.message).toMatch(/patch/);
    expect(problems[2]!.message).toMatch(/--stat/);
    expect(problems[4]!.message).toMatch(/absolute/);
  });

  it("stop at 3000 files, saying so on the lines left out", () => {
    const text = Array.from({ length: 3002 }, (_, i) => `f${i}.ts`).join("\n");
    const { files, problems } = parseChangedPaths(text);
    expect(files).toHaveLength(3000);
    expect(problems).toEqual([
      { line: 3001, message: expect.stringContaining("more than 3000") },
      { line: 3002, message: expect.stringContaining("more than 3000") },
    ]);
  });

  it("are left out of the simulate body the page sends, and reported beside it", () => {
    const state: PlaygroundState = {
      policy: "version: 1\n",
      paths: "12\t3\tsrc/a.ts\n@@ -1 +1 @@\nD\tsrc/b.ts",
      author: "",
      coAuthors: "",
      title: "",
      branch: "",
      body: "",
      labels: "",
      approvals: "alice",
      codeowners: "/src/ @acme/security\n",
      teams: "acme/security: alice, @erin\nnot a team line\nsecurity: bob\nacme/x: b@d",
    };
    const request = playgroundRequest(state);
    expect(request.body).toEqual({
      policy: "version: 1\n",
      pull_request: {
        files: [
          { path: "src/a.ts", additions: 12, deletions: 3 },
          { path: "src/b.ts", status: "removed" },
        ],
        approvals: ["alice"],
      },
      codeowners: "/src/ @acme/security\n",
      teams: { "acme/security": ["alice", "erin"] },
    });
    expect(request.pathProblems).toEqual([{ line: 2, message: expect.stringContaining("patch") }]);
    expect(request.teamsProblems).toEqual([
      { line: 2, message: "expected org/team: login, login" },
      { line: 3, message: '"security" is no team: write org/team, such as acme/security' },
      { line: 4, message: '"b@d" is no GitHub login' },
    ]);
  });
});
