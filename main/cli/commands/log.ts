// `keyfob log`: the audit log (issues, renewals, revocations, reconciles), newest last.
import { boolValue, stringValue } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK } from '../failure.js';
import type { AuditEntry } from '../../core/types.js';
import { formatDuration } from '../../core/roles/index.js';
import { formatTable, json } from '../output.js';
import { InputProblems, parseWholeNumber } from '../validate.js';
import { localDateTime, localZoneName } from '../when.js';

const DEFAULT_ENTRIES = 20;

export const logCommand: Command = {
  name: 'log',
  summary: 'show the audit log (what was issued, renewed, revoked, and by which process)',
  usage: 'keyfob log [--json] [-n N]',
  description: ['Times are in your time zone (TZ is honoured); --json gives them as ISO-8601 UTC.'],
  args: {
    options: {
      json: { type: 'boolean', help: 'print a JSON array of entries' },
      n: { type: 'string', short: 'n', value: 'N', help: `how many recent entries (default ${DEFAULT_ENTRIES})` },
    },
    positionals: [],
  },
  examples: ['keyfob log -n 50', 'keyfob log --json | jq ".[] | select(.outcome == \\"failed\\")"'],
  async run(ctx, args) {
    const problems = new InputProblems();
    const limit = problems.take('-n', stringValue(args, 'n'), (raw) => parseWholeNumber(raw, { min: 1 })) ?? DEFAULT_ENTRIES;
    problems.throwIfAny('cannot show the log');
    const entries = await ctx.withCore({}, async (core) => core.auditLog(limit));
    if (boolValue(args, 'json')) ctx.out(json(entries));
    else if (!entries.length) ctx.err('keyfob: the audit log is empty');
    else for (const line of auditTable(entries)) ctx.out(line);
    return EXIT_OK;
  },
};

/** The log as a table, times in the person's zone (named in the header). */
export function auditTable(entries: readonly AuditEntry[]): string[] {
  return formatTable(
    [`TIME (${localZoneName()})`, 'ACTION', 'OUTCOME', 'ROLE', 'LEASE', 'DETAIL'],
    entries.map((e) => [localDateTime(e.time), e.action, e.outcome, e.role ?? '-', e.lease_id ?? '-', readableDetail(e.detail ?? '')]),
  );
}

/** The core writes increments as seconds (`person: +3000s`); people read `+50m`. --json keeps the original. */
function readableDetail(detail: string): string {
  return detail.replace(/(^|[\s+(])(\d{2,})s\b/g, (_m, before: string, seconds: string) => `${before}${formatDuration(Number(seconds))}`);
}
