/** The server's log lines name each key once (src/logger.ts). */
import { describe, expect, it } from "@jest/globals";
import { lastValueOfEachKey } from "../src/logger.js";

describe("lastValueOfEachKey", () => {
  it("keeps a repeated key once, with its last value in its first place", () => {
    const line = '{"level":30,"name":"probot","name":"event","id":"d-1","msg":"decision"}\n';
    expect(lastValueOfEachKey(line)).toBe('{"level":30,"name":"event","id":"d-1","msg":"decision"}\n');
  });

  it("leaves nested objects and a line without repeats as they are", () => {
    const line = '{"level":30,"label":{"name":"risk:high"},"name":"event","msg":"m"}\n';
    expect(lastValueOfEachKey(line)).toBe(line);
  });

  it("passes on a line that is not JSON", () => {
    expect(lastValueOfEachKey("not json\n")).toBe("not json\n");
  });
});
