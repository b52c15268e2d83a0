// The add-on's settings: what the administrator set (storage.managed, from Thunderbird's
// policies.json) over what the user set (storage.local) over the defaults.
//
//   setting   managed key   values                         default
//   url       daemonUrl     a loopback http URL            http://127.0.0.1:8425
//   gate      sendGate      "warn" | "hold" | "off"        "warn"
//   pairing   pairing       "code" | "auto"                "code"
//   token     (never)       from pairing, storage.local    ""
//
// A managed value wins and is shown read-only ("set by your administrator"). A managed
// value that does not fit (wrong type, not loopback, unknown key, a token) is ignored and
// listed in `problems`: Thunderbird does not check managed_schema.json, so the add-on does.
// The token is never taken from managed storage: policies.json is shared by every machine
// of a rollout, and the token is per user and per machine (see daemon/runtime/pairing.py).

import { DEFAULT_DAEMON_URL } from "./constants.js";

/** The defaults, used when neither the administrator nor the user set a value. */
export const DEFAULTS = Object.freeze({ url: DEFAULT_DAEMON_URL, gate: "warn",
                                        pairing: "code", token: "" });

/** Verdicts from which the send gate opens the review ("off": it never does). */
export const GATES = Object.freeze({ warn: ["warn", "hold"], hold: ["hold"], off: [] });
export const PAIRING_MODES = Object.freeze(["code", "auto"]);

/**
 * The managed keys (the properties of managed_schema.json) and how each is read:
 * `setting` is the name inside the add-on, `parse` returns the value or "" when invalid.
 */
export const MANAGED = Object.freeze({
  daemonUrl: { setting: "url", parse: (v) => (typeof v === "string" ? normaliseUrl(v) : "") },
  sendGate: { setting: "gate", parse: (v) => (Object.hasOwn(GATES, v) ? v : "") },
  pairing: { setting: "pairing", parse: (v) => (PAIRING_MODES.includes(v) ? v : "") },
});
const LOCAL_PARSERS = Object.freeze({
  url: MANAGED.daemonUrl.parse, gate: MANAGED.sendGate.parse, pairing: MANAGED.pairing.parse,
  token: (v) => (typeof v === "string" ? v.trim() : ""),
});

/**
 * Merge the layers. Pure.
 * @param {{managed?: object, local?: object}} layers raw storage contents
 * @returns {{url: string, gate: string, pairing: string, token: string,
 *            source: Record<string, "managed"|"local"|"default">, problems: string[]}}
 */
export function resolveSettings({ managed = {}, local = {} } = {}) {
  const settings = { ...DEFAULTS };
  const source = Object.fromEntries(Object.keys(DEFAULTS).map((k) => [k, "default"]));
  const problems = [];
  for (const [name, parse] of Object.entries(LOCAL_PARSERS)) {
    if (local[name] === undefined || local[name] === "") continue;
    const value = parse(local[name]);
    if (value) { settings[name] = value; source[name] = "local"; }
  }
  for (const [key, raw] of Object.entries(managed ?? {})) {
    const spec = MANAGED[key];
    if (!spec) {
      problems.push(/token/i.test(key)
        ? `${key}: a token must not be set by policy (it is per user); use pairing`
        : `${key}: not a trustmail setting (known: ${Object.keys(MANAGED).join(", ")})`);
      continue;
    }
    const value = spec.parse(raw);
    if (!value) {
      problems.push(`${key}: ${JSON.stringify(raw)} is not valid; ignored`);
      continue;
    }
    settings[spec.setting] = value;
    source[spec.setting] = "managed";
  }
  return { ...settings, source, problems };
}

/** Whether the administrator set `name` (the options page shows it read-only). */
export function isManaged(settings, name) {
  return settings.source?.[name] === "managed";
}

/**
 * The managed values, or {} when there are none. Thunderbird rejects storage.managed.get
 * with "Managed storage manifest not found" when no policy names this add-on.
 */
export async function readManaged(managedArea) {
  if (!managedArea) return {};
  try {
    return (await managedArea.get(null)) ?? {};
  } catch {
    return {};
  }
}

/** Read every layer: `storage` is messenger.storage (its .local and .managed areas). */
export async function loadSettings(storage) {
  const [managed, local] = await Promise.all([
    readManaged(storage.managed),
    storage.local.get(["url", "gate", "pairing", "token"]),
  ]);
  return resolveSettings({ managed, local });
}

/**
 * Save what the user set; a value the administrator manages is not written (it would not
 * count). Returns the resolved settings afterwards.
 */
export async function saveSettings(storage, values) {
  const current = await loadSettings(storage);
  const changes = {};
  for (const [name, value] of Object.entries(values)) {
    if (!Object.hasOwn(LOCAL_PARSERS, name) || isManaged(current, name)) continue;
    changes[name] = name === "url" ? normaliseUrl(value) || DEFAULT_DAEMON_URL
      : LOCAL_PARSERS[name](value);
  }
  await storage.local.set(changes);
  return loadSettings(storage);
}

/** Whether the send gate opens the review for a report's verdict. */
export function gateOpensFor(settings, verdict) {
  return (GATES[settings.gate] ?? GATES[DEFAULTS.gate]).includes(verdict);
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
