/** The server's log lines name each key once, and repeated warnings and errors are counted (src/logger.ts). */
import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { pino } from "pino";
import { lastValueOfEachKey, limitRepeats } from "../src/logger.js";

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

describe("limitRepeats: a repeated warning or error is written once, then counted", () => {
  const WINDOW_MS = 10_000;
  /** A pino logger with the hook, writing its lines (parsed) into an array. */
  function logger() {
    const lines: Record<string, unknown>[] = [];
    const log = pino(
      { level: "info", hooks: { logMethod: limitRepeats(WINDOW_MS) } },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    return { log, lines };
  }
  const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" });

  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it("writes the first of 441 identical errors, then one line with the count each window while they go on", () => {
    const { log, lines } = logger();
    const redisLog = log.child({ name: "redis" });
    for (let i = 0; i < 441; i++) redisLog.error({ err: refused(), client: "app" }, "Redis connection failed");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ name: "redis", client: "app", msg: "Redis connection failed" });

    jest.advanceTimersByTime(WINDOW_MS);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      name: "redis",
      client: "app",
      repeated: 440,
      msg: "Redis connection failed (repeated 440 more times in 10 s)",
      err: { message: "connect ECONNREFUSED 127.0.0.1:6379" },
    });

    redisLog.error({ err: refused(), client: "app" }, "Redis connection failed");
    jest.advanceTimersByTime(WINDOW_MS);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ repeated: 1, msg: "Redis connection failed (repeated 1 more time in 10 s)" });

    // A window without repeats ends the count: the next occurrence is written in full again.
    jest.advanceTimersByTime(WINDOW_MS);
    expect(lines).toHaveLength(3);
    redisLog.error({ err: refused(), client: "app" }, "Redis connection failed");
    expect(lines).toHaveLength(4);
    expect(lines[3]).not.toHaveProperty("repeated");
  });

  it("tells lines apart by level, logger, message, fields and error (not by the error's stack)", () => {
    const { log, lines } = logger();
    const other = new Error("read ECONNRESET");
    log.child({ name: "redis" }).error({ err: refused(), client: "app" }, "Redis connection failed");
    log.child({ name: "redis" }).error({ err: refused(), client: "throttling" }, "Redis connection failed");
    log.child({ name: "redis" }).error({ err: other, client: "app" }, "Redis connection failed");
    log.child({ name: "redis" }).warn({ err: refused(), client: "app" }, "Redis connection failed");
    log.child({ name: "other" }).error({ err: refused(), client: "app" }, "Redis connection failed");
    log.child({ name: "redis" }).error({ err: refused(), client: "app" }, "another message");
    log.child({ name: "redis" }).error({ err: refused(), client: "app" }, "Redis connection failed");
    // An Error as the only argument (as Probot logs Bottleneck's), another stack, the same error.
    log.error(refused());
    log.error(refused());
    expect(lines).toHaveLength(7);
  });

  it("never holds back lines below warn", () => {
    const { log, lines } = logger();
    for (let i = 0; i < 50; i++) log.info({ id: "same" }, "decision");
    expect(lines).toHaveLength(50);
  });
});
