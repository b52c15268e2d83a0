// The API client maps every outcome to a state; nothing throws.
import assert from "node:assert/strict";
import http from "node:http";
import { test } from "node:test";
import { callApi, joinUrl, scoreDraft } from "../lib/client.js";

const settings = { url: "http://127.0.0.1:1", token: "t0ken" };

function fetchReturning(status, body, seen = {}) {
  return async (url, init) => {
    Object.assign(seen, { url, init });
    return new Response(JSON.stringify(body), { status });
  };
}

test("a 200 answer is ok and carries the report", async () => {
  const seen = {};
  const result = await scoreDraft(settings, { text: "hi" },
    { fetchImpl: fetchReturning(200, { score: 88, verdict: "pass" }, seen) });
  assert.deepEqual(result, { state: "ok", data: { score: 88, verdict: "pass" }, status: 200 });
  assert.equal(seen.url, "http://127.0.0.1:1/v1/score");
  assert.equal(seen.init.headers.Authorization, "Bearer t0ken");
  assert.equal(seen.init.headers["Content-Type"], "application/json");
  assert.deepEqual(JSON.parse(seen.init.body), { text: "hi" });
});

test("401 means the add-on is not paired", async () => {
  const result = await callApi(settings, "GET", "/v1/report", undefined,
    { fetchImpl: fetchReturning(401, { error: { code: "invalid_token", message: "wrong" } }) });
  assert.equal(result.state, "unpaired");
});

test("other errors carry the daemon's message and reason code", async () => {
  const result = await callApi(settings, "POST", "/v1/score", {},
    { fetchImpl: fetchReturning(400, { error: { code: "invalid_request", message: "body: x" } }) });
  assert.deepEqual(result, { state: "error", status: 400, code: "invalid_request",
                             message: "body: x" });
});

test("a closed port is 'down'", async () => {
  const result = await callApi({ url: "http://127.0.0.1:9", token: "" }, "GET", "/v1/health");
  assert.equal(result.state, "down");
});

test("a server that does not answer in time is 'slow'", async () => {
  const server = http.createServer(() => { /* never answers */ });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  const started = Date.now();
  const result = await callApi({ url: `http://127.0.0.1:${port}`, token: "" }, "GET",
    "/v1/health", undefined, { timeoutMs: 200 });
  server.closeAllConnections();
  server.close();
  assert.equal(result.state, "slow");
  assert.ok(Date.now() - started < 1500, "the timeout ends the wait");
});

test("joinUrl tolerates a trailing slash", () => {
  assert.equal(joinUrl("http://127.0.0.1:8425/", "/v1/health"), "http://127.0.0.1:8425/v1/health");
});
