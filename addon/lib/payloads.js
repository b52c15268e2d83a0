// The JSON bodies the add-on sends, built from Thunderbird's compose details.

/**
 * A ScoreRequest for POST /v1/score.
 * @param {object} details result of compose.getComposeDetails (or onBeforeSend details)
 * @param {string|null} originalRawBase64 the replied-to message, base64 (or null)
 */
export function scoreRequest(details, originalRawBase64) {
  const text = details.plainTextBody ?? stripHtml(details.body ?? "");
  const request = { text };
  if (originalRawBase64) request.original = { raw_base64: originalRawBase64 };
  return request;
}

/**
 * A SentRequest for POST /v1/sent.
 * @param {object} details compose details of the sent message
 * @param {object} sendInfo the second argument of compose.onAfterSend
 * @param {object|null} report the last report of the draft
 * @param {object|null} original {headerMessageId, references?} of the replied-to message
 * @param {Date} now when it was sent
 */
export function sentRequest(details, sendInfo, report, original, now) {
  const message = {
    message_id: sendInfo.headerMessageId,
    date: now.toISOString(),
    from: details.from ?? "",
    to: asList(details.to),
    cc: asList(details.cc),
    subject: details.subject ?? "",
  };
  if (original?.headerMessageId) {
    message.in_reply_to = original.headerMessageId;
    message.references = [...(original.references ?? []), original.headerMessageId];
  }
  const request = { message };
  if (report) {
    request.report = {
      score: report.score,
      verdict: report.verdict,
      language: report.language,
      findings: report.findings ?? [],
      promises: report.promises ?? [],
    };
  }
  return request;
}

/** Thunderbird gives recipients as a string or a list; the API wants a list of strings. */
export function asList(value) {
  if (!value) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => typeof v === "string");
}

/** Plain text of an HTML body (fallback when plainTextBody is missing). */
export function stripHtml(html) {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>|<\/(p|div|li|blockquote|h\d)>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&nbsp;/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&quot;/g, "\"").replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

/** base64 of a binary string (messages.getRaw's default format), chunked for big mails. */
export function binaryStringToBase64(binary) {
  const CHUNK = 3 * 8192;   // a multiple of 3, so the chunks' base64 concatenates cleanly
  let out = "";
  for (let i = 0; i < binary.length; i += CHUNK) {
    out += btoa(binary.slice(i, i + CHUNK));
  }
  return out;
}
