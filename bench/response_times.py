"""Response times from a real mbox: trustmail vs an independent, straightforward computation.

    .venv/bin/python bench/response_times.py ../shared/eval [--me ADDRESS] [--limit N]
    .venv/bin/python bench/response_times.py path/to/file.mbox --me you@example.com

The independent side shares no code with trustmail: it reads the mbox with the
standard library, threads by walking In-Reply-To/References links breadth-first,
pairs blocks with a plain loop and counts business seconds minute-free, one calendar
day at a time, with its own holiday lookup. Both apply the rule of DESIGN.md
("Response-time definition") with the shipped config (business hours, time zone,
holidays, internal domains). Prints, per thread, the first response by both, then
the number of differing blocks (answered and unanswered) and timings.
"""

from __future__ import annotations

import argparse
import mailbox
import re
import sys
import time
from collections import deque
from datetime import UTC, date, datetime, timedelta
from email.header import decode_header, make_header
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from daemon.config.load import load_config  # noqa: E402
from daemon.conversations.response_times import Parties, compute_response_times, unique_messages  # noqa: E402
from daemon.reports.compute import compute_report  # noqa: E402
from daemon.reports.periods import parse_range  # noqa: E402
from daemon.reports.sources import load_mbox  # noqa: E402
from scoring.business_time import BusinessClock  # noqa: E402

DEFAULT_MBOX = Path("mailboxes/grase-support.mbox")
DEFAULT_ME = "ti***8@gmail.com"      # the project's maintainer in grase-support.mbox
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# ---- the independent computation ---------------------------------------------------

def plain_address(value: object) -> str:
    if value is None:
        return ""
    address = parseaddr(str(value))[1]
    if "@" not in address:
        try:
            address = parseaddr(str(make_header(decode_header(str(value)))))[1]
        except Exception:  # noqa: BLE001 - an unreadable header has no address
            address = ""
    return address.strip().lower() if "@" in address else ""


def ids(value: object) -> list[str]:
    return re.findall(r"<[^<>\s]+>", str(value)) if value else []


def read_mbox(path: Path) -> list[dict[str, object]]:
    mails: list[dict[str, object]] = []
    seen: set[str] = set()
    for number, message in enumerate(mailbox.mbox(path)):
        own = ids(message["Message-ID"])
        if own and own[0] in seen:
            continue
        if own:
            seen.add(own[0])
        try:
            sent = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
        except (TypeError, ValueError, IndexError):
            sent = None
        if sent is not None and sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
        sender = plain_address(message["From"])
        try:
            subject = str(make_header(decode_header(str(message["Subject"] or ""))))
        except Exception:  # noqa: BLE001
            subject = str(message["Subject"] or "")
        precedence = str(message["Precedence"] or "").strip().lower()
        auto = str(message["Auto-Submitted"] or "").strip().lower()
        local = sender.split("@")[0]
        mails.append({
            "n": number, "id": own[0] if own else f"#{len(mails)}",
            "has_id": bool(own), "parents": ids(message["In-Reply-To"])[-1:] +
            ids(message["References"]), "date": sent, "from": sender, "subject": subject,
            "people": {a for a in [sender] + [addr.lower() for _, addr in getaddresses(
                [str(v) for v in (message.get_all("To") or []) + (message.get_all("Cc") or [])])]
                if "@" in a},
            "automated": (auto not in ("", "no")) or precedence in ("bulk", "list", "junk")
            or bool(message["List-Id"]) or bool(re.match(
                r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]daemon|postmaster|bounces?)"
                r"([-+.].*)?$", local, re.IGNORECASE)),
        })
    return mails


def strip_subject(subject: str) -> str:
    text = subject
    pattern = r"^\s*(?:(?:re|aw|sv|antw|fw|fwd|wg)\s*(?:\[\d+\])?\s*:|\[[^\]]*\])\s*"
    while re.match(pattern, text, re.IGNORECASE):
        text = re.sub(pattern, "", text, count=1, flags=re.IGNORECASE)
    return " ".join(text.split()).lower()


