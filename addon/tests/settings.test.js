// The settings model: the administrator's policy (storage.managed) over the user's own
// settings (storage.local) over the defaults.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { DEFAULT_DAEMON_URL } from "../lib/constants.js";
import {
  DEFAULTS, MANAGED, gateOpensFor, isManaged, loadSettings, normaliseUrl, readManaged,
  resolveSettings, saveSettings,
} from "../lib/settings.js";

function memoryArea(initial = {}) {
  const data = { ...initial };
  return {
    data,
    async get(keys) {
      if (keys === null) return { ...data };
      return Object.fromEntries(keys.filter((k) => k in data).map((k) => [k, data[k]]));
    },
    async set(values) { Object.assign(data, values); },
  };
}
/** storage.managed as Thunderbird gives it without a policy for the add-on. */
const NO_POLICY = { async get() { throw new Error("Managed storage manifest not found"); } };

test("only loopback http URLs are accepted, so the token never leaves the machine", () => {
  assert.equal(normaliseUrl("127.0.0.1:9000/"), "http://127.0.0.1:9000");
  assert.equal(normaliseUrl("http://localhost:8425"), "http://localhost:8425");
  assert.equal(normaliseUrl("https://127.0.0.1:8425"), "");
  assert.equal(normaliseUrl("http://mail.example.com:8425"), "");
  assert.equal(normaliseUrl("not a url at all"), "");
});

test("with nothing set, the defaults apply", () => {
  const settings = resolveSettings();
  assert.equal(settings.url, DEFAULT_DAEMON_URL);
  assert.equal(settings.gate, "warn");
  assert.equal(settings.pairing, "code");
  assert.deepEqual(settings.source, { url: "default", gate: "default", pairing: "default",
                                      token: "default" });
  assert.deepEqual(settings.problems, []);
});

test("the user's settings override the defaults", () => {
  const settings = resolveSettings({ local: { url: "127.0.0.1:9999", gate: "hold",
                                              token: " abc " } });
  assert.equal(settings.url, "http://127.0.0.1:9999");
  assert.equal(settings.gate, "hold");
  assert.equal(settings.token, "abc");
  assert.equal(settings.source.url, "local");
});

test("the administrator's policy overrides the user's settings and is marked managed", () => {
  const settings = resolveSettings({
    managed: { daemonUrl: "http://127.0.0.1:8600", sendGate: "hold", pairing: "auto" },
    local: { url: "127.0.0.1:9999", gate: "off", token: "mine" },
  });
  assert.equal(settings.url, "http://127.0.0.1:8600");
  assert.equal(settings.gate, "hold");
  assert.equal(settings.pairing, "auto");
  assert.equal(settings.token, "mine");             // the token is always the user's own
  assert.ok(isManaged(settings, "url") && isManaged(settings, "gate"));
  assert.ok(!isManaged(settings, "token"));
});

test("a policy value that does not fit is ignored and named, never half-applied", () => {
  const settings = resolveSettings({
    managed: { daemonUrl: "http://trustmail.corp.example:8425", sendGate: "always",
               token: "shared-by-every-machine", colour: "red" },
    local: { url: "127.0.0.1:9999" },
  });
  assert.equal(settings.url, "http://127.0.0.1:9999");   // the user's value still counts
  assert.equal(settings.source.url, "local");
  assert.equal(settings.gate, DEFAULTS.gate);
  assert.equal(settings.token, "");
  assert.equal(settings.problems.length, 4);
  assert.match(settings.problems.find((p) => p.startsWith("token")), /must not be set by policy/);
  assert.match(settings.problems.find((p) => p.startsWith("colour")), /not a trustmail setting/);
});

test("managed_schema.json declares exactly the keys the add-on reads, and no token", () => {
  const schema = JSON.parse(readFileSync(new URL("../managed_schema.json", import.meta.url)));
  const manifest = JSON.parse(readFileSync(new URL("../manifest.json", import.meta.url)));
  assert.equal(manifest.storage.managed_schema, "managed_schema.json");
  assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(MANAGED).sort());
  assert.deepEqual(schema.properties.sendGate.enum, ["warn", "hold", "off"]);
  assert.ok(!JSON.stringify(Object.keys(schema.properties)).includes("token"));
});

test("without a policy for the add-on, managed storage reads as empty", async () => {
  assert.deepEqual(await readManaged(NO_POLICY), {});
  assert.deepEqual(await readManaged(undefined), {});
});

test("saving keeps the user's values and never writes over a managed one", async () => {
  const storage = { local: memoryArea(),
                    managed: memoryArea({ daemonUrl: "http://127.0.0.1:8600" }) };
  const saved = await saveSettings(storage, { url: "127.0.0.1:9999", gate: "off",
                                              token: "  abc  " });
  assert.equal(saved.url, "http://127.0.0.1:8600");
  assert.equal(saved.gate, "off");
  assert.equal(saved.token, "abc");
  assert.deepEqual(storage.local.data, { gate: "off", token: "abc" });
  const unmanaged = { local: memoryArea(), managed: NO_POLICY };
  await saveSettings(unmanaged, { url: "127.0.0.1:9999" });
  assert.equal((await loadSettings(unmanaged)).url, "http://127.0.0.1:9999");
});

test("the send gate opens for the verdicts the setting names", () => {
  assert.ok(gateOpensFor({ gate: "warn" }, "warn") && gateOpensFor({ gate: "warn" }, "hold"));
  assert.ok(!gateOpensFor({ gate: "warn" }, "pass"));
  assert.ok(!gateOpensFor({ gate: "hold" }, "warn") && gateOpensFor({ gate: "hold" }, "hold"));
  assert.ok(!gateOpensFor({ gate: "off" }, "hold"));
});
