// The daemon's HTTP API, as the add-on sees it: every call ends in one of a few states.
//
//   ok        the daemon answered; `data` holds the JSON body
//   down      no connection (daemon not running, wrong URL)
//   slow      no answer within REQUEST_TIMEOUT_MS
//   unpaired  401: no token or a wrong one (pair on the options page)
//   error     any other failure; `message` says what the daemon said, `code` its reason
//
// Nothing here throws: a caller can always fall back to "let the user send".

import { REQUEST_TIMEOUT_MS } from "./constants.js";

/**
 * Call the API.
 * @param {{url: string, token: string}} settings daemon URL and bearer token
 * @param {string} method "GET" or "POST"
 * @param {string} path e.g. "/v1/score"
 * @param {object|undefined} body JSON body for POST
 * @param {{fetchImpl?: typeof fetch, timeoutMs?: number}} [options]
 * @returns {Promise<{state: string, data?: any, message?: string, status?: number}>}
 */
export async function callApi(settings, method, path, body, options = {}) {
  const fetchImpl = options.fetchImpl ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs);
  const headers = { "Authorization": `Bearer ${settings.token ?? ""}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    const response = await fetchImpl(joinUrl(settings.url, path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
    const data = await response.json().catch(() => null);
    if (response.ok) return { state: "ok", data, status: response.status };
    if (response.status === 401) {
      return { state: "unpaired", status: 401, message: data?.error?.message ?? "" };
    }
    return {
      state: "error",
      status: response.status,
      code: data?.error?.code ?? "",
      message: data?.error?.message ?? `HTTP ${response.status}`,
    };
  } catch (error) {
    if (timedOut) return { state: "slow", message: `no answer within ${timeoutMs} ms` };
    return { state: "down", message: String(error?.message ?? error) };
  } finally {
    clearTimeout(timer);
  }
}

/** "http://127.0.0.1:8425/" + "/v1/score" -> "http://127.0.0.1:8425/v1/score" */
export function joinUrl(base, path) {
  return String(base).replace(/\/+$/, "") + path;
}

/** Score a draft: `payload` is a ScoreRequest (see the daemon's /v1/openapi.json). */
export function scoreDraft(settings, payload, options) {
  return callApi(settings, "POST", "/v1/score", payload, options);
}

/** Record a send in the daemon's store (promise ledger). */
export function reportSent(settings, payload, options) {
  return callApi(settings, "POST", "/v1/sent", payload, options);
}

/** Check the URL and token: state "ok" with data.token_valid true means paired. */
export function checkHealth(settings, options) {
  return callApi(settings, "GET", "/v1/health", undefined, options);
}
