// Instants as the person reads them: in their own time zone (TZ honoured), as a clock time when it is today and
// with the date otherwise. ISO-8601 UTC is for --json only.
import { formatSpan } from './output.js';

const pad = (n: number): string => String(n).padStart(2, '0');

function localParts(ms: number): { date: string; time: string } {
  const d = new Date(ms);
  return { date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, time: `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` };
}

/** `2026-12-01 18:25:54`, local time: for logs, where every row needs its date. */
export function localDateTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const { date, time } = localParts(ms);
  return `${date} ${time}`;
}

/** `18:25:54` today, `2026-12-02 09:00:00` on another day (local time). */
export function localClock(iso: string, nowMs: number): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const at = localParts(ms);
  return at.date === localParts(nowMs).date ? at.time : `${at.date} ${at.time}`;
}

/** The zone the local times are in, for a table header: `Europe/Berlin`, or `UTC+01:00` when it has no name. */
export function localZoneName(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) return zone;
  const offset = -new Date().getTimezoneOffset();
  return `UTC${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/** "in 14m 58s (at 18:40:12)" / "5m ago (at 18:20:00)" / "never". */
export function relativeAndClock(iso: string | null, nowMs: number): string {
  if (!iso) return 'never';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const seconds = (ms - nowMs) / 1000;
  const relative = seconds >= 0 ? `in ${formatSpan(seconds)}` : `${formatSpan(-seconds)} ago`;
  return `${relative} (at ${localClock(iso, nowMs)})`;
}
