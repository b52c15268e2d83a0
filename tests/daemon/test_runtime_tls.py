"""The proxy's own certificate: generated once in the data dir, private key 0600."""

from __future__ import annotations

import datetime as dt
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509

from daemon.runtime.tls import ensure_self_signed, needs_renewal, server_context


def test_first_run_generates_a_localhost_certificate_and_reuses_it(tmp_path: Path) -> None:
    cert_file, key_file = ensure_self_signed(tmp_path)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(cert_file.parent.stat().st_mode) == 0o700
    certificate = x509.load_pem_x509_certificate(cert_file.read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    before = cert_file.read_bytes()
    ensure_self_signed(tmp_path)
    assert cert_file.read_bytes() == before


def test_renewal_when_close_to_expiry(tmp_path: Path) -> None:
    cert_file, _ = ensure_self_signed(tmp_path)
    assert not needs_renewal(cert_file)
    assert needs_renewal(cert_file, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=800))
    assert needs_renewal(tmp_path / "missing.pem")


def test_server_context_loads_configured_or_generated_files(tmp_path: Path) -> None:
    assert isinstance(server_context(data_dir=tmp_path), ssl.SSLContext)
    cert_file, key_file = ensure_self_signed(tmp_path)
    assert isinstance(server_context(str(cert_file), str(key_file)), ssl.SSLContext)
    with pytest.raises(ValueError, match="both"):
        server_context(str(cert_file), "")
