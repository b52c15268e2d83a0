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

/** The shipped thresholds ([thresholds] in trustmail.toml): only used when a report lacks
 * a dimension's own verdict (an older daemon). */
export const FALLBACK_THRESHOLDS = Object.freeze({ warn: 70, hold: 40 });

/** A dimension's verdict from its own score, for reports that do not carry one. */
export function verdictOf(score, thresholds = FALLBACK_THRESHOLDS) {
  if (score < thresholds.hold) return "hold";
  if (score < thresholds.warn) return "warn";
  return "pass";
}

const VERDICT_RANK = { pass: 0, warn: 1, hold: 2 };

/**
 * One bar per dimension, coloured by that dimension's own verdict (never by the overall
 * score: a dimension that passes stays green under a red score, and the reason line says
 * which dimensions brought the score down). `findings` counts the dimension's findings.
 */
export function barsOf(report) {
  const dimensions = report.dimensions ?? {};
  const counts = {};
  for (const finding of report.findings ?? []) {
    counts[finding.dimension] = (counts[finding.dimension] ?? 0) + 1;
  }
  return DIMENSIONS.filter((name) => dimensions[name]).map((name) => {
    const score = Number(dimensions[name].score);
    const verdict = VERDICT_RANK[dimensions[name].verdict] === undefined
      ? verdictOf(score) : dimensions[name].verdict;
    return { name, score, verdict, colour: verdict, findings: counts[name] ?? 0 };
  });
}

/**
 * The overall score's reason, short enough for one line, as data the panel localises:
 *   failing  the dimensions that fail on their own, weakest first ("mainly because of")
 *   spread   no dimension fails, but many findings add up
 *   minor    a pass with a few findings
 *   clean    nothing to flag
 * `detail` is the daemon's full sentence (the line's tooltip).
 */
export function reasonOf(report, bars) {
  const count = (report.findings ?? []).length;
  const detail = typeof report.verdict_reason === "string" ? report.verdict_reason : "";
  const failing = bars.filter((bar) => bar.verdict !== "pass")
    .sort((a, b) => VERDICT_RANK[b.verdict] - VERDICT_RANK[a.verdict] || a.score - b.score)
    .map(({ name, score }) => ({ name, score }));
  let kind = "clean";
  if (failing.length) kind = "failing";
  else if (count && report.verdict !== "pass") kind = "spread";
  else if (count) kind = "minor";
  return { kind, score: report.score, count, dimensions: failing, detail };
}

/** [from, to) of the sentence around [start, end) of `body`. */
export function sentenceBounds(body, start, end) {
  let from = 0;
  for (const hit of body.slice(0, start).matchAll(SENTENCE_END)) {
    from = hit.index + hit[0].length;
  }
  const rest = body.slice(end);
  const next = rest.search(/[.!?](\s|$)|\n/);
  const to = next < 0 ? body.length : end + next + (rest[next] === "\n" ? 0 : 1);
  while (from < start && /\s/.test(body[from])) from += 1;
  return [from, Math.max(to, end)];
}

/**
 * The parts of body[from, to) with the spans marked: [{text, mark}]. Unmarked stretches
 * longer than the context are shortened with "…" (the marks are always whole).
 */
export function markedParts(body, from, to, spans) {
  const merged = [];
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  const parts = [];
  let at = from;
  for (const [start, end] of merged) {
    if (start > at) parts.push({ text: body.slice(at, start), mark: false });
    parts.push({ text: body.slice(start, end), mark: true });
    at = end;
  }
  if (to > at) parts.push({ text: body.slice(at, to).replace(/\s+$/, ""), mark: false });
  return parts.map((part, i) => (part.mark ? part : {
    mark: false, text: shorten(part.text, i === 0, i === parts.length - 1) }));
}

function shorten(text, first, last) {
  const keep = SNIPPET_CONTEXT;
  if (text.length <= keep || (!first && !last && text.length <= 2 * keep)) return text;
  if (first) return "…" + text.slice(-keep);
  if (last) return text.slice(0, keep) + "…";
  return text.slice(0, keep) + " … " + text.slice(-keep);
}

/**
 * The findings grouped by sentence: a sentence with three hedges is shown once, with
 * the three marks, and its findings listed below it. Findings about something missing
 * (no span) each form a group without a sentence. Groups are ordered by their largest
 * penalty, then by position; findings in a group by penalty.
 */
export function groupFindings(report) {
  const body = typeof report.body === "string" ? report.body : "";
  const groups = new Map();
  for (const finding of report.findings ?? []) {
    const start = clamp(finding.start, 0, body.length);
    const end = clamp(finding.end, start, body.length);
    const item = { rule: finding.rule, dimension: finding.dimension,
                   message: finding.message, suggestion: finding.suggestion,
                   why: typeof finding.why === "string" ? finding.why : "",
                   penalty: Number(finding.penalty) || 0, match: body.slice(start, end),
                   start, end };
    const key = end > start ? sentenceBounds(body, start, end).join(":") : `none:${groups.size}`;
    if (!groups.has(key)) groups.set(key, { key, findings: [] });
    groups.get(key).findings.push(item);
  }
  return [...groups.values()].map((group) => {
    group.findings.sort((a, b) => b.penalty - a.penalty || a.start - b.start);
    const spans = group.findings.filter((f) => f.end > f.start).map((f) => [f.start, f.end]);
    let parts = [];
    let from = -1;
    if (spans.length) {
      const [sentenceFrom, sentenceTo] = group.key.split(":").map(Number);
      from = sentenceFrom;
      parts = markedParts(body, sentenceFrom, sentenceTo, spans);
    }
    return { parts, from, findings: group.findings,
             penalty: Math.max(...group.findings.map((f) => f.penalty)) };
  }).sort((a, b) => b.penalty - a.penalty || a.from - b.from);
}

function clamp(value, low, high) {
  const number = Number.isFinite(value) ? value : low;
  return Math.max(low, Math.min(number, high));
}

/** Why the daemon counts a customer's question as open (scoring/questions.py OPEN_BECAUSE);
 *  each has a message "questionOpen_<code>" in _locales. */
export const OPEN_BECAUSE = ["no-answer-found", "dont-know", "skipped-item"];

/**
 * The view model of a report.
 * @param {object} report the JSON of POST /v1/score
 * @returns {{score: number, verdict: string, reason: object, language: string,
 *            languageSupported: boolean, bars: object[], groups: object[],
 *            findings: object[], promises: object[], questions: object[]}}
 */
export function reviewModel(report) {
  const body = typeof report.body === "string" ? report.body : "";
  const bars = barsOf(report);
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
  const questions = (report.questions ?? []).filter((q) => !q.answered && q.owed !== false)
    .map((q) => ({ text: q.text, how: OPEN_BECAUSE.includes(q.how) ? q.how : "no-answer-found" }));
  return {
    score: report.score, verdict: report.verdict,
    reason: reasonOf(report, bars),
    language: typeof report.language === "string" ? report.language : "",
    languageSupported: isLanguageSupported(report),
    bars, groups: groupFindings(report), findings, promises, questions,
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
