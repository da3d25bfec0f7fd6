// The packaged app's command-line mode: `Keyfob --cli -- ARGS` runs the `keyfob` CLI inside the app's own binary,
// so an installer ships one program and the CLI needs no separate Node. It is decided at the very top of the main
// process, before any window, tray, single-instance lock or IPC handler exists, and the process exits when the
// command is done. The binary never acts as a general Node runtime: the RunAsNode fuse is off and
// ELECTRON_RUN_AS_NODE is never used, so the only code `--cli` can run is the CLI's own.
import { app } from 'electron';
import type { CliStreams } from '../cli/command.js';

export const CLI_FLAG = '--cli';

/**
 * The CLI's arguments when this process was started in CLI mode, else null. Whatever comes before `--cli` is for
 * Chromium (the Linux launcher passes `--ozone-platform=headless`); a `--` right after it ends Chromium's switch
 * parsing, so that the CLI's own flags are never read as Chromium's, and is dropped here.
 */
export function cliModeArgs(argv: readonly string[]): string[] | null {
  const at = argv.indexOf(CLI_FLAG);
  if (at < 0) return null;
  const rest = argv.slice(at + 1);
  return rest[0] === '--' ? rest.slice(1) : rest;
}

function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.write('', () => resolve())) stream.once('drain', () => resolve());
  });
}

/** Runs one CLI command and ends the process with its exit status once stdout and stderr are written out. */
export async function runCliMode(args: readonly string[], streams: CliStreams, exit: (code: number) => void = (code) => app.exit(code)): Promise<number> {
  // Loaded here, not at the top: the app's own start never pays for the CLI's modules.
  const [{ runCli }, { createCliContext }] = await Promise.all([import('../cli/run.js'), import('../cli/context.js')]);
  let status: number;
  try {
    status = await runCli(args, streams, createCliContext);
  } catch (e) {
    streams.stderr.write(`keyfob: ${e instanceof Error ? e.message : String(e)}\n`);
    status = 1;
  }
  await Promise.all([flushed(streams.stdout), flushed(streams.stderr)]);
  exit(status);
  return status;
}
