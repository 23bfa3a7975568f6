/** Figures of a benchmark run, printed as a table with the goal beside each, and saved as JSON. */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";

export interface Figure {
  group: string;
  name: string;
  value: number;
  unit: string;
  goal?: string;
  /** Whether the goal is met (undefined: no goal). */
  met?: boolean | undefined;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function format(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`.trim();
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

/** The 1-minute load average: other work on the machine while the benchmarks ran. */
export function load(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

export function printFigures(figures: Figure[]): void {
  let group = "";
  for (const figure of figures) {
    if (figure.group !== group) {
      group = figure.group;
      console.log(`\n== ${group}`);
    }
    const mark = figure.met === undefined ? "  " : figure.met ? "✓ " : "✗ ";
    const goal = figure.goal ? `   (goal ${figure.goal})` : "";
    console.log(`${mark}${figure.name.padEnd(64)} ${format(figure.value, figure.unit).padStart(14)}${goal}`);
  }
}

export function saveFigures(path: string, figures: Figure[], extra: Record<string, unknown> = {}): void {
  mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  writeFileSync(
    path,
    `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), ...extra, figures }, null, 2)}\n`,
  );
}
