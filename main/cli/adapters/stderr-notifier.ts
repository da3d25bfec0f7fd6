// The CLI's Notifier port: one line on stderr per notification (stdout stays clean for keys and JSON).
import { redactText } from '../../core/errors.js';
import type { Notification, Notifier } from '../../core/ports.js';
import { terminalSafe } from '../output.js';

export class StderrNotifier implements Notifier {
  constructor(private readonly stream: NodeJS.WritableStream = process.stderr) {}

  notify(n: Notification): void {
    const body = n.body.replace(/\s*\n\s*/g, ' ').trim();
    this.stream.write(`keyfob: ${terminalSafe(redactText(body ? `${n.title}: ${body}` : n.title))}\n`);
  }
}
