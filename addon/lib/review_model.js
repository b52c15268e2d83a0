// Turn the daemon's report into what the review panel shows. Pure: no DOM, no browser APIs.

import { SNIPPET_CONTEXT } from "./constants.js";

/** The dimensions in the order the panel lists them. */
export const DIMENSIONS = ["honesty", "disclosure", "responsiveness", "promises", "tone"];

const SENTENCE_END = /[.!?]\s|\n/g;

/**
 * The sentence around [start, end) of `body`, split for highlighting.
 * Long sentences are cut to SNIPPET_CONTEXT characters each side, marked with "…".
 * @returns {{before: string, match: string, after: string}}
 */
export function sentenceAround(body, start, end) {
  start = Math.max(0, Math.min(start, body.length));
  end = Math.max(start, Math.min(end, body.length));
  let from = 0;
  for (const hit of body.slice(0, start).matchAll(SENTENCE_END)) {
    from = hit.index + hit[0].length;
  }
  SENTENCE_END.lastIndex = 0;
  const rest = body.slice(end);
  const next = rest.search(/[.!?](\s|$)|\n/);
  let to = next < 0 ? body.length : end + next + (rest[next] === "\n" ? 0 : 1);
  let before = body.slice(from, start).replace(/^\s+/, "");
  let after = body.slice(end, to).replace(/\s+$/, "");
  if (before.length > SNIPPET_CONTEXT) before = "…" + before.slice(-SNIPPET_CONTEXT);
  if (after.length > SNIPPET_CONTEXT) after = after.slice(0, SNIPPET_CONTEXT) + "…";
  return { before, match: body.slice(start, end), after };
}

/**
 * The view model of a report.
 * @param {object} report the JSON of POST /v1/score
 * @returns {{score: number, verdict: string, reason: string, language: string,
 *            languageSupported: boolean, bars: object[], findings: object[],
 *            promises: object[], questions: string[]}}
 */
export function reviewModel(report) {
  const body = typeof report.body === "string" ? report.body : "";
  const dimensions = report.dimensions ?? {};
  const bars = DIMENSIONS.filter((name) => dimensions[name]).map((name) => ({
    name,
    score: dimensions[name].score,
    verdict: dimensions[name].verdict,
  }));
  const findings = [...(report.findings ?? [])]
    .sort((a, b) => b.penalty - a.penalty || a.start - b.start)
    .map((finding) => ({
      rule: finding.rule,
      dimension: finding.dimension,
      message: finding.message,
      suggestion: finding.suggestion,
      why: typeof finding.why === "string" ? finding.why : "",
      penalty: finding.penalty,
      ...sentenceAround(body, finding.start, finding.end),
    }));
  const promises = (report.promises ?? []).map((promise) => ({
    text: promise.text,
    owner: promise.owner,
    due: promise.due ?? null,
    hedged: Boolean(promise.hedged),
  }));
  const questions = (report.questions ?? []).filter((q) => !q.answered).map((q) => q.text);
  return {
    score: report.score, verdict: report.verdict,
    reason: typeof report.verdict_reason === "string" ? report.verdict_reason : "",
    language: typeof report.language === "string" ? report.language : "",
    languageSupported: isLanguageSupported(report),
    bars, findings, promises, questions,
  };
}

/** False when the daemon has no rule pack for the draft's language: nothing was judged. */
export function isLanguageSupported(report) {
  return report?.meta?.language_supported !== false;
}

/** Whether the send gate should stop and show the review (warn or hold). */
export function needsReview(report) {
  return Boolean(report) && (report.verdict === "warn" || report.verdict === "hold");
}

/** A due date for people: "Fri, 6 Mar 2026, 17:00" in the user's locale and zone. */
export function formatDue(iso, locale) {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit",
  }).format(date);
}
