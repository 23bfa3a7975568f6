/**
 * End-to-end throughput and latency: the built Guardrails server (`node dist/server.js`) and the
 * floor (a bare Probot app that creates one check run per event, bench/floor-server.ts), each in
 * its own process with the same environment and the same workload, against a GitHub stand-in on
 * 127.0.0.1 (one each, in this process) that adds 50 ms to every request. The two run side by
 * side and take turns: each level is measured on one and then on the other.
 *
 * Both run with Probot's throttling, which spaces the writes (and GraphQL queries) of one
 * installation about a second apart. The events therefore rotate over many installations, one
 * repository each: consecutive events go to different installations, and one installation gets
 * its next event only when its previous one has been answered, as on a busy multi-tenant app
 * where a PR's events are minutes apart. The mix (EVENT_MIX) cycles opened (a new PR),
 * synchronize (a new head on the installation's current PR), approving reviews (a new reviewer
 * on the current head) and redeliveries (the installation's last delivery again, same id).
 * Before the measured levels every installation gets one PR opened (tokens, policy, labels cached,
 * as on a running server). `concurrency` webhooks are in flight at once: a webhook is answered when
 * its evaluation has finished (both servers answer 202 after 9 s, which the figures would show).
 *
 * Latency is from sending the webhook to the write that completes the check of the event's head
 * (timestamped in the stand-in, see CheckCompletions), over every event that changes the check;
 * a redelivery changes nothing, so it counts for throughput only. Memory is the process's VmHWM
 * during the level; CPU is the process's user + system time per event.
 *
 * Last, a burst: BURST deliveries of the same mix sent at once, timed until every delivery is
 * answered and (Guardrails reports its work in flight on /healthz) every evaluation has finished.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startGitHubStandIn, type GitHubStandIn } from "../test/support/github-stand-in.js";
import { SERVER_SCRIPT } from "../test/support/server-process.js";
import { AppProcess } from "./app-process.js";
import { percentile, type Figure } from "./report.js";
import { BENCH_APP_ID, CheckCompletions, Workload, type EventKind, type Tenant } from "./workload.js";

export const LATENCY_MS = 50;
export const FLOOR_SCRIPT = fileURLToPath(new URL("./floor-server.js", import.meta.url));

export const INSTALLATIONS = 512;
/** Webhooks in flight per level; the last one saturates the server. */
export const LEVELS = [1, 4, 16, 64, 256];
const MIX: EventKind[] = [
  "opened",
  "synchronize",
  "synchronize",
  "review",
  "synchronize",
  "review",
  "opened",
  "synchronize",
  "redelivery",
];
const MIX_LENGTH = MIX.length;
/** Events per level: enough to hold the concurrency for several latencies, at most 1024. */
const eventsFor = (concurrency: number) => Math.max(MIX_LENGTH, Math.min(6 * concurrency, 1024));
export const EVENT_MIX = "of every 9 events: 2 opened, 4 synchronize, 2 review submitted (approving), 1 redelivery";
const WARM_UP_CONCURRENCY = 128;
/** The burst: this many deliveries sent at once, as after an outage or a mass update of PRs. */
export const BURST = 1000;

interface Sent {
  kind: EventKind;
  headKey: string;
  sent: number;
  status: number;
  /** When the installation's next event was sent: later completions are not this event's. */
  until: number;
}

export interface LevelResult {
  concurrency: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  latenciesMs: number[];
  /** Events that should have completed a check but did not. */
  missing: number;
  /** Answers other than 200 (202: still processing after 9 s; errors). */
  notOk: number;
  peakRssBytes: number | undefined;
  /** The server process's CPU time per event. */
  cpuMsPerEvent: number;
  /** The benchmark process's CPU time per event (the stand-in and the sender). */
  harnessCpuMsPerEvent: number;
  /** Requests the stand-in served per event (installation tokens included). */
  requestsPerEvent: number;
}

export interface BurstResult {
  events: number;
  /** Until the last delivery was answered. */
  answeredSeconds: number;
  /** Until the last evaluation finished (deliveries answered 202 go on in the background). */
  seconds: number;
  peakRssBytes: number | undefined;
  cpuMsPerEvent: number;
  stillProcessing: number;
  failed: number;
}

export interface ProcessResult {
  label: string;
  idleRssBytes: number | undefined;
  peakRssBytes: number | undefined;
  levels: LevelResult[];
  burst: BurstResult;
  errorLines: number;
}

