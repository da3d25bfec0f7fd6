// The `keyfob` command (bin/keyfob.js imports the compiled form of this file).
import { createCliContext } from './context.js';
import { runCli } from './run.js';

const status = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }, createCliContext);
process.exitCode = status;
// Everything is closed by now; should a stray handle (a keep-alive socket, a library timer) hold the event loop,
// do not let it keep the command hanging. The timer is unref'd: it never delays a clean exit.
setTimeout(() => process.exit(status), 2_000).unref();
