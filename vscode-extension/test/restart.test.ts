import assert from "node:assert/strict";
import { test } from "node:test";
import { RestartQueue } from "../src/restart";

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

test("restarts never overlap and requests during a restart coalesce into one more", async () => {
  const gates = [deferred(), deferred(), deferred()];
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  const queue = new RestartQueue(async () => {
    const gate = gates[runs++];
    running++;
    maxRunning = Math.max(maxRunning, running);
    await gate.promise;
    running--;
  });
  const first = queue.request();
  const second = queue.request();
  const third = queue.request();
  const fourth = queue.request();
  assert.equal(second, third);
  assert.equal(third, fourth);
  await Promise.resolve();
  assert.equal(runs, 1);
  gates[0].resolve();
  await first;
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 2); // one more for the three queued requests
  gates[1].resolve();
  await second;
  assert.equal(queue.busy, false);
  assert.equal(maxRunning, 1);
  // idle again: the next request starts at once
  const fifth = queue.request();
  await Promise.resolve();
  assert.equal(runs, 3);
  gates[2].resolve();
  await fifth;
});

test("a failed restart rejects its callers and does not block the next one", async () => {
  let calls = 0;
  const queue = new RestartQueue(async () => {
    calls++;
    if (calls === 1) throw new Error("interpreter vanished");
  });
  const failed = queue.request();
  const queued = queue.request();
  await assert.rejects(failed, /interpreter vanished/);
  await queued;
  assert.equal(calls, 2);
  assert.equal(queue.busy, false);
});

test("a restart that throws synchronously still rejects the promise", async () => {
  const queue = new RestartQueue(() => {
    throw new Error("sync");
  });
  await assert.rejects(queue.request(), /sync/);
  assert.equal(queue.busy, false);
});
