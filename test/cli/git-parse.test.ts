import { describe, expect, it } from "@jest/globals";
import { parseNameStatus, parseNumstat } from "../../src/cli/git.js";

describe("parsing git diff -z output", () => {
  it("reads --name-status entries, with old and new paths for renames", () => {
    const text = [
      "M",
      "src/a.ts",
      "R087",
      "src/auth/t.ts",
      "src/util/t.ts",
      "A",
      "new file.txt",
      "D",
      "gone\tname",
      "T",
      "link",
      "",
    ].join("\0");
    expect(parseNameStatus(text)).toEqual([
      { path: "src/a.ts", status: "modified" },
      { path: "src/util/t.ts", previousPath: "src/auth/t.ts", status: "renamed" },
      { path: "new file.txt", status: "added" },
      { path: "gone\tname", status: "removed" },
      { path: "link", status: "changed" },
    ]);
  });

  it("reads --numstat entries: renames name the new path, binary files count 0", () => {
    const text = [
      "3\t1\tsrc/a.ts",
      "0\t0\t",
      "src/auth/t.ts",
      "src/util/t.ts",
      "-\t-\tlogo.png",
      "2\t0\tline\nbreak.txt",
      "",
    ].join("\0");
    expect(parseNumstat(text)).toEqual([
      { path: "src/a.ts", additions: 3, deletions: 1 },
      { path: "src/util/t.ts", additions: 0, deletions: 0 },
      { path: "logo.png", additions: 0, deletions: 0 },
      { path: "line\nbreak.txt", additions: 2, deletions: 0 },
    ]);
  });

  it("reads empty output as no files", () => {
    expect(parseNameStatus("")).toEqual([]);
    expect(parseNumstat("")).toEqual([]);
  });
});
