// Options: the daemon URL and the token printed by `trustmail token`; "pair" checks both.
import { checkHealth } from "../lib/client.js";
import { loadSettings, normaliseUrl, saveSettings } from "../lib/settings.js";

const t = (key, ...args) => messenger.i18n.getMessage(key, args) || key;
const $ = (id) => document.getElementById(id);

function show(text, ok) {
  $("result").textContent = text;
  $("result").className = ok ? "ok" : "bad";
}

async function pair(event) {
  event.preventDefault();
  if (!normaliseUrl($("url").value)) {
    show(t("pairBadUrl"), false);
    return;
  }
  const settings = await saveSettings(messenger.storage.local, $("url").value, $("token").value);
  $("url").value = settings.url;
  const result = await checkHealth(settings);
  if (result.state === "ok" && result.data?.token_valid) show(t("pairOk"), true);
  else if (result.state === "ok") show(t("pairWrongToken"), false);
  else show(t("pairUnreachable", settings.url), false);
}

async function main() {
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  const settings = await loadSettings(messenger.storage.local);
  $("url").value = settings.url;
  $("token").value = settings.token;
  $("form").addEventListener("submit", pair);
}

main();
