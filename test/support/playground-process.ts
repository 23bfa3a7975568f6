/**
 * Runs `guardrails playground` from the built binary (dist/cli/main.js, `npm run build`) as a
 * newcomer would: no GitHub App, no credentials of any kind in its environment, and no .env in
 * its folder. Waits for the URL it prints and keeps its output for assertions.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI } from "../cli/helpers.js";

/** Variables of the environment that could give it an App or a token: none reaches the child. */
const CREDENTIALS =
  /^(APP_ID|PRIVATE_KEY.*|WEBHOOK_SECRET|GITHUB_.*|GH_.*|GHE_.*|CHECKLIST_SECRET|REDIS_URL|WEBHOOK_PROXY_URL)$/;

export function credentialFreeEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !CREDENTIALS.test(name)));
}

export class PlaygroundProcess {
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly cwd: string,
  ) {
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (this.stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  /** Starts `guardrails playground ...args` in an empty folder and waits for its URL (or its exit). */
  static async start(args: string[] = ["--port", "0"]): Promise<PlaygroundProcess> {
    const cwd = mkdtempSync(join(tmpdir(), "guardrails-playground-"));
    const child = spawn(process.execPath, [CLI, "playground", ...args], {
      cwd,
      env: credentialFreeEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const process_ = new PlaygroundProcess(child, cwd);
    // Generous: the machine running the tests may be loaded.
    const deadline = Date.now() + 45_000;
    let exited = false;
    void process_.exited.then(() => (exited = true));
    while (!process_.url && !exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    return process_;
  }

  /** The page's URL as printed, once it is listening. */
  get url(): string | undefined {
    return /^Guardrails playground: (http:\/\/\S+\/playground)$/m.exec(this.stdout)?.[1];
  }

  /** The server's origin (`http://127.0.0.1:PORT`). */
  get origin(): string {
    if (!this.url) throw new Error(`the playground printed no URL: ${this.stdout}${this.stderr}`);
    return this.url.replace(/\/playground$/, "");
  }

  /** Sends the signal and waits for the exit code. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const code = await this.exited;
    rmSync(this.cwd, { recursive: true, force: true });
    return code;
  }
}
