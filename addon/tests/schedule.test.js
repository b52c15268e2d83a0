// Scoring while typing: after a pause, at most every MIN_INTERVAL_MS, one request at a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createScheduler } from "../lib/schedule.js";

function clock() {
  let time = 0;
  let timers = [];
  return {
    now: () => time,
    setTimer: (fn, delay) => { const t = { fn, at: time + delay }; timers.push(t); return t; },
    clearTimer: (t) => { timers = timers.filter((x) => x !== t); },
    async advance(ms) {
      const end = time + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > end) break;
        timers.shift();
        time = next.at;
        next.fn();
        await new Promise((resolve) => setImmediate(resolve));
      }
      time = end;
    },
  };
}

test("typing steadily scores only after the pause", async () => {
  const c = clock();
  const runs = [];
  const s = createScheduler(async () => { runs.push(c.now()); },
    { debounceMs: 150, minIntervalMs: 250, ...c });
  for (let i = 0; i < 10; i++) { s.poke(); await c.advance(100); }   // a key every 100 ms
  assert.deepEqual(runs, []);
  await c.advance(60);
  assert.deepEqual(runs, [1050]);      // 150 ms after the last key (at 900 ms)
});

test("pauses in quick succession are rate limited", async () => {
  const c = clock();
  const runs = [];
  const s = createScheduler(async () => { runs.push(c.now()); },
    { debounceMs: 50, minIntervalMs: 250, ...c });
  s.poke(); await c.advance(60);       // runs at 50
  s.poke(); await c.advance(300);      // not before 50 + 250 = 300
  assert.deepEqual(runs, [50, 300]);
});

test("a change during a slow request triggers one more request afterwards", async () => {
  const c = clock();
  let release;
  let runs = 0;
  const s = createScheduler(() => { runs += 1; return new Promise((r) => { release = r; }); },
    { debounceMs: 10, minIntervalMs: 10, ...c });
  s.poke(); await c.advance(20);
  s.poke(); s.poke(); await c.advance(50);
  assert.equal(runs, 1, "no second request while the first is in flight");
  release(); await new Promise((r) => setImmediate(r)); await c.advance(20);
  assert.equal(runs, 2);
});

test("a failing run does not stop later runs, and flush runs at once", async () => {
  const c = clock();
  let runs = 0;
  const s = createScheduler(async () => { runs += 1; throw new Error("daemon down"); },
    { debounceMs: 10, minIntervalMs: 10, ...c });
  s.poke(); await c.advance(20);
  await s.flush();
  assert.equal(runs, 2);
  s.poke(); s.cancel(); await c.advance(100);
  assert.equal(runs, 2, "cancel drops the pending run");
});
