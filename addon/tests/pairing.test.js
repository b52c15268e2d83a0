// Pairing from the add-on's side: what the user typed, the code exchange, auto pairing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { autoPairing, classifyInput, redeem } from "../lib/pairing.js";

const SETTINGS = { url: "http://127.0.0.1:8425", token: "", pairing: "code" };

function daemonAnswering(status, body, seen = []) {
  return async (url, init) => {
    seen.push({ url, body: init.body ? JSON.parse(init.body) : undefined,
                authorization: init.headers.Authorization });
    return { ok: status === 200, status, json: async () => body };
  };
}

test("a code from `trustmail pair` is told apart from a pasted token", () => {
  assert.deepEqual(classifyInput("k7qm-3xwd"), { code: "K7QM-3XWD" });
  assert.deepEqual(classifyInput(" K7QM 3XWD "), { code: "K7QM 3XWD" });
  const token = "0L3uZ1m9pQ2_xYvT8aB4cD6eF0gH1iJ2kL3mN4oP5qR";
  assert.deepEqual(classifyInput(token), { token });
  assert.equal(classifyInput("   "), null);
});

test("a redeemed code gives the token; the request carries no token", async () => {
  const seen = [];
  const result = await redeem(SETTINGS, "K7QM-3XWD",
                              { fetchImpl: daemonAnswering(200, { token: "t0k" }, seen) });
  assert.deepEqual(result, { state: "ok", token: "t0k" });
  assert.equal(seen[0].url, "http://127.0.0.1:8425/v1/pair");
  assert.deepEqual(seen[0].body, { code: "K7QM-3XWD" });
  assert.equal(seen[0].authorization, "Bearer ");
});

test("automatic pairing sends no code; a refusal keeps the daemon's reason", async () => {
  const seen = [];
  const refusal = { error: { code: "pairing_closed", message: "no pairing is open" } };
  const result = await redeem(SETTINGS, undefined,
                              { fetchImpl: daemonAnswering(403, refusal, seen) });
  assert.deepEqual(seen[0].body, {});
  assert.deepEqual(result, { state: "refused", reason: "pairing_closed",
                             message: "no pairing is open" });
});

test("a daemon that is not running is 'down', not a refusal", async () => {
  const fetchImpl = async () => { throw new TypeError("NetworkError"); };
  assert.equal((await redeem(SETTINGS, "K7QM-3XWD", { fetchImpl })).state, "down");
});

test("automatic pairing is tried only by policy, only without a token, and not too often", () => {
  const limiter = autoPairing(10_000);
  const auto = { ...SETTINGS, pairing: "auto" };
  assert.equal(limiter.due(SETTINGS, 0), false);
  assert.equal(limiter.due({ ...auto, token: "have-one" }, 0), false);
  assert.equal(limiter.due(auto, 0), true);
  assert.equal(limiter.due(auto, 5_000), false);
  assert.equal(limiter.due(auto, 10_000), true);
});
