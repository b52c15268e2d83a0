"""The label policy: fixed words, rule ids, customer domains only when turned on, the
account's name only when set, and ``other`` for anything that does not fit."""

from __future__ import annotations

import pytest

from daemon.config.sections import ListenAddress, MetricsSettings
from daemon.metrics.labels import (
    OTHER,
    LabelPolicy,
    domain_of,
    one_of,
    reason_label,
    rule_label,
    upstream_reply_reason,
    verdict_label,
)


def test_by_default_no_account_and_no_customer_domain_label() -> None:
    policy = LabelPolicy.of(MetricsSettings(prometheus=ListenAddress("127.0.0.1", 9464)))
    assert policy.label_names(("customer_domain",)) == ()
    assert policy.label_names(("source", "verdict")) == ("source", "verdict")
    assert policy.labels(source="smtp", customer_domain="customer.example") == {
        "source": "smtp"}


def test_the_account_label_comes_first_when_the_admin_sets_it() -> None:
    policy = LabelPolicy.of(MetricsSettings(account_label="anna-sales"))
    assert policy.label_names(("source",)) == ("account", "source")
    assert policy.labels(source="api") == {"account": "anna-sales", "source": "api"}


def test_customer_domains_only_when_turned_on_and_never_the_local_part() -> None:
    on = LabelPolicy(customer_domains=True)
    assert on.label_names(("customer_domain",)) == ("customer_domain",)
    assert on.customer_domain("Maria.Lopez@Customer.Example") == "customer.example"
    assert LabelPolicy().customer_domain("maria@customer.example") == OTHER


@pytest.mark.parametrize("address, expected", [
    ("bob@shop.example.co.uk", "shop.example.co.uk"),
    ("bob@xn--mller-kva.example", "xn--mller-kva.example"),
    ("bob@müller.example", "xn--mller-kva.example"),          # an IDN in its ASCII form
    ("bob@customer.example.", "customer.example"),
    ("no-at-sign.example", OTHER),
    ("bob@localhost", OTHER),                                  # not a domain
    ('"a@b"@evil.example\nSubject: hi', OTHER),                # header injection
    ("bob@[192.0.2.1]", OTHER),
    ("bob@-bad-.example", OTHER),
    ("bob@" + "a" * 64 + ".example", OTHER),                   # a label over 63 chars
    ("bob@Your order 4711 is late.example", OTHER),            # text is no domain
])
def test_a_domain_label_is_a_host_name_or_other(address: str, expected: str) -> None:
    assert domain_of(address) == expected


def test_verdicts_are_the_three_words_or_failed_or_other() -> None:
    assert verdict_label({"verdict": "hold"}) == "hold"
    assert verdict_label(None) == "failed"
    assert verdict_label({"verdict": "pass", "error": "unreadable"}) == "failed"
    assert verdict_label({"verdict": "Dear Maria"}) == OTHER


@pytest.mark.parametrize("rule, expected", [
    ("en.honesty.hedge", "en.honesty.hedge"),
    ("de.promises.vague-deadline", "de.promises.vague-deadline"),
    ("site.custom_rule_2", "site.custom_rule_2"),
    ("I will send the contract by Friday", OTHER),
    ("en.honesty.hedge\nmaria@customer.example", OTHER),
    ("x" * 101, OTHER),
    (None, OTHER),
    (42, OTHER),
])
def test_a_rule_label_is_a_rule_id_or_other(rule: object, expected: str) -> None:
    assert rule_label(rule) == expected


def test_reasons_are_known_per_outcome() -> None:
    assert reason_label("held", "refused_hold") == "refused_hold"
    assert reason_label("held", "upstream_lost") == OTHER
    assert reason_label("failed", "550 5.1.1 <maria@customer.example> unknown") == OTHER
    assert one_of("smtp", ("api", "smtp")) == "smtp"
    assert one_of("mbox", ("api", "smtp")) == OTHER


@pytest.mark.parametrize("code, expected", [
    (250, ("relayed", "ok")),
    (451, ("failed", "upstream_temporary")),
    (554, ("failed", "upstream_permanent")),
])
def test_the_upstream_reply_class_is_the_reason(code: int, expected: tuple[str, str]) -> None:
    assert upstream_reply_reason(code) == expected
