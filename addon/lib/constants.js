// Named numbers of the add-on, in one place.

/** Where the daemon listens by default ([api] listen in trustmail.toml). */
export const DEFAULT_DAEMON_URL = "http://127.0.0.1:8425";
/** A request slower than this counts as "daemon slow": the badge says so, sending goes on. */
export const REQUEST_TIMEOUT_MS = 1500;
/** Typing pause after which the draft is scored (the badge must update within 300 ms). */
export const DEBOUNCE_MS = 150;
/** At most one scoring request per this interval while typing (4 per second). */
export const MIN_INTERVAL_MS = 250;
/** Size of the review window opened by the send gate. */
export const REVIEW_WINDOW = { width: 560, height: 720 };
/** Characters of context shown around a finding when its sentence is very long. */
export const SNIPPET_CONTEXT = 90;
/** While the send gate waits for the user, the review page pings the background this often. */
export const KEEP_ALIVE_MS = 1000;
