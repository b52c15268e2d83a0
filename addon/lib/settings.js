// The add-on's settings (daemon URL and token) in storage.local.

import { DEFAULT_DAEMON_URL } from "./constants.js";

/** Read {url, token} with defaults. `storage` is messenger.storage.local. */
export async function loadSettings(storage) {
  const stored = await storage.get({ url: DEFAULT_DAEMON_URL, token: "" });
  return { url: normaliseUrl(stored.url) || DEFAULT_DAEMON_URL, token: String(stored.token) };
}

/** Save {url, token}; returns the normalised values. */
export async function saveSettings(storage, url, token) {
  const settings = { url: normaliseUrl(url) || DEFAULT_DAEMON_URL, token: token.trim() };
  await storage.set(settings);
  return settings;
}

/**
 * "127.0.0.1:8425" -> "http://127.0.0.1:8425"; "" when not a loopback http URL
 * (the daemon listens on loopback only, and the token must not travel elsewhere).
 */
export function normaliseUrl(text) {
  let value = String(text ?? "").trim().replace(/\/+$/, "");
  if (!value) return "";
  if (!/^[a-z]+:\/\//i.test(value)) value = `http://${value}`;
  let url;
  try { url = new URL(value); } catch { return ""; }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname) ||
    /^127\./.test(url.hostname);
  if (url.protocol !== "http:" || !loopback) return "";
  return `${url.protocol}//${url.host}`;
}
