"""TLS for the local listeners: a configured certificate, or a self-signed one.

On first run trustmail generates a self-signed certificate for ``localhost``,
``127.0.0.1`` and ``::1`` in ``<data dir>/tls/`` (key readable by the user only) and
reuses it until it is close to expiry. Mail clients ask once to trust it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from daemon.config import paths

TLS_DIR_NAME = "tls"
CERT_FILE_NAME = "localhost.pem"
KEY_FILE_NAME = "localhost.key"
VALID_DAYS = 825                 # the longest lifetime clients accept for a server cert
RENEW_BEFORE_DAYS = 30
LOCAL_NAMES = ("localhost",)
LOCAL_IPS = ("127.0.0.1", "::1")
PRIVATE_FILE_MODE = 0o600


def self_signed_paths(data_dir: Path | None = None) -> tuple[Path, Path]:
    directory = (data_dir or paths.data_dir()) / TLS_DIR_NAME
    return directory / CERT_FILE_NAME, directory / KEY_FILE_NAME


def generate_self_signed(cert_file: Path, key_file: Path,
                         now: dt.datetime | None = None) -> None:
    """Write a new EC P-256 key and a self-signed server certificate for this host."""
    now = now or dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "trustmail on localhost")])
    alt_names: list[x509.GeneralName] = [x509.DNSName(n) for n in LOCAL_NAMES]
    alt_names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in LOCAL_IPS]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    paths.ensure_private_dir(cert_file.parent)
    key_bytes = key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    os.fchmod(descriptor, PRIVATE_FILE_MODE)   # an existing key file keeps its old mode
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key_bytes)
    # Public, but 0600 all the same: everything in the data dir is the user's alone.
    paths.write_private_file(cert_file, certificate.public_bytes(serialization.Encoding.PEM))


def needs_renewal(cert_file: Path, now: dt.datetime | None = None) -> bool:
    """True if the certificate is missing, unreadable or expires within 30 days."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        certificate = x509.load_pem_x509_certificate(cert_file.read_bytes())
    except (OSError, ValueError):
        return True
    return certificate.not_valid_after_utc - now < dt.timedelta(days=RENEW_BEFORE_DAYS)


def ensure_self_signed(data_dir: Path | None = None) -> tuple[Path, Path]:
    """The generated certificate and key, creating or renewing them when needed."""
    cert_file, key_file = self_signed_paths(data_dir)
    if needs_renewal(cert_file) or not key_file.is_file():
        generate_self_signed(cert_file, key_file)
    return cert_file, key_file


def server_context(cert_file: str = "", key_file: str = "",
                   data_dir: Path | None = None) -> ssl.SSLContext:
    """A server-side TLS context from the configured files or the generated pair."""
    if bool(cert_file) != bool(key_file):
        raise ValueError("set both tls_cert and tls_key, or neither")
    if cert_file:
        cert_path, key_path = Path(cert_file).expanduser(), Path(key_file).expanduser()
    else:
        cert_path, key_path = ensure_self_signed(data_dir)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context
