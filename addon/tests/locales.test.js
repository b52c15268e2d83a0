// English and German have the same strings, and every string the code uses exists.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { OPEN_BECAUSE } from "../lib/review_model.js";

const root = new URL("../", import.meta.url);
const read = (path) => readFileSync(new URL(path, root), "utf8");
const en = JSON.parse(read("_locales/en/messages.json"));
const de = JSON.parse(read("_locales/de/messages.json"));

function sources() {
  const files = ["background.js", "manifest.json", "review/review.html", "review/review.js",
                 "options/options.html", "options/options.js"];
  return files.map((file) => read(file)).join("\n");
}

test("German has exactly the English keys and the same placeholders", () => {
  assert.deepEqual(Object.keys(de).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) {
    assert.deepEqual(Object.keys(de[key].placeholders ?? {}),
                     Object.keys(en[key].placeholders ?? {}), key);
  }
});

test("every message the code names exists", () => {
  const text = sources();
  const used = new Set([
    ...[...text.matchAll(/data-i18n="(\w+)"/g)].map((m) => m[1]),
    ...[...text.matchAll(/__MSG_(\w+)__/g)].map((m) => m[1]),
    ...[...text.matchAll(/\bt\("(\w+)"/g)].map((m) => m[1]),
  ]);
  for (const prefix of ["badgeTitle_", "verdict_", "dimension_", "reason_", "gate_",
                        "questionOpen_"]) {
    assert.ok(Object.keys(en).some((k) => k.startsWith(prefix)), prefix);
  }
  for (const key of used) assert.ok(key in en, `missing message ${key}`);
  assert.ok(readdirSync(new URL("_locales", root)).length === 2);
});

test("every reason the daemon gives for an open question has its message", () => {
  for (const how of OPEN_BECAUSE) {
    assert.ok(`questionOpen_${how.replaceAll("-", "_")}` in en, how);
  }
});
