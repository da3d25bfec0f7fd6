// A spinner on stderr while the CLI waits on the network, shown only on a terminal and only after a moment, so that
// fast operations and piped or scripted runs print nothing extra.
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): boolean;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SHOW_AFTER_MS = 300;
const FRAME_MS = 80;

export async function withProgress<T>(stream: ProgressStream, label: string, work: () => Promise<T>): Promise<T> {
  if (!stream.isTTY) return work();
  let frame = 0;
  let interval: NodeJS.Timeout | undefined;
  const draw = (): void => {
    stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}…`);
  };
  const delay = setTimeout(() => {
    draw();
    interval = setInterval(draw, FRAME_MS);
    interval.unref();
  }, SHOW_AFTER_MS);
  delay.unref();
  try {
    return await work();
  } finally {
    clearTimeout(delay);
    if (interval) {
      clearInterval(interval);
      stream.write('\r\x1b[K');
    }
  }
}

/** Clears a spinner's line before another line is written over it, or before the process exits mid-wait. */
export function clearProgressLine(stream: ProgressStream): void {
  if (stream.isTTY) stream.write('\r\x1b[K');
}
