// Options: the daemon URL, the send gate, and pairing (a code from `trustmail pair`, or a
// pasted `trustmail token`). Values the administrator set by policy (storage.managed) are
// shown read-only with "set by your administrator"; see lib/settings.js.
import { checkHealth } from "../lib/client.js";
import { classifyInput, redeem } from "../lib/pairing.js";
import { isManaged, loadSettings, normaliseUrl, saveSettings } from "../lib/settings.js";

const t = (key, ...args) => messenger.i18n.getMessage(key, args) || key;
const $ = (id) => document.getElementById(id);
const REFUSALS = { pairing_closed: "pairClosed", pairing_wrong_code: "pairWrongCode",
                   pairing_needs_code: "pairWrongCode", pairing_other_user: "pairOtherUser" };

function show(text, ok) {
  $("result").textContent = text;
  $("result").className = ok ? "ok" : "bad";
}

/** Show the settings; the administrator's ones read-only. */
function render(settings) {
  $("url").value = settings.url;
  $("gate").value = settings.gate;
  $("url").readOnly = isManaged(settings, "url");
  $("gate").disabled = isManaged(settings, "gate");
  for (const badge of document.querySelectorAll("[data-admin]")) {
    badge.hidden = !isManaged(settings, badge.dataset.admin) ||
      (badge.dataset.admin === "pairing" && settings.pairing !== "auto");
  }
  const managed = Object.values(settings.source).includes("managed");
  $("managed-notice").hidden = !managed;
  $("policy-problems").hidden = settings.problems.length === 0;
  $("policy-problems").replaceChildren(...settings.problems.map((problem) => {
    const item = document.createElement("li");
    item.textContent = t("optionsPolicyProblem", problem);
    return item;
  }));
  document.body.dataset.managed = Object.keys(settings.source)
    .filter((name) => isManaged(settings, name)).join(" ");
}

async function showPaired(settings) {
  if (!settings.token) {
    $("paired").textContent = t(settings.pairing === "auto" ? "pairedWaitingAuto" : "pairedNot");
    $("paired").className = "bad";
    return;
  }
  const health = await checkHealth(settings);
  const ok = health.state === "ok" && health.data?.token_valid;
  $("paired").textContent = t(ok ? "pairedYes" : "pairedNot");
  $("paired").className = ok ? "ok" : "bad";
}

async function pair(event) {
  event.preventDefault();
  let settings = await loadSettings(messenger.storage);
  if (!isManaged(settings, "url") && !normaliseUrl($("url").value)) {
    show(t("pairBadUrl"), false);
    return;
  }
  settings = await saveSettings(messenger.storage, { url: $("url").value,
                                                     gate: $("gate").value });
  render(settings);
  const input = classifyInput($("token").value);
  if (input?.code) {
    const paired = await redeem(settings, input.code);
    if (paired.state === "refused") {
      show(t(REFUSALS[paired.reason] ?? "pairRefused", paired.message ?? ""), false);
      return;
    }
    if (paired.state !== "ok") {
      show(t("pairUnreachable", settings.url), false);
      return;
    }
    settings = await saveSettings(messenger.storage, { token: paired.token });
  } else if (input?.token) {
    settings = await saveSettings(messenger.storage, { token: input.token });
  }
  $("token").value = settings.token;
  const result = await checkHealth(settings);
  if (result.state === "ok" && result.data?.token_valid) show(t("pairOk"), true);
  else if (result.state === "ok") show(t("pairWrongToken"), false);
  else show(t("pairUnreachable", settings.url), false);
  await showPaired(settings);
}

async function main() {
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  const settings = await loadSettings(messenger.storage);
  render(settings);
  $("token").value = settings.token;
  $("form").addEventListener("submit", pair);
  // Automatic pairing may finish in the background while this page is open.
  messenger.storage.onChanged.addListener(async (changes, area) => {
    if (area === "local" && changes.token) {
      const now = await loadSettings(messenger.storage);
      $("token").value = now.token;
      await showPaired(now);
    }
  });
  await showPaired(settings);
  document.body.dataset.ready = "1";
}

main();
