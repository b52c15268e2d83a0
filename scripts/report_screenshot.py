"""Show a report email in a real Thunderbird (headless) and save a screenshot of it.

    .venv/bin/python scripts/report_screenshot.py REPORT.eml docs/report.png

The .eml is what the weekly delivery APPENDs (``build_report_email``: text + HTML with
the chart as a ``cid:`` PNG part). Thunderbird opens it in a standalone message window
on a fresh profile, as a user would see it in their inbox; Marionette takes the picture.
Build the .eml with ``--eml`` from an mbox:

    .venv/bin/python scripts/report_screenshot.py --mbox MBOX --me ADDRESS --week 2014-W10 \\
        --eml /tmp/report.eml docs/report.png
"""

from __future__ import annotations

import argparse
import base64
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))     # the e2e suite's Thunderbird profile helpers

from e2e.thunderbird import THUNDERBIRD, connect, stop, write_profile  # noqa: E402
from support.ports import free_port  # noqa: E402

WINDOW = (900, 2900)             # CSS pixels of the message window
PAINT_SECONDS = 2.0              # let the message (and its image part) paint
OPEN_MESSAGE = """
const [path, width, height] = arguments;
const file = Cc["@mozilla.org/file/local;1"].createInstance(Ci.nsIFile);
file.initWithPath(path);
const url = Services.io.newFileURI(file).mutate().setQuery("type=application/x-message-display")
    .finalize();
const win = window.openDialog("chrome://messenger/content/messageWindow.xhtml", "_blank",
    `all,chrome,dialog=no,status,toolbar,width=${width},height=${height}`, url);
return true;
"""


def build_eml(args: argparse.Namespace) -> None:
    from daemon.application.build_report import ReportRequest, build_report
    from daemon.config.load import load_config
    from daemon.reports.email_message import build_report_email

    now = datetime.now(UTC)
    report = build_report(load_config(None), ReportRequest(
        week=args.week, since=args.since, until=args.until, me=tuple(args.me),
        mbox=args.mbox), now)
    args.eml.write_bytes(build_report_email(report, report.me[0], now))


def screenshot(eml: Path, target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="trustmail-shot-") as home:
        profile = Path(home) / "profile"
        port = free_port()
        write_profile(profile, port, {"mailnews.message_display.disable_remote_image": True})
        log_file = Path(home) / "thunderbird.log"
        env = dict(os.environ, HOME=home, MOZ_HEADLESS="1", MOZ_CRASHREPORTER_DISABLE="1",
                   MOZ_HEADLESS_WIDTH=str(WINDOW[0]), MOZ_HEADLESS_HEIGHT=str(WINDOW[1]))
        with log_file.open("wb") as log:
            process = subprocess.Popen(
                [THUNDERBIRD, "--profile", str(profile), "--no-remote", "--marionette",
                 "--remote-allow-system-access", "--headless"],
                stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            marionette = connect(port, process, log_file)
            before = set(marionette.chrome_window_handles)
            marionette.execute_script(OPEN_MESSAGE, script_args=[str(eml.resolve()), *WINDOW],
                                      sandbox="system", new_sandbox=False)
            deadline = time.monotonic() + 30
            while not set(marionette.chrome_window_handles) - before:
                if time.monotonic() > deadline:
                    raise RuntimeError("the message window did not open")
                time.sleep(0.2)
            marionette.switch_to_window(next(iter(set(marionette.chrome_window_handles)
                                                  - before)))
            time.sleep(PAINT_SECONDS)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(base64.b64decode(marionette.screenshot()))
        finally:
            stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("eml", type=Path, nargs="?", help="the report email (.eml)")
    parser.add_argument("png", type=Path, help="where to write the screenshot")
    parser.add_argument("--mbox", type=Path, help="build the report email from this mbox")
    parser.add_argument("--me", action="append", default=[])
    parser.add_argument("--week")
    parser.add_argument("--since")
    parser.add_argument("--until")
    parser.add_argument("--eml", dest="eml_out", type=Path, help="with --mbox: write it here")
    args = parser.parse_args()
    if args.mbox is not None:
        args.eml = args.eml_out or Path(tempfile.mkstemp(suffix=".eml")[1])
        build_eml(args)
    if args.eml is None:
        parser.error("give REPORT.eml, or --mbox to build one")
    screenshot(args.eml, args.png)
    print(f"{args.png}: {args.png.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
