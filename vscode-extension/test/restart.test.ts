import assert from "node:assert/strict";
import { test } from "node:test";
import { RestartQueue } from "../src/restart";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

test("restarts never overlap; requests before a restart begins share it, later ones share one more", async () => {
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
  // two events at once (trust granted, settings changed): one restart
  const first = queue.request();
  assert.equal(queue.request(), first);
  await tick();
  assert.equal(runs, 1);
  // three requests while it runs: exactly one more, after it
  const second = queue.request();
  assert.equal(queue.request(), second);
  assert.equal(queue.request(), second);
  await tick();
  assert.equal(runs, 1);
  gates[0].resolve();
  await first;
  await tick();
  assert.equal(runs, 2);
  gates[1].resolve();
  await second;
  assert.equal(queue.busy, false);
  assert.equal(maxRunning, 1);
  // idle again: the next request starts on its own
  const third = queue.request();
  await tick();
  assert.equal(runs, 3);
  gates[2].resolve();
  await third;
});

test("requests within the settle time join one restart", async () => {
  let runs = 0;
  const queue = new RestartQueue(async () => {
    runs++;
  }, 40);
  const a = queue.request();
  await new Promise((r) => setTimeout(r, 10));
  const b = queue.request();
  assert.equal(a, b);
  await b;
  assert.equal(runs, 1);
});

test("a failed restart rejects its callers and does not block the next one", async () => {
  let calls = 0;
  const gate = deferred();
  const queue = new RestartQueue(async () => {
    calls++;
    if (calls === 1) {
      await gate.promise;
      throw new Error("interpreter vanished");
    }
  });
  const failed = queue.request();
  await tick();
  const queued = queue.request(); // made while the failing one runs
  gate.resolve();
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
