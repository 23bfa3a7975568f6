/**
 * `guardrails doctor --repo OWNER/NAME`: is this repository really guarded? Its policy and
 * CODEOWNERS at the default branch with their problems, whether the `guardrails` check is required
 * there and pinned to the Guardrails App, who may bypass it, whether a merge queue is set; each
 * fix with its settings path. Exit 1 when a pull request can be merged without the app's check.
 */
import { CHECK_NAME } from "../../render/check-output.js";
import { flag, parseCommandArgs } from "../args.js";
import { readRepository } from "../doctor-read.js";
import { doctorReport, renderDoctor } from "../doctor-report.js";
import { CliError, EXIT } from "../errors.js";
import { withJsonErrors } from "../error-schema.js";
import { apiUrl, appIdOption, githubToken, repositoryOption } from "../github-options.js";
import { DOCTOR_HELP } from "../help.js";
import type { Io } from "../io.js";

export function doctorCommand(args: string[], io: Io): number | Promise<number> {
  const { values } = parseCommandArgs(
    "doctor",
    args,
    { repo: { type: "string" }, "app-id": { type: "string" }, json: { type: "boolean" } },
    0,
  );
  if (values.help) {
    io.stdout(DOCTOR_HELP);
    return EXIT.ok;
  }
  const json = flag(values, "json");
  return withJsonErrors(json, io, async () => {
    const { owner, repo } = repositoryOption(values, "doctor");
    const appId = appIdOption(
      values,
      io.env,
      "doctor",
      "the check guards only when it is pinned to the Guardrails App",
    );
    const token = githubToken(
      io.env,
      "doctor reads the repository's policy, CODEOWNERS, rulesets and branch protection with it (branch protection needs admin rights: fine-grained Administration: read)",
    );
    const url = apiUrl(io.env);
    const reading = await readRepository({ token, apiUrl: url, owner, repo, checkName: CHECK_NAME }).catch(
      (error: unknown) => {
        if (error instanceof CliError) throw error;
        const status = (error as { status?: number }).status;
        const message = error instanceof Error ? error.message : String(error);
        throw new CliError(
          `could not read ${owner}/${repo} from ${url}${status ? ` (HTTP ${status})` : ""}: ${message.split("\n")[0]}`,
        );
      },
    );
    const report = doctorReport(reading, appId, CHECK_NAME);
    io.stdout(json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report));
    return report.bypassable ? EXIT.problems : EXIT.ok;
  });
}
