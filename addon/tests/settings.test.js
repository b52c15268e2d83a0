import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_DAEMON_URL } from "../lib/constants.js";
import { loadSettings, normaliseUrl, saveSettings } from "../lib/settings.js";

function memoryStorage() {
  const data = {};
  return {
    data,
    async get(defaults) { return { ...defaults, ...data }; },
    async set(values) { Object.assign(data, values); },
  };
}

test("only loopback http URLs are accepted, so the token never leaves the machine", () => {
  assert.equal(normaliseUrl("127.0.0.1:9000/"), "http://127.0.0.1:9000");
  assert.equal(normaliseUrl("http://localhost:8425"), "http://localhost:8425");
  assert.equal(normaliseUrl("https://127.0.0.1:8425"), "");
  assert.equal(normaliseUrl("http://mail.example.com:8425"), "");
  assert.equal(normaliseUrl("not a url at all"), "");
});

test("settings default to the daemon's default address and round-trip", async () => {
  const storage = memoryStorage();
  assert.deepEqual(await loadSettings(storage), { url: DEFAULT_DAEMON_URL, token: "" });
  await saveSettings(storage, "127.0.0.1:9999", "  abc  ");
  assert.deepEqual(await loadSettings(storage), { url: "http://127.0.0.1:9999", token: "abc" });
});
