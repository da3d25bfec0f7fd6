// Where an operation's time goes, from a CPU profile taken in this process (node:inspector): each sample is charged
// to the nearest frame up its stack that belongs to a known part (the ledger, the settings store, the HTTP client …),
// so native work (fsync, JSON.parse) counts for the part that asked for it.
import { Session } from 'node:inspector/promises';

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Parts, first match wins: a frame of main/core/leases/lease-ledger.ts is the ledger, not "core". */
export const PARTS: ReadonlyArray<[string, RegExp]> = [
  ['simulator', /\/test\/sim\//],
  ['ledger', /\/main\/core\/(leases\/lease-ledger|settings\/state-lock|leases\/ledger-write-batch)\./],
  ['settings reads', /\/main\/core\/(settings\/|roles\/|litellm\/proxy-url\.|text-rules\.)|node_modules\/(conf|ajv|ajv-formats|atomically|dot-prop|json-schema-typed)\//],
  ['audit log', /\/main\/core\/audit-log\./],
  ['HTTP client', /node_modules\/(axios|follow-redirects|form-data|proxy-from-env|combined-stream|asynckit|mime-types)\/|\/main\/core\/litellm\//],
  ['keychain', /node_modules\/@github\/keytar|\/main\/core\/keychain\//],
  ['lease manager and core', /\/main\/core\//],
  ["the test's clock and clipboard", /\/test\/(core\/leases|support)\//],
  ['bench loop', /\/bench\/[^/]+\.ts/],
];
/** The bench's own timing wrappers: charged to whoever called them. */
const TRANSPARENT = /\/bench\/lib\/(ledger-timing|timed-secret-store)\./;
/** The profiler collecting its profile: not part of anything measured. */
const PROFILER = /\/bench\/lib\/profile\.|^node:inspector/;
const OTHER = 'Node (event loop, HTTP parser, GC)';

export interface Breakdown {
  /** Milliseconds of CPU per operation, by part, largest first. */
  parts: Array<{ part: string; msPerOp: number }>;
  cpuMsPerOp: number;
}

/** Profiles `work`, which performs `ops` operations, and charges its CPU time to the parts above. */
export async function profileParts(ops: number, work: () => Promise<void>): Promise<Breakdown> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    return chargeToParts(profile, ops);
  } finally {
    session.disconnect();
  }
}

function chargeToParts(profile: CpuProfile, ops: number): Breakdown {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const partOf = new Map<number, string | null>();
  const classify = (id: number): string | null => {
    if (partOf.has(id)) return partOf.get(id) ?? null;
    const node = byId.get(id);
    let part: string | null;
    const url = node?.callFrame.url ?? '';
    const up = parent.get(id);
    if (node?.callFrame.functionName === '(idle)' || PROFILER.test(url)) {
      part = null;
    } else {
      const own = TRANSPARENT.test(url) ? undefined : PARTS.find(([, pattern]) => pattern.test(url))?.[0];
      part = own ?? (up === undefined ? OTHER : classify(up));
    }
    partOf.set(id, part);
    return part;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const part = classify(id);
    if (part) totals.set(part, (totals.get(part) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const parts = [...totals.entries()].map(([part, totalMs]) => ({ part, msPerOp: totalMs / ops })).sort((a, b) => b.msPerOp - a.msPerOp);
  return { parts, cpuMsPerOp: parts.reduce((a, p) => a + p.msPerOp, 0) };
}
