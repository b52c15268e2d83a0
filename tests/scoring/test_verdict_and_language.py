"""The verdict model users can follow, and drafts in languages without a rule pack."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scoring.findings import Finding
from scoring.language import detect_language
from scoring.report import aggregate


def finding(dimension: str, penalty: float) -> Finding:
    return Finding(rule=f"en.{dimension}.x", dimension=dimension, start=0, end=1, match="x",
                   message="m", suggestion="s", penalty=penalty)


def test_clean_draft_passes_with_a_reason(scorer) -> None:  # type: ignore[no-untyped-def]
    report = scorer.score_text("Your refund was sent today.")
    assert report.verdict == "pass"
    assert report.verdict_reason == "pass: nothing to flag."


def test_a_draft_whose_dimensions_all_pass_is_not_held(scorer) -> None:  # type: ignore[no-untyped-def]
    # An overall threshold so strict that one small finding falls below "hold":
    # every dimension still passes, so the draft warns and the reason says why.
    strict = replace(scorer.settings, thresholds=replace(scorer.settings.thresholds,
                                                         warn=100, hold=100))
    overall, verdict, dimensions, reason = aggregate([finding("tone", 1)], strict)
    assert all(d.verdict == "pass" for d in dimensions.values())
    assert overall < strict.thresholds.hold
    assert verdict == "warn"
    assert reason.startswith("warn: no dimension fails")


def test_a_failing_dimension_is_named_in_the_reason(scorer) -> None:  # type: ignore[no-untyped-def]
    _, verdict, dimensions, reason = aggregate([finding("honesty", 80)], scorer.settings)
    assert dimensions["honesty"].verdict != "pass"
    assert "honesty" in reason and reason.startswith(verdict)


@pytest.mark.parametrize(("text", "language"), [
    ("Hola Juan, gracias por tu mensaje. Te envío la factura que pediste para el pedido.", "es"),
    ("Olá Maria, obrigado pela mensagem. Você pode enviar o arquivo para mim?", "pt"),
    ("Bonjour, merci pour votre message. Nous avons reçu la commande dans les temps.", "fr"),
    ("Danke, passt so.", "de"),
    ("Gern, bis morgen.", "de"),
    ("Thanks, that works for me.", "en"),
    ("Thanks Juan, see you at the Café del Mar.", "en"),
    ("Rechnung folgt.", "de"),
    ("Ok, mache ich.", "de"),
    ("Gracias, lo envío mañana.", "es"),
    ("Grazie, lo mando domani.", "it"),
    ("I will send it tomorrow, Mario.", "en"),
])
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_unsupported_language_gets_no_findings_and_says_so(scorer) -> None:  # type: ignore[no-untyped-def]
    text = ("Hola Juan, quizás el pedido llegue mañana, pero no estoy seguro. "
            "Gracias por tu paciencia, saludos.")
    report = scorer.score_text(text)
    assert report.language == "es"
    assert report.findings == [] and report.promises == []
    assert report.meta["language_supported"] is False
    assert "not supported" in report.verdict_reason
