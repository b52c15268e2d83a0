import assert from "node:assert/strict";
import { test } from "node:test";
import { badgeFor, PROBLEM_COLOUR, VERDICT_COLOURS } from "../lib/badge.js";

test("a report shows its score in the verdict's colour", () => {
  const badge = badgeFor({ state: "ok", data: { score: 57, verdict: "warn" } });
  assert.deepEqual(badge, { text: "57", colour: VERDICT_COLOURS.warn,
                            titleKey: "badgeTitle_warn", titleArgs: ["57"] });
});

test("each problem state has its own short text and the grey colour", () => {
  const texts = ["down", "slow", "unpaired", "error"].map((state) => badgeFor({ state }));
  assert.deepEqual(texts.map((b) => b.text), ["off", "slow", "key", "err"]);
  assert.ok(texts.every((b) => b.colour === PROBLEM_COLOUR && b.text.length <= 4));
});

test("an ok answer without a score counts as an error", () => {
  assert.equal(badgeFor({ state: "ok", data: { error: "x" } }).text, "err");
});

test("a draft in an unsupported language shows n/a, not a score it never earned", () => {
  const badge = badgeFor({ state: "ok", data: { score: 100, verdict: "pass", language: "es",
                                                meta: { language_supported: false } } });
  assert.equal(badge.text, "n/a");
  assert.equal(badge.titleKey, "badgeTitle_unsupported");
  assert.deepEqual(badge.titleArgs, ["es"]);
});
