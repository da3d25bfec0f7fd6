// Everything the app sets up that must be undone at the end, in one place (VS Code's DisposableStore idea): each
// registration adds its own teardown as it happens, and `dispose` undoes them newest first, so nothing is torn down
// before what depends on it, and nothing is forgotten when a registration is added.

/** Undoes one registration: removes a listener, stops a timer, closes a resource. */
export type Teardown = () => void | Promise<void>;

export class TeardownStore {
  private readonly teardowns: Teardown[] = [];
  private disposing: Promise<void> | null = null;

  /** Adds a teardown; once the store is disposed, it runs at once instead (a registration that came too late). */
  add(teardown: Teardown): void {
    if (this.disposing) {
      void this.disposing.then(() => runQuietly(teardown));
      return;
    }
    this.teardowns.push(teardown);
  }

  get disposed(): boolean {
    return this.disposing !== null;
  }

  /**
   * Runs every teardown in reverse order of registration, each awaited; one that fails does not stop the others
   * (the process is ending: the best is to undo as much as possible). Idempotent: a second call waits for the first.
   */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      for (const teardown of this.teardowns.splice(0).reverse()) await runQuietly(teardown);
    })();
    return this.disposing;
  }
}

async function runQuietly(teardown: Teardown): Promise<void> {
  try {
    await teardown();
  } catch {
    // Nothing is left to report to while tearing down; the other teardowns still run.
  }
}
