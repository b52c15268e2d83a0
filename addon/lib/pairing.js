// Pairing: how the add-on gets the daemon's API token without anyone pasting it.
//
//   code   the user runs `trustmail pair` and types the printed code (K7QM-3XWD) on the
//          options page; the add-on trades it once for the token (POST /v1/pair).
//   auto   (policy "pairing": "auto") the add-on asks by itself, with no code; the daemon
//          answers only while `trustmail pair --auto` holds a window open, only to a
//          request of its own OS user, and only once (see daemon/runtime/pairing.py).
//
// The options page still accepts a pasted token (from `trustmail token`) for setups
// without a pairing window. The token is kept in storage.local only.

import { callApi } from "./client.js";

/** A pairing code as `trustmail pair` prints it, typed with or without dash or spaces. */
const CODE = /^[A-Za-z2-9]{4}[\s-]?[A-Za-z2-9]{4}$/;
/** Automatic pairing is tried at most this often while the add-on has no token. */
export const AUTO_PAIR_INTERVAL_MS = 10_000;

/** What the user typed: {code} for a pairing code, {token} for a pasted token, or null. */
export function classifyInput(text) {
  const value = String(text ?? "").trim();
  if (!value) return null;
  if (CODE.test(value)) return { code: value.toUpperCase() };
  return { token: value };
}

/**
 * Trade a code (or, with `code` undefined, an automatic window) for the token.
 * @returns {Promise<{state: string, token?: string, reason?: string, message?: string}>}
 *   state "ok" with the token; "refused" with the daemon's reason code; or the
 *   client's down/slow/error states.
 */
export async function redeem(settings, code, options) {
  const body = code === undefined ? {} : { code };
  const result = await callApi({ url: settings.url, token: "" }, "POST", "/v1/pair", body,
                               options);
  if (result.state === "ok" && typeof result.data?.token === "string") {
    return { state: "ok", token: result.data.token };
  }
  if (result.state === "error" && result.status === 403) {
    return { state: "refused", reason: result.code ?? "",
             message: result.message };
  }
  return { state: result.state === "ok" ? "error" : result.state, message: result.message };
}

/**
 * A rate limiter for automatic pairing: `due(now)` is true when the policy asks for it,
 * there is no token yet, and the last try is at least AUTO_PAIR_INTERVAL_MS ago.
 */
export function autoPairing(intervalMs = AUTO_PAIR_INTERVAL_MS) {
  let last = -Infinity;
  return {
    due(settings, now) {
      if (settings.pairing !== "auto" || settings.token) return false;
      if (now - last < intervalMs) return false;
      last = now;
      return true;
    },
  };
}
