// What the compose-action badge shows for a scoring result.

export const VERDICT_COLOURS = {
  pass: "#2e7d32",   // green
  warn: "#e0a800",   // amber
  hold: "#c62828",   // red
};
export const PROBLEM_COLOUR = "#6b7280";  // grey: the daemon is not answering usefully

/** Badge text per problem state (short: badges have room for ~4 characters). */
const PROBLEM_TEXT = { down: "off", slow: "slow", unpaired: "key", error: "err" };

/**
 * The badge for a result of `scoreDraft`.
 * @param {{state: string, data?: any}} result
 * @returns {{text: string, colour: string, titleKey: string, titleArgs: string[]}}
 *   titleKey names a _locales message for the tooltip.
 */
export function badgeFor(result) {
  if (result.state === "ok" && result.data?.meta?.language_supported === false) {
    // no rule pack for this language: a score of 100 would claim a check that never ran
    return { text: "n/a", colour: PROBLEM_COLOUR, titleKey: "badgeTitle_unsupported",
             titleArgs: [String(result.data.language ?? "")] };
  }
  if (result.state === "ok" && result.data && Number.isInteger(result.data.score)) {
    const { score, verdict } = result.data;
    return {
      text: String(score),
      colour: VERDICT_COLOURS[verdict] ?? PROBLEM_COLOUR,
      titleKey: `badgeTitle_${verdict}`,
      titleArgs: [String(score)],
    };
  }
  const state = PROBLEM_TEXT[result.state] ? result.state : "error";
  return { text: PROBLEM_TEXT[state], colour: PROBLEM_COLOUR, titleKey: `badgeTitle_${state}`,
           titleArgs: [] };
}
