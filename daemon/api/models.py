"""Every JSON body of the API as one typed definition (pydantic models).

The models validate request bodies and convert them, once, into the typed object the
handler receives (``daemon/api/validation.py``); they generate the component schemas of
the served OpenAPI document (``daemon/api/openapi.py``), so the document is what the
server checks. Validation is strict (no "5" for 5, no true for 1). The handlers answer
with the response models (``Document.to_json()`` is the JSON sent).

A field that may be left out but not sent as null is ``Omittable[T]``: None in Python
when absent, validated and documented as T alone, so a null sent is refused and the
schema shows no null.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    WithJsonSchema,
)
from pydantic_core import CoreSchema

MAX_ADDRESSES = 500
MAX_HEADER_LINE = 998      # RFC 5322's line limit, for one header value

Dimension = Literal["honesty", "disclosure", "responsiveness", "promises", "tone"]
Verdict = Literal["pass", "warn", "hold"]


def aware_datetime(value: str) -> str:
    """An ISO-8601 date-time with a time zone offset, kept as the text sent."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO-8601 date-time like 2026-03-02T09:30:00+01:00") \
            from None
    if moment.tzinfo is None:
        raise ValueError("must include a time zone offset, e.g. +01:00 or Z")
    return value


DateTime = Annotated[str, AfterValidator(aware_datetime), Field(json_schema_extra={
    "format": "date-time"})]

# A JSON number that stays as given: 62 is sent back as 62, not 62.0 (as the CLI prints it).
Number = Annotated[int | float, WithJsonSchema({"type": "number"})]


class NeverNull:
    """Validate (and document) ``T | None`` as ``T``: None is only ever the default of a
    field left out, which pydantic does not validate."""

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        (inner,) = (arg for arg in get_args(source) if arg is not type(None))
        return handler(inner)


T = TypeVar("T")
Omittable = Annotated[T | None, NeverNull()]


def optional(description: str | None = None, **limits: Any) -> Any:
    """A field that may be absent (but not null): give it the type ``Omittable[T]``."""
    return Field(default=None, description=description, **limits)


