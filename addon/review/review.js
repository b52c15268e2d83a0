// The review panel: the compose-action popup and the send gate's window (?gate=1).
import { KEEP_ALIVE_MS } from "../lib/constants.js";
import { formatDue, reviewModel } from "../lib/review_model.js";

const params = new URLSearchParams(location.search);
const isGate = params.get("gate") === "1";
const t = (key, ...args) => messenger.i18n.getMessage(key, args) || key;
const $ = (id) => document.getElementById(id);

function localise() {
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  document.documentElement.lang = messenger.i18n.getUILanguage();
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderProblem(result) {
  const key = { down: "stateDown", slow: "stateSlow", unpaired: "stateUnpaired" }[result.state]
    ?? "stateError";
  $("score").textContent = "–";
  $("score").className = "score";
  $("status").textContent = t(key, result.message ?? "");
}

function renderReport(report) {
  const model = reviewModel(report);
  $("unsupported").hidden = model.languageSupported;
  if (!model.languageSupported) {
    $("score").textContent = "–";
    $("score").className = "score";
    $("status").textContent = t("languageUnsupported", model.language);
  } else {
    $("score").textContent = String(model.score);
    $("score").className = `score ${model.verdict}`;
    $("status").textContent = t(`verdict_${model.verdict}`);
  }
  $("reason").textContent = model.languageSupported ? reasonText(model.reason) : "";
  $("reason").title = model.languageSupported ? model.reason.detail : "";

  const dimensions = $("dimensions");
  dimensions.replaceChildren(...model.bars.map((bar) => {
    const row = element("div", `bar ${bar.colour}`);
    row.dataset.dimension = bar.name;
    row.dataset.verdict = bar.verdict;
    row.title = t(`verdict_${bar.verdict}`);
    const track = element("div", "track");
    const fill = element("div", `fill ${bar.colour}`);
    fill.style.width = `${bar.score}%`;
    track.append(fill);
    row.append(element("span", "name", t(`dimension_${bar.name}`)), track,
               element("span", "value", String(bar.score)));
    return row;
  }));

  $("findings").replaceChildren(...model.groups.map((group) => {
    const item = element("li", "finding-group");
    if (group.parts.length) {   // findings about something missing have no sentence
      const sentence = element("span", "sentence");
      sentence.append(...group.parts.map((part) => (part.mark ? element("mark", "", part.text)
                                                               : part.text)));
      item.append(sentence);
    }
    const list = element("ul", "group-findings");
    list.append(...group.findings.map((finding) => {
      const entry = element("li", "finding");
      entry.dataset.rule = finding.rule;
      entry.append(element("span", "message", finding.message));
      if (finding.why) entry.append(element("span", "why", finding.why));
      entry.append(element("span", "suggestion", finding.suggestion));
      return entry;
    }));
    item.append(list);
    return item;
  }));
  $("no-findings").hidden = model.findings.length > 0;

  const locale = messenger.i18n.getUILanguage();
  $("promises").replaceChildren(...model.promises.map((promise) => {
    const item = element("li", "promise", promise.text + " ");
    const due = formatDue(promise.due, locale);
    item.append(element("span", "due", due ? t("dueOn", due) : t("noDueDate")));
    if (promise.hedged) item.append(" ", element("span", "hedged", t("hedgedPromise")));
    return item;
  }));
  $("no-promises").hidden = model.promises.length > 0;

  $("questions").replaceChildren(...model.questions.map((q) => {
    const item = element("li", "question", q.text + " ");
    item.append(element("span", "why", t(`questionOpen_${q.how.replaceAll("-", "_")}`)));
    return item;
  }));
  $("questions-section").hidden = model.questions.length === 0;
}

/** The reason line, localised: "Score 30, mainly because of Honesty 60." */
function reasonText(reason) {
  const names = reason.dimensions
    .map((d) => `${t(`dimension_${d.name}`)} ${d.score}`).join(", ");
  return t(`reason_${reason.kind}`, String(reason.score), names || String(reason.count));
}

function render(result) {
  document.body.dataset.state = result?.state ?? "waiting";
  if (!result) { $("status").textContent = t("stateWaiting"); return; }
  if (result.state === "ok") renderReport(result.data);
  else renderProblem(result);
}

async function composeTabId() {
  if (params.has("tab")) return Number(params.get("tab"));
  const [tab] = await messenger.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

async function main() {
  localise();
  document.body.dataset.mode = isGate ? "gate" : "popup";
  const tabId = await composeTabId();
  const key = `result:${tabId}`;
  const stored = await messenger.storage.session.get(key);
  render(stored[key]);
  messenger.runtime.onMessage.addListener((message) => {
    if (message?.type === "result" && message.tabId === tabId) render(message.result);
  });
  if (isGate) {
    const port = messenger.runtime.connect({ name: `gate:${tabId}` });
    // The background waits in onBeforeSend for the answer; MV3 may suspend an idle
    // background, so the page keeps it busy while the user reads.
    const keepAlive = setInterval(() => port.postMessage({ keepAlive: true }), KEEP_ALIVE_MS);
    const decide = (decision) => {
      clearInterval(keepAlive);
      try { port.postMessage({ decision }); } finally { window.close(); }
    };
    $("gate").hidden = false;
    $("send-anyway").addEventListener("click", () => decide("send"));
    $("keep-editing").addEventListener("click", () => decide("edit"));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") decide("edit");     // like closing the window
    });
    $("keep-editing").focus();
  } else {
    messenger.runtime.sendMessage({ type: "score-now", tabId }).catch(() => {});
  }
  document.body.dataset.ready = "1";
}

main();
