/** Co-authored-by lines, read alike by the app and the CLI (src/engine/co-authors.ts). */
import { describe, expect, it } from "@jest/globals";
import {
  coAuthorsOf,
  coAuthorTrailers,
  messageTrailers,
  noReplyLogin,
  trailersOf,
  valuesOf,
} from "../../src/engine/co-authors.js";

describe("coAuthorTrailers", () => {
  it.each<[string, string, string[]]>([
    [
      "a trailer in the final block",
      "Fix it\n\nCo-authored-by: Claude <noreply@anthropic.com>",
      ["Claude <noreply@anthropic.com>"],
    ],
    ["several trailers", "Fix\n\nCo-authored-by: A <a@x>\nCo-authored-by: B <b@x>", ["A <a@x>", "B <b@x>"]],
    [
      "a line in a middle paragraph (git's trailer parser misses it)",
      "Fix\n\nCo-authored-by: A <a@x>\n\nMore text.",
      ["A <a@x>"],
    ],
    ["any letter case, indentation and spacing", "Fix\n\n  CO-AUTHORED-BY:   A <a@x>  ", ["A <a@x>"]],
    ["Windows line ends", "Fix\r\n\r\nCo-authored-by: A <a@x>\r\n", ["A <a@x>"]],
    ["a line ended by U+2028 (a line break to JavaScript)", "Fix\n\nCo-authored-by: A <a@x>\u2028More", ["A <a@x>"]],
    ["no colon: not a trailer", "Fix\n\nCo-authored-by A <a@x>", []],
    ["the words inside a sentence: not a trailer", "Fix\n\nThanks to whoever co-authored-by: hand", []],
    ["an empty value", "Fix\n\nCo-authored-by:   ", []],
    ["no message", "", []],
  ])("%s", (_name, message, expected) => {
    expect(coAuthorTrailers(message)).toEqual(expected);
  });
});

describe("coAuthorsOf", () => {
  it("names each co-author once, in the order first met (messages oldest first)", () => {
    const messages = [
      "One\n\nCo-authored-by: B <b@x>",
      "Two\n\nCo-authored-by: A <a@x>\nCo-authored-by: B <b@x>",
      "Three",
    ];
    expect(coAuthorsOf(messages)).toEqual(["B <b@x>", "A <a@x>"]);
  });
});

describe("trailersOf", () => {
  it("reads every Key: value line, each key (any case) and value once, in the order first met", () => {
    const messages = [
      "One\n\nAssisted-by: Claude <noreply@anthropic.com>\nSigned-off-by: Dev <dev@x>",
      "Two\n\nassisted-by: Claude <noreply@anthropic.com>\nGenerated-by: Codex\n\nhttps://example.com/x",
    ];
    expect(trailersOf(messages)).toEqual([
      { key: "Assisted-by", value: "Claude <noreply@anthropic.com>" },
      { key: "Signed-off-by", value: "Dev <dev@x>" },
      { key: "Generated-by", value: "Codex" },
      { key: "https", value: "//example.com/x" },
    ]);
  });

  it.each<[string, string]>([
    ["a key with a space", "Assisted by: Claude"],
    ["a key that starts with a dash", "-by: Claude"],
    ["an empty value", "Assisted-by:   "],
  ])("ignores %s", (_name, line) => {
    expect(messageTrailers(`Fix\n\n${line}`)).toEqual([]);
  });

  it("Co-authored-by values are the same whichever reader", () => {
    const message = "Fix\n\nCo-Authored-By: A <a@x>\nAssisted-by: B <b@x>";
    expect(valuesOf(trailersOf([message]), "co-authored-by")).toEqual(coAuthorsOf([message]));
  });
});

describe("noReplyLogin", () => {
  it.each<[string, string | undefined]>([
    ["Alice <1234+alice@users.noreply.github.com>", "alice"],
    ["Alice <alice@users.noreply.github.com>", "alice"],
    ["Copilot <175728472+Copilot@users.noreply.github.com>", "Copilot"],
    ["dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>", "dependabot[bot]"],
    ["Mona <9+mona_octo@users.noreply.github.com>", "mona_octo"],
    ["Alice <alice@example.com>", undefined],
    ["Alice <1+alice@users.noreply.github.com.evil.test>", undefined],
    ["Alice <1+alice@users.noreply.github.com> and more", undefined],
    ["1+alice@users.noreply.github.com", undefined],
  ])("%s", (value, login) => {
    expect(noReplyLogin(value)).toBe(login);
  });
});
