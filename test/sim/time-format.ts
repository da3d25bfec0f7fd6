// Datetimes the way the proxy prints them. The simulator keeps time in epoch microseconds because the proxy's
// Python datetimes have microsecond resolution, while its database (Prisma) hands rows back with milliseconds.

/** Python's `datetime.isoformat()`: six fractional digits, or none at all when the microseconds are zero. */
function pythonIso(epochUs: number, suffix: 'Z' | '+00:00', precision: 'us' | 'ms'): string {
  const ms = Math.floor(epochUs / 1000);
  const base = new Date(ms).toISOString().slice(0, 19);
  const msOfSecond = ((ms % 1000) + 1000) % 1000;
  const fraction = msOfSecond * 1000 + (precision === 'us' ? epochUs - ms * 1000 : 0);
  return fraction === 0 ? `${base}${suffix}` : `${base}.${String(fraction).padStart(6, '0')}${suffix}`;
}

/** `/key/generate`: pydantic's `2026-04-12T04:23:03.213899Z`. */
export function isoGenerate(epochUs: number): string {
  return pythonIso(epochUs, 'Z', 'us');
}

/** A Python datetime in `+00:00` form, microseconds kept (the expired-key message): `2026-04-12T04:23:03.213899+00:00`. */
export function isoUpdate(epochUs: number): string {
  return pythonIso(epochUs, '+00:00', 'us');
}

/** Rows read back from the database (`/key/update`, `/key/info`, `/key/list`, block/unblock): `2026-04-12T04:23:03.213000+00:00`. */
export function isoDatabase(epochUs: number): string {
  return pythonIso(epochUs, '+00:00', 'ms');
}

/** The programmatic view (`Simulator.keys()`): a plain JS ISO string. */
export function isoPlain(epochUs: number): string {
  return new Date(Math.floor(epochUs / 1000)).toISOString();
}

/** `/key/generate` in a zone with a UTC offset (era C's calendar-aligned `expires`): `2026-03-19T00:00:00+05:30`. */
export function isoGenerateInZone(epochUs: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return isoGenerate(epochUs);
  const shifted = pythonIso(epochUs + offsetMinutes * 60_000_000, 'Z', 'us').slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${shifted}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
