/**
 * `npm run bench [group…]`: runs the benchmarks (all groups by default), prints every figure with
 * its goal, and saves them to bench/results/latest.json for docs/performance.md.
 */
import { runEndToEndBenchmark } from "./e2e.js";
import { runEngineBenchmark } from "./engine.js";
import { runGitHubBenchmark } from "./github.js";
import { runScaleOutBenchmark } from "./scale-out.js";
import { machine, printFigures, saveFigures, type Figure } from "./report.js";

const groups: Record<string, () => Promise<Figure[]> | Figure[]> = {
  engine: runEngineBenchmark,
  github: runGitHubBenchmark,
  e2e: runEndToEndBenchmark,
  "scale-out": runScaleOutBenchmark,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in groups));
  if (unknown.length) throw new Error(`unknown benchmark group(s): ${unknown.join(", ")}; known: ${Object.keys(groups).join(", ")}`);
  console.log(`Guardrails benchmarks on ${machine()}`);
  const figures: Figure[] = [];
  for (const [name, run] of Object.entries(groups)) {
    if (wanted.length && !wanted.includes(name)) continue;
    const result = await run();
    printFigures(result);
    figures.push(...result);
  }
  saveFigures(new URL("../../bench/results/latest.json", import.meta.url).pathname, figures);
  const missed = figures.filter((f) => f.met === false);
  console.log(`\n${figures.filter((f) => f.met).length} goals met, ${missed.length} missed${missed.length ? `: ${missed.map((f) => f.name).join("; ")}` : ""}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
