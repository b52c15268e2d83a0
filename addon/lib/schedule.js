// When to score while the user types: after a pause (debounce), never more often than
// a minimum interval, and never two requests for one tab at once.

import { DEBOUNCE_MS, MIN_INTERVAL_MS } from "./constants.js";

/**
 * A scheduler for one compose tab.
 * @param {() => Promise<void>} run scores the current draft
 * @param {{debounceMs?: number, minIntervalMs?: number, now?: () => number,
 *          setTimer?: typeof setTimeout, clearTimer?: typeof clearTimeout}} [options]
 * @returns {{poke: () => void, cancel: () => void, flush: () => Promise<void>}}
 *   poke: the draft changed; flush: run now (e.g. before sending); cancel: tab closed.
 */
export function createScheduler(run, options = {}) {
  const debounceMs = options.debounceMs ?? DEBOUNCE_MS;
  const minIntervalMs = options.minIntervalMs ?? MIN_INTERVAL_MS;
  const now = options.now ?? (() => Date.now());
  const setTimer = options.setTimer ?? setTimeout;
  const clearTimer = options.clearTimer ?? clearTimeout;
  let timer = null;
  let lastStart = -Infinity;
  let running = null;     // the promise of the request in flight
  let dirty = false;      // changed while a request was in flight

  function schedule(delay) {
    if (timer !== null) clearTimer(timer);
    timer = setTimer(fire, Math.max(0, delay));
  }

  function fire() {
    timer = null;
    if (running) { dirty = true; return; }
    lastStart = now();
    running = Promise.resolve()
      .then(run)
      .catch(() => {})     // run reports its own failures (badge); never break the schedule
      .finally(() => {
        running = null;
        if (dirty) { dirty = false; poke(); }
      });
  }

  function poke() {
    const earliest = lastStart + minIntervalMs - now();
    schedule(Math.max(debounceMs, earliest));
  }

  return {
    poke,
    cancel() { if (timer !== null) clearTimer(timer); timer = null; dirty = false; },
    async flush() {
      if (timer !== null) { clearTimer(timer); timer = null; }
      if (running) await running;
      lastStart = now();
      await Promise.resolve().then(run).catch(() => {});
    },
  };
}