def threads_by_links(mails: list[dict[str, object]]) -> dict[str, str]:
    """Breadth-first search over the id graph, then the subject fallback; returns id -> thread."""
    neighbours: dict[str, set[str]] = {}
    for mail in mails:
        for parent in mail["parents"]:  # type: ignore[attr-defined]
            neighbours.setdefault(str(mail["id"]), set()).add(parent)
            neighbours.setdefault(parent, set()).add(str(mail["id"]))
    by_time = sorted(mails, key=lambda m: (m["date"] or EPOCH, m["n"]))  # type: ignore[operator]
    for position, mail in enumerate(by_time):
        if mail["parents"] or not re.match(
                r"^\s*(?:\[[^\]]*\]\s*)*(?:re|aw|sv|antw)\s*(?:\[\d+\])?\s*:",
                str(mail["subject"]), re.IGNORECASE):
            continue
        key = strip_subject(str(mail["subject"]))
        if not key:
            continue
        for earlier in reversed(by_time[:position]):
            if strip_subject(str(earlier["subject"])) == key and \
                    set(mail["people"]) & set(earlier["people"]):  # type: ignore[call-overload]
                neighbours.setdefault(str(mail["id"]), set()).add(str(earlier["id"]))
                neighbours.setdefault(str(earlier["id"]), set()).add(str(mail["id"]))
                break
    component: dict[str, int] = {}
    for start in [str(m["id"]) for m in mails]:
        if start in component:
            continue
        queue = deque([start])
        component[start] = len(component)
        label = component[start]
        while queue:
            node = queue.popleft()
            for other in neighbours.get(node, ()):
                if other not in component:
                    component[other] = label
                    queue.append(other)
    first: dict[int, str] = {}
    for mail in by_time:
        first.setdefault(component[str(mail["id"])], str(mail["id"]))
    return {str(m["id"]): first[component[str(m["id"])]] for m in mails}


def business_seconds_daywise(start: datetime, end: datetime, zone: ZoneInfo, days: set[int],
                             opens: tuple[int, int], closes: tuple[int, int],
                             calendar: holidays.HolidayBase | None) -> float:
    total = 0.0
    day: date = start.astimezone(zone).date()
    while day <= end.astimezone(zone).date():
        if day.weekday() in days and (calendar is None or day not in calendar):
            open_at = datetime(day.year, day.month, day.day, *opens, tzinfo=zone)
            close_at = datetime(day.year, day.month, day.day, *closes, tzinfo=zone)
            lo = max(open_at, start.astimezone(zone))
            hi = min(close_at, end.astimezone(zone))
            if hi > lo:
                total += (hi.replace(tzinfo=None) - lo.replace(tzinfo=None)).total_seconds()
        day += timedelta(days=1)
    return total


def independent(mails: list[dict[str, object]], me: set[str], internal: set[str],
                cutoff: datetime, business: object) -> dict[tuple[str, str], tuple]:
    """(thread, inbound id) -> (reply id or None, wall seconds, business seconds)."""
    hours = business  # scoring.settings.BusinessHours, read for its values only
    zone = ZoneInfo(hours.timezone)  # type: ignore[attr-defined]
    calendar = holidays.country_holidays(hours.holidays, subdiv=hours.holiday_subdivision  # type: ignore[attr-defined]
                                         or None) if hours.holidays else None  # type: ignore[attr-defined]
    opens = (hours.start.hour, hours.start.minute)  # type: ignore[attr-defined]
    closes = (hours.end.hour, hours.end.minute)  # type: ignore[attr-defined]
    days = set(hours.days)  # type: ignore[attr-defined]
    thread_of = threads_by_links(mails)
    result: dict[tuple[str, str], tuple] = {}
    threads: dict[str, list[dict[str, object]]] = {}
    for mail in mails:
        if mail["date"] is not None and mail["date"] < cutoff:  # type: ignore[operator]
            threads.setdefault(thread_of[str(mail["id"])], []).append(mail)
    for thread, items in threads.items():
        items.sort(key=lambda m: (m["date"], m["n"]))  # type: ignore[arg-type, return-value]
        waiting = None
        for mail in items:
            sender = str(mail["from"])
            if not sender or mail["automated"]:
                continue
            if sender in me:
                if waiting is not None:
                    start, end = waiting["date"], mail["date"]
                    result[(thread, str(waiting["id"]) if waiting["has_id"] else "")] = (
                        str(mail["id"]) if mail["has_id"] else "",
                        (end - start).total_seconds(),  # type: ignore[operator]
                        business_seconds_daywise(start, end, zone, days, opens, closes,  # type: ignore[arg-type]
                                                 calendar))
                    waiting = None
                continue
            domain = sender.split("@")[-1]
            if domain in internal or any(domain.endswith("." + d) for d in internal):
                continue
            if waiting is None:
                waiting = mail
        if waiting is not None:
            result[(thread, str(waiting["id"]) if waiting["has_id"] else "")] = (
                None, (cutoff - waiting["date"]).total_seconds(),  # type: ignore[operator]
                business_seconds_daywise(waiting["date"], cutoff, zone, days, opens, closes,  # type: ignore[arg-type]
                                         calendar))
    return result