class Body(BaseModel):
    """A request body: strict, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


class Document(BaseModel):
    """A response body (or a part of one sent back, like a report): strict, and open to
    fields added later: a handler's model keeps what it was given beyond the fields
    declared here (the weekly report's every table), and sends it back in its JSON."""

    model_config = ConfigDict(strict=True, extra="allow")

    def to_json(self) -> dict[str, Any]:
        """The JSON of the answer: what was given, under its JSON names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class PairRequest(Body):
    """A code from `trustmail pair`, or no code for `--auto` (daemon/runtime/pairing.py)."""

    code: Omittable[str] = optional(max_length=32)


class PairResponse(Document):
    token: str


class ErrorDetail(Document):
    code: str
    message: str


class Error(Document):
    error: ErrorDetail


class Original(Body):
    """The customer message being answered: the whole message (raw or raw_base64), or
    its headers and optionally its text."""

    raw: Omittable[str] = optional()
    raw_base64: Omittable[str] = optional()
    headers: Omittable[dict[str, str]] = optional(
        "Header name -> value, e.g. Date, From, Subject.")
    text: Omittable[str] = optional()


class ScoreRequest(Body):
    """Exactly one of text, raw or raw_base64: the draft to score."""

    text: Omittable[str] = optional("The draft's plain text (new text and any quoted "
                                    "original, as the compose window shows it).")
    raw: Omittable[str] = optional("The draft as an RFC 5322 message.")
    raw_base64: Omittable[str] = optional("The RFC 5322 message, base64.")
    original: Omittable[Original] = optional()
    lang: Omittable[Literal["auto", "en", "de"]] = optional()
    now: Omittable[DateTime] = optional(
        "Score as of this moment (default: the daemon's clock).")


class Finding(Document):
    rule: str
    dimension: Dimension
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    match: str
    message: str
    suggestion: str
    penalty: float = Field(ge=0)
    why: Omittable[str] = optional("how the sentence was read, for rules that judge its kind")


class Promise(Document):
    text: str
    start: Omittable[int] = optional()
    end: Omittable[int] = optional()
    owner: Literal["sender", "team", "unclear"]
    due: DateTime | None
    hedged: bool


class Question(Document):
    text: str
    answered: bool
    how: str = optional("How the reply answers it (below, shared-words, timing, yes-or-no, "
                        "help, alternative) or why it counts as open (no-answer-found, "
                        "dont-know, skipped-item)")
    owed: bool = optional("False when the customer's message asks someone else (it greets "
                          "another person by name)")


class DimensionScore(Document):
    score: int = Field(ge=0, le=100)
    verdict: Verdict


class Report(Document):
    """The report of the scoring core, as `trustmail score --json` prints it."""

    score: int = Field(ge=0, le=100)
    verdict: Verdict
    verdict_reason: Omittable[str] = optional("One sentence from the verdict to the "
                                              "dimensions behind it.")
    language: Omittable[str] = optional("en or de; another code (es, pt, fr, it, nl) means "
                                        "not supported: no findings")
    dimensions: Omittable[dict[str, DimensionScore]] = optional()
    findings: list[Finding]
    promises: list[Promise]
    questions: Omittable[list[Question]] = optional()
    body: Omittable[str] = optional()
    error: str | None = optional()


class SentMessage(Body):
    message_id: str = Field(min_length=1, max_length=MAX_HEADER_LINE)
    in_reply_to: Omittable[str] = optional(max_length=MAX_HEADER_LINE)
    references: Omittable[list[str]] = optional(max_length=1000)
    date: Omittable[DateTime] = optional()
    from_: Omittable[str] = optional(max_length=MAX_HEADER_LINE, alias="from")
    to: Omittable[list[str]] = optional(max_length=MAX_ADDRESSES)
    cc: Omittable[list[str]] = optional(max_length=MAX_ADDRESSES)
    subject: Omittable[str] = optional(max_length=MAX_HEADER_LINE)


class SentRequest(Body):
    message: SentMessage
    report: Omittable[Report] = optional()
    body: Omittable[str] = optional("Kept only with [store] keep_bodies.")
    account: Omittable[str] = optional(max_length=200)


class SentResponse(Document):
    id: int
    duplicate: bool


class Health(Document):
    status: Literal["ok"]
    version: str
    token_valid: bool | None = Field(description="Whether the bearer token sent is right; "
                                     "null when none was sent (used by the pairing page).")


class LedgerPromise(Document):
    """One entry of `trustmail promises --format json`."""

    text: str
    status: Literal["open", "kept", "overdue"]
    owner: str
    customer: str
    subject: str
    hedged: bool
    thread: str
    made_at: str | None
    due: str | None
    kept_at: str | None


class PromiseList(Document):
    promises: list[LedgerPromise]


class Period(Document):
    label: str
    start: str
    end: str
    cutoff: str = Field(description="Replies up to this moment count")
    timezone: str


class OwnMail(Document):
    """When the user's own mail went out, against the business hours."""

    sent: int
    outside: int
    better_zone: str | None = Field(description="A zone whose same hours would cover "
                                    "clearly more of it")


class Business(Document):
    """The business hours the response times count in, and where to change them."""

    text: str
    timezone: str
    days: list[str]
    hours: list[str] = Field(description="Start and end, HH:MM")
    holidays: str
    sla_hours: Number
    change_in: str = Field(description="The settings file to change them in")
    change_in_exists: bool
    own_mail: OwnMail


class Notice(Document):
    code: str
    message: str


class ResponseStats(Document):
    """First-response times over a set of customer threads (None: no response)."""

    count: int
    median_business_seconds: Number | None
    p90_business_seconds: Number | None
    median_wall_seconds: Number | None
    p90_wall_seconds: Number | None
    within_sla_percent: Number | None


class Bucket(Document):
    label: str
    count: int


# A customer's and a week's row are the figures after their own fields: pydantic orders
# fields from the last base to the first, so these bases give the CLI's key order.
class CustomerFields(Document):
    customer: str
    unanswered: int


class CustomerStats(ResponseStats, CustomerFields):
    pass


class WeekFields(Document):
    week: str


class WeekStats(ResponseStats, WeekFields):
    pass


class ReportPromise(Document):
    text: str
    status: Literal["open", "kept", "overdue"]
    customer: str
    subject: str
    thread: str
    made_at: str | None
    due: str | None


class PromiseCounts(Document):
    made: int
    kept: int
    overdue: int
    open: int
    overdue_list: list[ReportPromise]
    open_list: list[ReportPromise]


class TopFinding(Document):
    rule: str
    name: str
    message: str
    count: int
    example: str
    example_from: str | None


class Trust(Document):
    average_score: Number | None
    scored_messages: int
    top_findings: list[TopFinding]


class ResponseTime(Document):
    """One customer message (the first of a block) and the user's first reply to it."""

    thread: str
    inbound_message_id: str
    reply_message_id: str
    customer: str
    inbound_at: str
    replied_at: str
    wall_seconds: Number
    business_seconds: Number


class WaitingThread(Document):
    """A customer message still waiting for the user's reply."""

    thread: str
    inbound_message_id: str
    customer: str
    subject: str
    inbound_at: str
    age_seconds: Number
    business_age_seconds: Number
    over_sla: bool


class WeeklyReport(Document):
    """The JSON of `trustmail report --format json`: response times, SLA, customers,
    trend, promises and trust scores of one period (the fields in the CLI's order: the
    API answers the same text)."""

    format: int
    period: Period
    title: str
    me: list[str]
    business: Business
    notices: list[Notice]
    sla_hours: Number
    summary: ResponseStats
    buckets: list[Bucket]
    customers: list[CustomerStats]
    trend: list[WeekStats]
    promises: PromiseCounts
    trust: Trust
    responses: list[ResponseTime]
    unanswered: list[WaitingThread]


REQUEST_BODIES: dict[str, type[Body]] = {
    "ScoreRequest": ScoreRequest, "SentRequest": SentRequest, "PairRequest": PairRequest}