/**
 * Sends BURST deliveries at once (the mix, rotating over the installations from `first`) and
 * waits until the last is answered and, when the server reports its work on /healthz, finished.
 */
async function measureBurst(
  app: AppProcess,
  workload: Workload,
  first: number,
  hasHealthz: boolean,
): Promise<BurstResult> {
  app.resetPeak();
  const cpuBefore = app.cpuMs() ?? Number.NaN;
  const started = performance.now();
  const deliveries = Array.from(
    { length: BURST },
    (_, index) =>
      workload.deliveryFor(workload.tenants[(first + index) % workload.tenants.length]!, MIX[index % MIX.length]!)
        .delivery,
  );
  const statuses = await Promise.all(deliveries.map((d) => app.sendWebhook(d.event, d.payload, d.delivery)));
  const answeredSeconds = (performance.now() - started) / 1000;
  if (hasHealthz) await app.waitUntilIdle(120_000);
  return {
    events: BURST,
    answeredSeconds,
    seconds: (performance.now() - started) / 1000,
    peakRssBytes: app.peakRssBytes(),
    cpuMsPerEvent: ((app.cpuMs() ?? Number.NaN) - cpuBefore) / BURST,
    stillProcessing: statuses.filter((status) => status === 202).length,
    failed: statuses.filter((status) => status !== 200 && status !== 202).length,
  };
}

/**
 * Sends `count` events, the j-th to installation (first + j) mod N with kind MIX[j mod 9], with
 * `concurrency` in flight; an installation's event waits for its previous one to be answered.
 */
