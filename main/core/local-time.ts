// The one short local time of day Keyfob writes into its messages ("expires at 17:05", "unreachable since 10:02"):
// hours and minutes in the process's time zone (TZ honoured). It lives in core because core's notices use it, and
// the app's tray status line (main/ipc/proxy-health.ts) imports the same function. The window formats its own
// times with the page's locale (renderer/src/time.ts); the CLI's tables add seconds and dates (main/cli/when.ts).

/** `17:05`: an instant (ms since the epoch, or ISO-8601 text) as a local hour and minute. */
export function localTime(at: number | string): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
