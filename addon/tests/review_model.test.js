import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import {
  barsOf, formatDue, groupFindings, markedParts, needsReview, reasonOf, reviewModel,
  sentenceAround,
} from "../lib/review_model.js";

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
  questions: [{ text: "Can you refund?", answered: false, how: "dont-know" },
              { text: "Which plan?", answered: false },
              { text: "When?", answered: true, how: "timing" },
              { text: "Kleis, is your code public?", answered: false, owed: false }],
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
  assert.deepEqual(model.questions, [{ text: "Can you refund?", how: "dont-know" },
                                     { text: "Which plan?", how: "no-answer-found" }]);
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
  assert.match(model.reason.detail, /because of honesty/);
  assert.equal(model.findings[0].why, "Read as a statement about the customer's matter.");
});

// --- issue 11: bars by their own verdict, a one-line reason, grouped findings, scrolling

const HELD = {
  score: 30, verdict: "hold",
  verdict_reason: "hold: overall 30 (hold below 40) because of honesty 60 (warn).",
  body: "Hi Anna, I think we could maybe look at it, hopefully soon. It should probably be fine.",
  dimensions: { honesty: { score: 60, verdict: "warn" }, disclosure: { score: 100, verdict: "pass" },
                responsiveness: { score: 88, verdict: "pass" }, promises: { score: 82, verdict: "pass" },
                tone: { score: 100, verdict: "pass" } },
  findings: [
    { rule: "en.honesty.belief", dimension: "honesty", start: 11, end: 16, match: "think",
      message: "A belief.", suggestion: "Check it.", penalty: 6 },
    { rule: "en.honesty.hedge", dimension: "honesty", start: 9, end: 16, match: "I think",
      message: "Hedging.", suggestion: "Say what you know.", penalty: 10 },
    { rule: "en.honesty.modal", dimension: "honesty", start: 20, end: 25, match: "could",
      message: "A modal.", suggestion: "Say what is true.", penalty: 4 },
    { rule: "en.promises.vague", dimension: "promises", start: 60, end: 86,
      match: "It should probably be fine", message: "No owner.", suggestion: "Name one.",
      penalty: 8 },
    { rule: "en.responsiveness.unanswered", dimension: "responsiveness", start: 0, end: 0,
      match: "", message: "A question is not answered.", suggestion: "Answer it.", penalty: 12 },
  ],
};

test("each bar is coloured by its own verdict, not by the overall score", () => {
  const bars = barsOf(HELD);
  assert.deepEqual(bars.map((b) => [b.name, b.colour]),
                   [["honesty", "warn"], ["disclosure", "pass"], ["responsiveness", "pass"],
                    ["promises", "pass"], ["tone", "pass"]]);
  assert.deepEqual(bars.map((b) => b.findings), [3, 0, 1, 1, 0]);
});

test("a bar without a verdict from the daemon gets one from its own score", () => {
  const bars = barsOf({ dimensions: { honesty: { score: 35 }, tone: { score: 65 },
                                      promises: { score: 90, verdict: "bogus" } } });
  assert.deepEqual(bars.map((b) => [b.name, b.colour]),
                   [["honesty", "hold"], ["promises", "pass"], ["tone", "warn"]]);
});

test("the overall score's reason names the failing dimensions, weakest first", () => {
  const report = { ...HELD, dimensions: { ...HELD.dimensions,
                                          tone: { score: 30, verdict: "hold" } } };
  const reason = reasonOf(report, barsOf(report));
  assert.equal(reason.kind, "failing");
  assert.deepEqual(reason.dimensions, [{ name: "tone", score: 30 },
                                       { name: "honesty", score: 60 }]);
  assert.equal(reason.detail, HELD.verdict_reason);     // the full sentence, as a tooltip
});

test("a warning from many small findings, a minor pass and a clean draft read differently", () => {
  const passing = { honesty: { score: 80, verdict: "pass" }, tone: { score: 90, verdict: "pass" } };
  const spread = { score: 62, verdict: "warn", dimensions: passing, findings: HELD.findings };
  assert.deepEqual(reasonOf(spread, barsOf(spread)),
                   { kind: "spread", score: 62, count: 5, dimensions: [], detail: "" });
  const minor = { score: 92, verdict: "pass", dimensions: passing, findings: [HELD.findings[0]] };
  assert.equal(reasonOf(minor, barsOf(minor)).kind, "minor");
  const clean = { score: 100, verdict: "pass", dimensions: passing, findings: [] };
  assert.equal(reasonOf(clean, barsOf(clean)).kind, "clean");
});

test("the reason line's messages exist in every language and take score and names", () => {
  for (const lang of ["en", "de"]) {
    const messages = JSON.parse(readFileSync(new URL(`../_locales/${lang}/messages.json`,
                                                     import.meta.url)));
    for (const kind of ["failing", "spread", "minor", "clean"]) {
      assert.ok(messages[`reason_${kind}`], `${lang} reason_${kind}`);
      assert.ok(!messages[`reason_${kind}`].message.includes("\n"), "one line");
    }
  }
});

test("findings of one sentence are one group: the sentence once, every match marked", () => {
  const groups = groupFindings(HELD);
  assert.equal(groups.length, 3);
  const [unanswered, hedges, vague] = groups;
  assert.deepEqual(unanswered.parts, []);               // nothing to quote: it is missing
  assert.equal(unanswered.findings[0].rule, "en.responsiveness.unanswered");
  assert.deepEqual(hedges.findings.map((f) => f.rule),   // by penalty within the group
                   ["en.honesty.hedge", "en.honesty.belief", "en.honesty.modal"]);
  assert.deepEqual(hedges.parts.filter((p) => p.mark).map((p) => p.text), ["I think", "could"]);
  assert.equal(hedges.parts.map((p) => p.text).join(""),
               "Hi Anna, I think we could maybe look at it, hopefully soon.");
  assert.deepEqual(vague.parts, [{ text: "It should probably be fine", mark: true },
                                 { text: ".", mark: false }]);
});

test("a long sentence is shortened between its marks, never inside one", () => {
  const body = "a".repeat(300) + " maybe " + "b".repeat(300) + " perhaps " + "c".repeat(300);
  const parts = markedParts(body, 0, body.length, [[301, 306], [608, 615]]);
  assert.deepEqual(parts.filter((p) => p.mark).map((p) => p.text), ["maybe", "perhaps"]);
  assert.ok(parts[0].text.startsWith("…") && parts.at(-1).text.endsWith("…"));
  assert.ok(parts[2].text.includes(" … "));
  assert.ok(parts.every((p) => p.text.length <= 2 * 90 + 3));
});

test("every finding reaches the panel (none is cut), and the list area scrolls", () => {
  const many = { ...HELD, findings: Array.from({ length: 40 }, (_, i) => ({
    ...HELD.findings[3], rule: `r${i}`, start: 0, end: 0 })) };
  const groups = reviewModel(many).groups;
  assert.equal(groups.reduce((n, g) => n + g.findings.length, 0), 40);
  const css = readFileSync(new URL("../review/review.css", import.meta.url), "utf8");
  assert.match(css, /#details \{[^}]*overflow-y: auto/);
  const html = readFileSync(new URL("../review/review.html", import.meta.url), "utf8");
  assert.match(html, /<main id="details">[\s\S]*id="findings"[\s\S]*<\/main>/);
});
