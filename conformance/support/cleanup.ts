// The cleanup registry: every test resource (netns, mount, directory, pin, process) is registered here
// before it is created, and removed newest first on teardown, also when set-up fails halfway.

type Task = { what: string; fn: () => void };

export class Cleanup {
  private tasks: Task[] = [];

  add(what: string, fn: () => void): void {
    this.tasks.push({ what, fn });
  }

  get size(): number {
    return this.tasks.length;
  }

  /** Runs every task once, newest first, and keeps going past failures; returns the errors. */
  run(): string[] {
    const errors: string[] = [];
    while (this.tasks.length) {
      const t = this.tasks.pop()!;
      try {
        t.fn();
      } catch (e) {
        errors.push(`${t.what}: ${(e as Error).message}`);
      }
    }
    return errors;
  }

  /** run(), throwing one error that lists every failed task. */
  runOrThrow(): void {
    const errors = this.run();
    if (errors.length) throw new Error(`cleanup: ${errors.join('; ')}`);
  }

  /**
   * Runs build with a fresh registry. When build throws, what it registered so far is removed and the
   * error rethrown; otherwise the caller gets the value and the registry that undoes it.
   */
  static scope<T>(build: (c: Cleanup) => T): { value: T; cleanup: Cleanup } {
    const c = new Cleanup();
    try {
      return { value: build(c), cleanup: c };
    } catch (e) {
      c.run();
      throw e;
    }
  }
}

/** A registry that runs in the test's teardown; a failed task fails the test. */
export function testCleanup(t: { teardown(fn: () => void): void; fail(msg: string): void }): Cleanup {
  const c = new Cleanup();
  t.teardown(() => {
    for (const e of c.run()) t.fail(`cleanup: ${e}`);
  });
  return c;
}
