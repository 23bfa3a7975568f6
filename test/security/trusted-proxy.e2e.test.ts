/**
 * Behind a reverse proxy every request comes from the proxy's address, so every client shared the
 * playground API's limit of 4 requests in flight (one client could hold it for all). TRUST_PROXY
 * names the proxies: a request that came through one is counted against the client address the
 * proxy appended to X-Forwarded-For; an X-Forwarded-For from any other peer (or the part a client
 * wrote itself) is ignored. Over real HTTP to the built server, the "proxy" being connections from
 * 127.0.0.2 and a direct client connections from 127.0.0.1 (both loopback).
 */
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { ConfigError, readConfig } from "../../src/config.js";
import { DEFAULT_MAX_IN_FLIGHT_PER_CLIENT as LIMIT } from "../../src/web/routes.js";
import { ServerProcess } from "../support/server-process.js";

jest.setTimeout(60_000);

const PROXY = "127.0.0.2";
const DIRECT = "127.0.0.1";

let server: ServerProcess;
const open: Socket[] = [];

beforeAll(async () => {
  server = await ServerProcess.start({ appId: 4545, githubHost: "127.0.0.1:9", env: { TRUST_PROXY: PROXY } });
});
afterAll(async () => {
  await server?.stop();
});

/** A request whose body never finishes, from `from`: it stays in flight until the socket closes. */
function hanging(from: string, forwardedFor?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: server.port, localAddress: from }, () => {
      const xff = forwardedFor === undefined ? "" : `X-Forwarded-For: ${forwardedFor}\r\n`;
      socket.write(
        `POST /api/validate HTTP/1.1\r\nHost: x\r\n${xff}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"po`,
      );
      open.push(socket);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** A whole request to POST /api/validate from `from`; its status. */
function validate(from: string, forwardedFor?: string): Promise<number> {
  const body = JSON.stringify({ policy: "version: 1\n" });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: server.port,
        localAddress: from,
        method: "POST",
        path: "/api/validate",
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Polls until the server answers 429 (it counts a request when its head arrives), or gives up. */
async function until429(from: string, forwardedFor?: string): Promise<number> {
  let status = 0;
  for (let i = 0; i < 100 && status !== 429; i++) {
    status = await validate(from, forwardedFor);
    if (status !== 429) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return status;
}

/** Closes every hanging request and waits until the server serves `from` again. */
async function release(from: string, forwardedFor?: string): Promise<void> {
  for (const socket of open.splice(0)) socket.destroy();
  let status = 0;
  for (let i = 0; i < 100 && status !== 200; i++) {
    status = await validate(from, forwardedFor);
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(status).toBe(200);
}

describe("TRUST_PROXY: the per-client limit behind a reverse proxy", () => {
  it("gives each client behind a trusted proxy its own limit", async () => {
    for (let i = 0; i < LIMIT; i++) await hanging(PROXY, "203.0.113.1");
    expect(await until429(PROXY, "203.0.113.1")).toBe(429);
    // Another client through the same proxy is not held back by the first one.
    expect(await validate(PROXY, "203.0.113.2")).toBe(200);
    await release(PROXY, "203.0.113.1");
  });

  it("believes only the address the trusted proxy appended, not what a client wrote before it", async () => {
    // The client writes a different X-Forwarded-For each time; the proxy appends its real address.
    for (let i = 0; i < LIMIT; i++) await hanging(PROXY, `10.0.0.${i}, 203.0.113.5`);
    expect(await until429(PROXY, "10.0.0.99, 203.0.113.5")).toBe(429);
    await release(PROXY, "203.0.113.5");
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    for (let i = 0; i < LIMIT; i++) await hanging(DIRECT, `198.51.100.${i}`);
    expect(await until429(DIRECT, "198.51.100.99")).toBe(429);
    expect(await validate(DIRECT)).toBe(429);
    await release(DIRECT);
  });
});

describe("TRUST_PROXY, read from the environment", () => {
  it("trusts no proxy unless told", () => {
    expect(readConfig({}).trustProxy).toEqual([]);
    expect(readConfig({ TRUST_PROXY: "" }).trustProxy).toEqual([]);
  });

  it("takes addresses, CIDR ranges and proxy-addr's named ranges", () => {
    expect(readConfig({ TRUST_PROXY: "10.0.0.0/8, 127.0.0.1,::1 fd00::/8 loopback" }).trustProxy).toEqual([
      "10.0.0.0/8",
      "127.0.0.1",
      "::1",
      "fd00::/8",
      "loopback",
    ]);
  });

  it.each(["true", "*", "1", "2", "10.0.0.300", "10.0.0.0/33", "proxy.example.com", "::1/129"])(
    "refuses %j, saying what it takes",
    (value) => {
      expect(() => readConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => readConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    },
  );
});
