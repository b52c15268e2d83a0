// The add-on's background: live scoring while typing, the badge, the send gate and
// reporting sends to the daemon. Everything that talks to the daemon can fail; then the
// badge says so and sending goes on (the compose window is never left locked).
//
// MV3 background pages can be suspended: listeners are registered at the top level,
// and the last result per tab lives in storage.session, not only in memory.

import { badgeFor } from "./lib/badge.js";
import { reportSent, scoreDraft } from "./lib/client.js";
import { REVIEW_WINDOW } from "./lib/constants.js";
import { binaryStringToBase64, scoreRequest, sentRequest } from "./lib/payloads.js";
import { autoPairing, redeem } from "./lib/pairing.js";
import { createScheduler } from "./lib/schedule.js";
import { gateOpensFor, loadSettings } from "./lib/settings.js";

const schedulers = new Map();     // compose tab id -> scheduler
const originals = new Map();      // related message id -> {rawBase64, headerMessageId}
const pendingGates = new Map();   // compose tab id -> resolve(decision: boolean)
const MAX_PENDING_SENT = 200;     // sends kept for a retry while the daemon is down
const MAX_ORIGINALS = 20;         // replied-to messages kept in memory (oldest dropped)

const autoPair = autoPairing();

const resultKey = (tabId) => `result:${tabId}`;
const detailsKey = (tabId) => `details:${tabId}`;

function schedulerFor(tabId) {
  let scheduler = schedulers.get(tabId);
  if (!scheduler) {
    scheduler = createScheduler(() => scoreTab(tabId));
    schedulers.set(tabId, scheduler);
  }
  return scheduler;
}

/** The replied-to message (raw, base64), read once per message. */
async function originalFor(details) {
  const id = details.relatedMessageId;
  if (!id || details.type === "new" || details.type === "forward") return null;
  if (!originals.has(id)) {
    const [header, raw] = await Promise.all([
      messenger.messages.get(id),
      messenger.messages.getRaw(id),
    ]);
    originals.set(id, { rawBase64: binaryStringToBase64(raw),
                        headerMessageId: header.headerMessageId });
    if (originals.size > MAX_ORIGINALS) originals.delete(originals.keys().next().value);
  }
  return originals.get(id);
}

/** Score the draft of a compose tab, update its badge, and remember the result. */
async function scoreTab(tabId, givenDetails) {
  let result;
  try {
    const details = givenDetails ?? await messenger.compose.getComposeDetails(tabId);
    const settings = await settingsPaired();
    const original = await originalFor(details).catch(() => null);
    result = await scoreDraft(settings, scoreRequest(details, original?.rawBase64));
    if (result.state === "ok") flushPendingSent(settings);
    if (result.state === "unpaired") await forgetRejectedToken(settings);
  } catch (error) {
    result = { state: "error", message: String(error?.message ?? error) };
  }
  await showResult(tabId, result);
  return result;
}

async function showResult(tabId, result) {
  const badge = badgeFor(result);
  const title = messenger.i18n.getMessage(badge.titleKey, badge.titleArgs) || badge.text;
  await Promise.all([
    messenger.composeAction.setBadgeText({ tabId, text: badge.text }),
    messenger.composeAction.setBadgeBackgroundColor({ tabId, color: badge.colour }),
    messenger.composeAction.setTitle({ tabId, title }),
    messenger.storage.session.set({ [resultKey(tabId)]: result }),
  ]).catch(() => {});          // the compose window may have closed meanwhile
  messenger.runtime.sendMessage({ type: "result", tabId, result }).catch(() => {});
}

messenger.runtime.onMessage.addListener((message, sender) => {
  if (message?.type === "draft-changed" && sender.tab) {
    schedulerFor(sender.tab.id).poke();
  } else if (message?.type === "score-now" && Number.isInteger(message.tabId)) {
    return schedulerFor(message.tabId).flush().then(() => true);
  }
  return undefined;
});

messenger.tabs.onRemoved.addListener(async (tabId) => {
  schedulers.get(tabId)?.cancel();
  schedulers.delete(tabId);
  // A compose window closes when its message is sent, possibly before onAfterSend
  // runs: then that listener still needs the report and cleans up itself.
  const sending = await messenger.storage.session.get(detailsKey(tabId));
  if (!sending[detailsKey(tabId)]) {
    messenger.storage.session.remove(resultKey(tabId)).catch(() => {});
  }
});

// --- the send gate ----------------------------------------------------------------------

messenger.compose.onBeforeSend.addListener(async (tab, details) => {
  try {
    schedulers.get(tab.id)?.cancel();
    // onAfterSend's own copy of the details is missing in older Thunderbirds.
    await messenger.storage.session.set({ [detailsKey(tab.id)]: sentDetails(details) });
    const result = await scoreTab(tab.id, details);
    const settings = await loadSettings(messenger.storage);
    if (result.state !== "ok" || !gateOpensFor(settings, result.data?.verdict)) return {};
    const send = await askUser(tab.id);
    return send ? {} : { cancel: true };
  } catch (error) {
    console.error("trustmail: the send gate failed; sending anyway", error);
    return {};
  }
});

