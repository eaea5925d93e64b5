/** Collects release callbacks so a component frees all its listeners and timers in one call. */
export class Disposer {
  private readonly releases: Array<() => void> = [];

  add(release: () => void): void {
    this.releases.push(release);
  }

  /** Runs every release in reverse order of registration; safe to call more than once. */
  dispose(): void {
    while (this.releases.length > 0) {
      const release = this.releases.pop()!;
      try {
        release();
      } catch {
        // One failing release must not keep the others from running.
      }
    }
  }
}
