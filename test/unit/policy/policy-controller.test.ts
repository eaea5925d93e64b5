import { jest } from '@jest/globals';
import type { DynamicCoreConfig } from 'p2p-media-loader-core';
import { PolicyController, type PolicyTarget } from '../../../src/policy/policy-controller';
import { resolvePolicy } from '../../../src/policy/policy-options';

type Listener = (...args: unknown[]) => void;

/** p2p-media-loader's side as the controller sees it, with the session's upload counting after it. */
class FakeEngine {
  readonly applied: DynamicCoreConfig[] = [];
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly uploading = new Set<string>();
  readonly target: PolicyTarget = {
    applyDynamicConfig: ({ core }) => void this.applied.push(core),
    addEventListener: (name, listener) => this.on(name, listener as Listener),
    removeEventListener: (name, listener) => this.listeners.get(name)?.delete(listener as Listener),
    stream: () => ({ segmentDurationS: 2, live: false }),
    uploadsInFlight: () => this.uploading.size,
    peers: () => 3,
  };

  on(name: string, listener: Listener): void {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name)!.add(listener);
  }

  /** Registered after the controller, as the session's stats are. */
  countUploads(): void {
    this.on('onChunkUploaded', (_bytes, peerId) => this.uploading.add(peerId as string));
  }

  emit(name: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(name) ?? []) listener(...args);
  }

  get uploadSwitch(): boolean | undefined {
    return [...this.applied].reverse().find((core) => core.isP2PUploadDisabled !== undefined)?.isP2PUploadDisabled;
  }
}

const flushMicrotasks = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('PolicyController upload switch', () => {
  // Timers faked so the 250 ms tick never runs; microtasks real, as the browser runs them.
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  test('the upload that reaches upload.maxConcurrent switches uploading off before the next request, not at the next tick', async () => {
    const engine = new FakeEngine();
    const controller = new PolicyController(engine.target, resolvePolicy({ upload: { maxConcurrent: 2 } }, undefined), null);
    engine.countUploads();

    engine.emit('onChunkUploaded', 65_535, 'peer-a');
    await flushMicrotasks();
    expect(engine.uploadSwitch).toBeUndefined(); // one upload of two allowed: still on

    engine.emit('onChunkUploaded', 65_535, 'peer-b');
    await flushMicrotasks();
    // No timer has run (fake timers): only the chunk event can have switched it.
    expect(engine.uploadSwitch).toBe(true);
    controller.destroy();
  });

  test('a spent rate budget switches uploading off at the chunk that spent it', async () => {
    const engine = new FakeEngine();
    const controller = new PolicyController(engine.target, resolvePolicy({ upload: { maxBytesPerS: 10_000 } }, undefined), null);
    engine.countUploads();
    engine.emit('onChunkUploaded', 15_000, 'peer-a'); // the budget starts with two seconds' worth
    await flushMicrotasks();
    expect(engine.uploadSwitch).toBeUndefined();
    engine.emit('onChunkUploaded', 6_000, 'peer-a');
    await flushMicrotasks();
    expect(engine.uploadSwitch).toBe(true);
    controller.destroy();
  });

  test('after destroy, a queued check does nothing', async () => {
    const engine = new FakeEngine();
    const controller = new PolicyController(engine.target, resolvePolicy({ upload: { maxConcurrent: 1 } }, undefined), null);
    engine.countUploads();
    engine.emit('onChunkUploaded', 65_535, 'peer-a');
    const appliedBefore = engine.applied.length;
    controller.destroy();
    await flushMicrotasks();
    expect(engine.applied.length).toBe(appliedBefore);
  });
});
