// Runs inside Thunderbird's compose editor. It only says "the text changed": the
// background reads the draft itself and decides when to score (debounced, rate limited).
"use strict";
(() => {
  const notify = () => {
    browser.runtime.sendMessage({ type: "draft-changed" }).catch(() => {
      // The background may be restarting; the next keystroke notifies again.
    });
  };
  document.addEventListener("input", notify, true);
  notify();   // score the draft as it opens (a reply already has content)
})();
