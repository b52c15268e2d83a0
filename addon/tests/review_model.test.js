import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDue, needsReview, reviewModel, sentenceAround } from "../lib/review_model.js";

const BODY = "Hi Anna. I think we could maybe fix it. I will send the credit note by Friday.";
const REPORT = {
  score: 58, verdict: "warn", body: BODY,
  dimensions: { tone: { score: 90, verdict: "pass" }, honesty: { score: 40, verdict: "hold" } },
  findings: [
    { rule: "en.honesty.hedge", dimension: "honesty", start: 9, end: 16, match: "I think",
      message: "Hedging.", suggestion: "Say what you know.", penalty: 5 },
    { rule: "en.honesty.maybe", dimension: "honesty", start: 26, end: 31, match: "maybe",
      message: "Vague.", suggestion: "Be firm.", penalty: 8 },
  ],
  promises: [{ text: "I will send the credit note by Friday", owner: "sender",
               due: "2026-03-06T16:00:00+00:00", hedged: false }],
  questions: [{ text: "Can you refund?", answered: false },
              { text: "When?", answered: true }],
};

test("a finding shows its sentence with the match cut out for highlighting", () => {
  assert.deepEqual(sentenceAround(BODY, 26, 31),
                   { before: "I think we could ", match: "maybe", after: " fix it." });
});

test("a long sentence is shortened around the match", () => {
  const body = "x".repeat(300) + " maybe " + "y".repeat(300);
  const part = sentenceAround(body, 301, 306);
  assert.equal(part.match, "maybe");
  assert.ok(part.before.startsWith("…") && part.after.endsWith("…"));
  assert.ok(part.before.length <= 91 && part.after.length <= 91);
});

test("the model orders bars by dimension and findings by penalty", () => {
  const model = reviewModel(REPORT);
  assert.deepEqual(model.bars.map((b) => b.name), ["honesty", "tone"]);
  assert.deepEqual(model.findings.map((f) => f.match), ["maybe", "I think"]);
  assert.equal(model.promises[0].due, "2026-03-06T16:00:00+00:00");
  assert.deepEqual(model.questions, ["Can you refund?"]);
});

test("offsets outside the body do not break the panel", () => {
  const model = reviewModel({ ...REPORT, findings: [{ ...REPORT.findings[0], start: 500,
                                                      end: 900 }] });
  assert.equal(model.findings[0].match, "");
});

test("warn and hold open the review; pass and a missing report do not", () => {
  assert.equal(needsReview({ verdict: "warn" }), true);
  assert.equal(needsReview({ verdict: "hold" }), true);
  assert.equal(needsReview({ verdict: "pass" }), false);
  assert.equal(needsReview(null), false);
});

test("due dates are formatted for the reader's language", () => {
  assert.match(formatDue("2026-03-06T16:00:00+00:00", "en-GB"), /Fri.*6.*Mar.*2026/);
  assert.match(formatDue("2026-03-06T16:00:00+00:00", "de-DE"), /Fr.*6.*März.*2026/);
  assert.equal(formatDue(null, "en"), null);
});

test("a draft in a language without rules is shown as not judged", () => {
  const report = { ...REPORT, score: 100, verdict: "pass", findings: [], language: "es",
                   verdict_reason: "not judged: language 'es' is not supported (rule packs: en, de).",
                   meta: { language_supported: false } };
  const model = reviewModel(report);
  assert.equal(model.languageSupported, false);
  assert.equal(model.language, "es");
  assert.equal(reviewModel(REPORT).languageSupported, true);
});

test("the verdict's reason and a finding's reading reach the panel", () => {
  const report = { ...REPORT, verdict_reason: "warn: overall 58 (warn below 70) because of honesty 40 (hold).",
                   findings: [{ ...REPORT.findings[0], why: "Read as a statement about the customer's matter." }] };
  const model = reviewModel(report);
  assert.match(model.reason, /because of honesty/);
  assert.equal(model.findings[0].why, "Read as a statement about the customer's matter.");
});
