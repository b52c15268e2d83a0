// `web-ext lint`, minus the warnings about Thunderbird-only manifest keys and APIs
// (web-ext validates against Firefox's schema and does not know them). Any other
// message, error or warning, fails the run.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const addonDir = fileURLToPath(new URL("..", import.meta.url));
// Codes web-ext reports for things Firefox lacks but Thunderbird has.
const THUNDERBIRD_ONLY = new Set([
  "MANIFEST_FIELD_UNSUPPORTED",     // compose_action, compose_scripts
  "MANIFEST_PERMISSIONS",           // compose, messagesRead
  "UNSUPPORTED_API",                // messenger.compose.*, composeAction.*, messages.*
  "KEY_FIREFOX_UNSUPPORTED_BY_MIN_VERSION",
  "PERMISSION_FIREFOX_UNSUPPORTED_BY_MIN_VERSION",
  "KEY_FIREFOX_ANDROID_UNSUPPORTED_BY_MIN_VERSION",
  "PERMISSION_FIREFOX_ANDROID_UNSUPPORTED_BY_MIN_VERSION",
  "STRICT_MAX_VERSION_PROPERTY_NOT_SUPPORTED",
]);
const IGNORED_PATHS = [/^node_modules\//, /^tests\//, /^scripts\//, /^package(-lock)?\.json$/];

const run = spawnSync("npx", ["--no-install", "web-ext", "lint", "--source-dir", addonDir,
  "--output", "json", "--ignore-files", "node_modules/**", "tests/**", "scripts/**",
  "package.json", "package-lock.json"], { encoding: "utf8", cwd: addonDir });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error(run.stdout, run.stderr);
  console.error("web-ext lint did not print JSON (is web-ext installed? run scripts/bootstrap.sh)");
  process.exit(2);
}
const messages = [...report.errors, ...report.warnings, ...report.notices]
  .filter((m) => !THUNDERBIRD_ONLY.has(m.code))
  .filter((m) => !IGNORED_PATHS.some((re) => re.test(m.file ?? "")));
const ignored = report.summary.errors + report.summary.warnings + report.summary.notices -
  messages.length;
for (const m of messages) {
  console.error(`${m._type} ${m.code} ${m.file ?? ""}:${m.line ?? ""} ${m.message}`);
}
console.log(`web-ext lint: ${messages.length} problem(s), ${ignored} Thunderbird-only ` +
            "warning(s) ignored");
process.exit(messages.length ? 1 : 0);