export async function driveInterleaved(
  app: AppProcess,
  workload: Workload,
  count: number,
  concurrency: number,
  first: number,
  kindOf: (index: number) => EventKind = (index) => MIX[index % MIX.length]!,
): Promise<{ sent: Sent[]; seconds: number }> {
  const sent: Sent[] = [];
  const busy = new Map<Tenant, Promise<unknown>>();
  const previous = new Map<Tenant, Sent>();
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const tenant = workload.tenants[(first + index) % workload.tenants.length]!;
      for (let wait = busy.get(tenant); wait; wait = busy.get(tenant)) await wait;
      let answered!: () => void;
      busy.set(tenant, new Promise<void>((resolve) => (answered = resolve)));
      try {
        const { pr, delivery } = workload.deliveryFor(tenant, kindOf(index));
        const event: Sent = {
          kind: delivery.kind,
          headKey: pr.headKey,
          sent: performance.now(),
          status: 0,
          until: Number.POSITIVE_INFINITY,
        };
        const before = previous.get(tenant);
        if (before) before.until = event.sent;
        previous.set(tenant, event);
        sent.push(event);
        event.status = await app.sendWebhook(delivery.event, delivery.payload, delivery.delivery);
      } finally {
        busy.delete(tenant);
        answered();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { sent, seconds: (performance.now() - started) / 1000 };
}

/** One process under measurement with its own stand-in and workload (their checks never mix). */
class Subject {
  private cursor = 0;
  readonly levels: LevelResult[] = [];
  idleRssBytes: number | undefined;
  peakRssBytes: number | undefined;
  burstResult: BurstResult | undefined;

  private constructor(
    readonly app: AppProcess,
    private readonly standIn: GitHubStandIn,
    private readonly workload: Workload,
    private readonly completions: CheckCompletions,
    private readonly hasHealthz: boolean,
  ) {}

  static async start(label: string, script: string, hasHealthz: boolean): Promise<Subject> {
    const workload = new Workload(INSTALLATIONS);
    const completions = new CheckCompletions(workload.fake);
    const standIn = await startGitHubStandIn({ fake: workload.fake, latencyMs: LATENCY_MS });
    try {
      // BENCH_CPU_PROF=<directory>: each server writes a V8 CPU profile there when it stops.
      const profileDir = process.env.BENCH_CPU_PROF;
      const nodeArgs = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : undefined;
      const app = await AppProcess.start({ label, script, appId: BENCH_APP_ID, githubHost: standIn.host, nodeArgs });
      return new Subject(app, standIn, workload, completions, hasHealthz);
    } catch (error) {
      await standIn.stop();
      throw error;
    }
  }

  /** One PR opened per installation, not measured. */
  async warmUp(): Promise<void> {
    await driveInterleaved(
      this.app,
      this.workload,
      this.workload.tenants.length,
      WARM_UP_CONCURRENCY,
      this.cursor,
      () => "opened",
    );
    this.idleRssBytes = this.app.rssBytes();
    this.peakRssBytes = this.app.peakRssBytes();
  }

  async level(concurrency: number): Promise<void> {
    const { app, standIn, completions } = this;
    const count = eventsFor(concurrency);
    app.resetPeak();
    const cpuBefore = app.cpuMs() ?? Number.NaN;
    const harnessBefore = process.cpuUsage();
    const requestsBefore = standIn.requestCount;
    const { sent, seconds } = await driveInterleaved(app, this.workload, count, concurrency, this.cursor);
    const harness = process.cpuUsage(harnessBefore);
    const cpuMs = (app.cpuMs() ?? Number.NaN) - cpuBefore;
    this.cursor += count;
    const levelPeak = app.peakRssBytes();
    this.notePeak(levelPeak);
    const latenciesMs: number[] = [];
    let missing = 0;
    for (const event of sent) {
      if (event.kind === "redelivery") continue;
      const completed = completions.firstAfter(event.headKey, event.sent);
      if (completed === undefined || completed >= event.until) missing++;
      else latenciesMs.push(completed - event.sent);
    }
    this.levels.push({
      concurrency,
      events: sent.length,
      seconds,
      eventsPerSecond: sent.length / seconds,
      latenciesMs,
      missing,
      notOk: sent.filter((event) => event.status !== 200).length,
      peakRssBytes: levelPeak,
      cpuMsPerEvent: cpuMs / sent.length,
      harnessCpuMsPerEvent: (harness.user + harness.system) / 1000 / sent.length,
      requestsPerEvent: (standIn.requestCount - requestsBefore) / sent.length,
    });
  }

  async burst(): Promise<void> {
    this.burstResult = await measureBurst(this.app, this.workload, this.cursor, this.hasHealthz);
    this.cursor += BURST;
    this.notePeak(this.burstResult.peakRssBytes);
  }

  result(): ProcessResult {
    return {
      label: this.app.label,
      idleRssBytes: this.idleRssBytes,
      peakRssBytes: this.peakRssBytes,
      levels: this.levels,
      burst: this.burstResult!,
      errorLines: this.app.errorLines,
    };
  }

  async stop(): Promise<void> {
    await this.app.stop();
    await this.standIn.stop();
  }

  private notePeak(bytes: number | undefined): void {
    if (bytes !== undefined) this.peakRssBytes = Math.max(this.peakRssBytes ?? 0, bytes);
  }
}

const mib = (bytes: number | undefined) => (bytes === undefined ? Number.NaN : bytes / 2 ** 20);

export async function runEndToEndBenchmark(): Promise<Figure[]> {
  for (const script of [SERVER_SCRIPT, FLOOR_SCRIPT]) {
    if (!existsSync(script))
      throw new Error(`${script} is missing: run \`npm run bench\` (it builds the server and the benchmarks first)`);
  }
  // Both processes run side by side, each against its own stand-in; each level is measured on one
  // and then on the other, so that whatever else the machine does weighs on both alike.
  const subjects: Subject[] = [];
  let ours: ProcessResult;
  let floor: ProcessResult;
  try {
    subjects.push(await Subject.start("guardrails server", SERVER_SCRIPT, true));
    subjects.push(await Subject.start("floor server", FLOOR_SCRIPT, false));
    for (const subject of subjects) await subject.warmUp();
    for (const concurrency of LEVELS) for (const subject of subjects) await subject.level(concurrency);
    for (const subject of subjects) await subject.burst();
    [ours, floor] = subjects.map((subject) => subject.result()) as [ProcessResult, ProcessResult];
  } finally {
    for (const subject of subjects) await subject.stop();
  }

  const group = `End-to-end, ${LATENCY_MS} ms per GitHub request, ${INSTALLATIONS} installations`;
  const figures: Figure[] = [];
  for (const [i, level] of ours.levels.entries()) {
    const base = floor.levels[i]!;
    const c = `${level.concurrency} in flight`;
    const ratio = (100 * level.eventsPerSecond) / base.eventsPerSecond;
    figures.push(
      { group, name: `${c}: events sent to each`, value: level.events, unit: "" },
      { group, name: `${c}: Guardrails throughput`, value: level.eventsPerSecond, unit: "events/s" },
      { group, name: `${c}: floor throughput`, value: base.eventsPerSecond, unit: "events/s" },
      { group, name: `${c}: Guardrails / floor throughput`, value: ratio, unit: "%", goal: "≥ 80%", met: ratio >= 80 },
      {
        group,
        name: `${c}: Guardrails webhook → check completed, p50`,
        value: percentile(level.latenciesMs, 50),
        unit: "ms",
      },
      {
        group,
        name: `${c}: Guardrails webhook → check completed, p99`,
        value: percentile(level.latenciesMs, 99),
        unit: "ms",
      },
      {
        group,
        name: `${c}: floor webhook → check completed, p50`,
        value: percentile(base.latenciesMs, 50),
        unit: "ms",
      },
      {
        group,
        name: `${c}: floor webhook → check completed, p99`,
        value: percentile(base.latenciesMs, 99),
        unit: "ms",
      },
      { group, name: `${c}: Guardrails GitHub requests per event`, value: level.requestsPerEvent, unit: "" },
      { group, name: `${c}: floor GitHub requests per event`, value: base.requestsPerEvent, unit: "" },
      { group, name: `${c}: Guardrails server CPU per event`, value: level.cpuMsPerEvent, unit: "ms" },
      { group, name: `${c}: floor server CPU per event`, value: base.cpuMsPerEvent, unit: "ms" },
      { group, name: `${c}: Guardrails peak RSS`, value: mib(level.peakRssBytes), unit: "MiB" },
      { group, name: `${c}: floor peak RSS`, value: mib(base.peakRssBytes), unit: "MiB" },
    );
  }
  const last = ours.levels.length - 1;
  figures.push(
    {
      group,
      name: `benchmark process (stand-in, sender) CPU per event at ${ours.levels[last]!.concurrency} in flight, Guardrails run`,
      value: ours.levels[last]!.harnessCpuMsPerEvent,
      unit: "ms",
    },
    {
      group,
      name: `benchmark process (stand-in, sender) CPU per event at ${floor.levels[last]!.concurrency} in flight, floor run`,
      value: floor.levels[last]!.harnessCpuMsPerEvent,
      unit: "ms",
    },
  );
  const b = `burst of ${BURST} deliveries at once`;
  figures.push(
    { group, name: `${b}: Guardrails, until all answered`, value: ours.burst.answeredSeconds, unit: "s" },
    { group, name: `${b}: Guardrails, until all evaluations finished`, value: ours.burst.seconds, unit: "s" },
    { group, name: `${b}: floor, until all answered`, value: floor.burst.answeredSeconds, unit: "s" },
    {
      group,
      name: `${b}: Guardrails / floor throughput`,
      value: (100 * floor.burst.seconds) / ours.burst.seconds,
      unit: "%",
      goal: "≥ 80%",
      met: floor.burst.seconds / ours.burst.seconds >= 0.8,
    },
    {
      group,
      name: `${b}: Guardrails deliveries answered 202 (went on past 9 s)`,
      value: ours.burst.stillProcessing,
      unit: `of ${BURST}`,
    },
    {
      group,
      name: `${b}: floor deliveries answered 202 (went on past 9 s)`,
      value: floor.burst.stillProcessing,
      unit: `of ${BURST}`,
    },
    { group, name: `${b}: Guardrails server CPU per event`, value: ours.burst.cpuMsPerEvent, unit: "ms" },
    { group, name: `${b}: floor server CPU per event`, value: floor.burst.cpuMsPerEvent, unit: "ms" },
    { group, name: `${b}: Guardrails peak RSS`, value: mib(ours.burst.peakRssBytes), unit: "MiB" },
    { group, name: `${b}: floor peak RSS`, value: mib(floor.burst.peakRssBytes), unit: "MiB" },
  );
  const problems = (r: ProcessResult) =>
    r.levels.reduce((sum, l) => sum + l.missing + l.notOk, 0) + r.burst.failed + r.errorLines;
  figures.push(
    { group, name: "Guardrails RSS after warm-up (idle)", value: mib(ours.idleRssBytes), unit: "MiB" },
    { group, name: "Guardrails peak RSS over the run", value: mib(ours.peakRssBytes), unit: "MiB" },
    { group, name: "floor peak RSS over the run", value: mib(floor.peakRssBytes), unit: "MiB" },
    {
      group,
      name: "Guardrails: checks missing, answers not 200, error log lines",
      value: problems(ours),
      unit: "",
      goal: "0",
      met: problems(ours) === 0,
    },
    {
      group,
      name: "floor: checks missing, answers not 200, error log lines",
      value: problems(floor),
      unit: "",
      goal: "0",
      met: problems(floor) === 0,
    },
  );
  return figures;
}