# ---- the comparison ------------------------------------------------------------------

def hours(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the eval dir (../shared/eval) or an mbox file")
    parser.add_argument("--me", action="append", help=f"my address (default {DEFAULT_ME})")
    parser.add_argument("--limit", type=int, default=0, help="print only the first N threads")
    parser.add_argument("--config", type=Path, help="extra config file")
    args = parser.parse_args()
    path = args.source / DEFAULT_MBOX if args.source.is_dir() else args.source
    me = {a.lower() for a in (args.me or [DEFAULT_ME])}
    config = load_config(args.config)
    business = config.scoring.business
    clock = BusinessClock(business)

    started = time.perf_counter()
    messages = unique_messages(load_mbox(path))
    loaded = time.perf_counter()
    cutoff = max(m.date for m in messages if m.date is not None) + timedelta(seconds=1)
    ours = compute_response_times(messages, Parties.of(me, business.internal_domains),
                                  clock, cutoff)
    computed = time.perf_counter()
    theirs_started = time.perf_counter()
    theirs = independent(read_mbox(path), me, set(business.internal_domains), cutoff, business)
    theirs_done = time.perf_counter()

    mine: dict[tuple[str, str], tuple] = {}
    for r in ours.responses:
        mine[(r.thread, r.inbound_message_id)] = (r.reply_message_id, r.wall_seconds,
                                                  r.business_seconds)
    for u in ours.unanswered:
        mine[(u.thread, u.inbound_message_id)] = (None, u.age_seconds, u.business_age_seconds)
    keys = sorted(set(mine) | set(theirs), key=lambda k: (k[0], k[1]))
    differences = [k for k in keys if mine.get(k) != theirs.get(k)]

    first_by_thread: dict[str, tuple[str, str]] = {}
    for r in sorted(ours.responses, key=lambda r: r.inbound_at):
        first_by_thread.setdefault(r.thread, (r.thread, r.inbound_message_id))
    rows = sorted(first_by_thread.values(), key=lambda k: mine[k][1])
    print(f"mbox: {path}  me: {', '.join(sorted(me))}  zone: {business.timezone}  "
          f"hours: {business.start:%H:%M}-{business.end:%H:%M}  holidays: {business.holidays}")
    print(f"{len(messages)} messages, {len({r.thread for r in ours.responses})} answered "
          f"threads, {len(ours.responses)} answered blocks, {len(ours.unanswered)} open blocks\n")
    print("Per-thread first response (hours): trustmail vs independent")
    print(f"{'thread (first Message-ID)':<52} {'wall':>9} {'wall*':>9} {'bus.':>8} "
          f"{'bus.*':>8}  same")
    for key in rows[:args.limit or None]:
        a, b = mine.get(key), theirs.get(key)
        print(f"{key[0][:52]:<52} {hours(a[1] if a else None):>9} {hours(b[1] if b else None):>9} "
              f"{hours(a[2] if a else None):>8} {hours(b[2] if b else None):>8}  "
              f"{'yes' if a == b else 'NO'}")
    if args.limit and len(rows) > args.limit:
        print(f"... {len(rows) - args.limit} more threads (drop --limit to print all)")
    first_differences = sum(1 for k in rows if mine.get(k) != theirs.get(k))
    print("\n* = independent computation\n")
    print("| compared | count | differences |")
    print("|---|---:|---:|")
    print(f"| per-thread first responses | {len(rows)} | {first_differences} |")
    print(f"| all blocks (answered + open) | {len(keys)} | {len(differences)} |")
    for key in differences[:10]:
        print(f"  differs: {key}: trustmail {mine.get(key)} vs independent {theirs.get(key)}")

    clock_zone = clock.zone
    period = parse_range("2013-01-01", "2013-01-07", clock_zone, cutoff)
    report_started = time.perf_counter()
    compute_report(messages, Parties.of(me, business.internal_domains), clock, period, cutoff)
    report_done = time.perf_counter()
    print("\n| step | seconds |")
    print("|---|---:|")
    print(f"| read mbox headers (trustmail) | {loaded - started:.3f} |")
    print(f"| threads + blocks + business time (trustmail) | {computed - loaded:.3f} |")
    print("| weekly report from the parsed mbox (trustmail) | "
          f"{report_done - report_started:.3f} |")
    print(f"| independent computation (incl. reading) | {theirs_done - theirs_started:.3f} |")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