/** Open the review with "Send anyway" / "Keep editing"; resolves true to send. */
async function askUser(tabId) {
  const decision = new Promise((resolve) => pendingGates.set(tabId, resolve));
  try {
    await messenger.windows.create({
      type: "popup",
      url: `review/review.html?tab=${tabId}&gate=1`,
      ...REVIEW_WINDOW,
    });
  } catch (error) {
    pendingGates.delete(tabId);
    console.error("trustmail: cannot open the review; sending anyway", error);
    return true;
  }
  return decision;
}

// The review page holds a port open while it shows the gate: a decision arrives as a
// message; a closed window (port gone without a decision) means "keep editing".
messenger.runtime.onConnect.addListener((port) => {
  const match = /^gate:(\d+)$/.exec(port.name);
  if (!match) return;
  const tabId = Number(match[1]);
  let decided = false;
  const finish = (send) => {
    const resolve = pendingGates.get(tabId);
    pendingGates.delete(tabId);
    resolve?.(send);
  };
  port.onMessage.addListener((message) => {
    if (message?.keepAlive) return;       // only keeps this background awake
    decided = true;
    finish(message?.decision === "send");
  });
  port.onDisconnect.addListener(() => { if (!decided) finish(false); });
});

// --- reporting sends ----------------------------------------------------------------------

messenger.compose.onAfterSend.addListener(async (tab, sendInfo) => {
  if (sendInfo.error || !sendInfo.headerMessageId) return;
  const keys = [resultKey(tab.id), detailsKey(tab.id)];
  const stored = await messenger.storage.session.get(keys);
  messenger.storage.session.remove(keys).catch(() => {});
  const report = stored[resultKey(tab.id)]?.data ?? null;
  const details = sendInfo.details ?? stored[detailsKey(tab.id)] ?? {};
  const original = await originalHeader(details.relatedMessageId);
  const payload = sentRequest(details, sendInfo, report, original, new Date());
  const settings = await settingsPaired();
  const result = await reportSent(settings, payload);
  if (result.state !== "ok" && result.state !== "error") await queueSent(payload);
});

/** The fields of compose details a send report needs (no body). */
function sentDetails(details) {
  const { from, to, cc, subject, relatedMessageId, type } = details;
  return { from, to, cc, subject, relatedMessageId, type };
}

/** {headerMessageId} of the replied-to message, also after a background restart. */
async function originalHeader(relatedMessageId) {
  if (!relatedMessageId) return null;
  if (originals.has(relatedMessageId)) return originals.get(relatedMessageId);
  const header = await messenger.messages.get(relatedMessageId).catch(() => null);
  return header ? { headerMessageId: header.headerMessageId } : null;
}

async function queueSent(payload) {
  const { pendingSent = [] } = await messenger.storage.local.get("pendingSent");
  pendingSent.push(payload);
  await messenger.storage.local.set({ pendingSent: pendingSent.slice(-MAX_PENDING_SENT) });
}

/** Retry sends the daemon missed while it was down (it ignores duplicates). */
async function flushPendingSent(settings) {
  const { pendingSent = [] } = await messenger.storage.local.get("pendingSent");
  if (!pendingSent.length) return;
  await messenger.storage.local.set({ pendingSent: [] });
  const failed = [];
  for (const payload of pendingSent) {
    const result = await reportSent(settings, payload);
    if (result.state !== "ok" && result.state !== "error") failed.push(payload);
  }
  if (failed.length) await messenger.storage.local.set({ pendingSent: failed });
}

// --- pairing ------------------------------------------------------------------------------

/**
 * The settings, after trying automatic pairing when the administrator's policy asks for
 * it and there is no token yet (at most every AUTO_PAIR_INTERVAL_MS; see lib/pairing.js).
 */
async function settingsPaired() {
  const settings = await loadSettings(messenger.storage);
  if (!autoPair.due(settings, Date.now())) return settings;
  const paired = await redeem(settings);
  if (paired.state !== "ok") {
    console.info(`trustmail: automatic pairing not possible now (${paired.reason ||
                 paired.state}); run \`trustmail pair --auto\` or pair on the options page`);
    return settings;
  }
  await messenger.storage.local.set({ token: paired.token });
  return { ...settings, token: paired.token, source: { ...settings.source, token: "local" } };
}

/**
 * With automatic pairing, a token the daemon rejects (`trustmail token --rotate`, a new
 * data dir) is dropped, so that the next open pairing window pairs the add-on again.
 */
async function forgetRejectedToken(settings) {
  if (settings.pairing === "auto" && settings.token) {
    await messenger.storage.local.remove("token");
  }
}

// A policy-installed add-on pairs as soon as Thunderbird starts, not at the first draft.
settingsPaired().catch(() => {});
