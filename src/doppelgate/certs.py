"""The local certificate authority that lets doppelgate answer `https://<vendor host>` itself.

Created once in a directory (`ca_dir`, default ~/.local/share/doppelgate/ca) and kept: clients
trust `ca.pem` once (REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, a Java truststore, curl --cacert).
Server certificates for each requested vendor host are issued on the fly, in memory, with
cryptography's X.509 builder. The private keys never leave the CA directory (mode 0700) or memory.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import ipaddress
import os
import ssl
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .config import CA_CERT, default_ca_dir

CA_KEY = "ca-key.pem"
CA_NAME = "doppelgate local CA"
CA_YEARS = 10
LEAF_DAYS = 397  # browsers and JDKs refuse server certificates valid for longer than 398 days
CONTEXTS_KEPT = 512  # issued hosts kept in memory (each a key, a certificate and an SSLContext)


class LocalCA:
    """A CA key and certificate on disk, and server certificates issued from them per host."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory else default_ca_dir()
        self.cert_path = self.directory / CA_CERT
        self._key: ec.EllipticCurvePrivateKey | None = None
        self._cert: x509.Certificate | None = None
        self._contexts: OrderedDict[str, ssl.SSLContext] = OrderedDict()
        self._lock = threading.Lock()

    # -- the CA itself -------------------------------------------------------------------------

    def ensure(self) -> Path:
        """Load the CA, creating it first if the directory has none; the certificate's path."""
        if self._cert is None:
            self._key, self._cert = _load_or_create(self.directory)
        return self.cert_path

    def cert_pem(self) -> bytes:
        self.ensure()
        assert self._cert is not None
        return self._cert.public_bytes(serialization.Encoding.PEM)

    # -- server certificates -------------------------------------------------------------------

    def context_for(self, host: str) -> ssl.SSLContext:
        """A server-side TLS context presenting a certificate for `host` (cached per host)."""
        host = host.lower().rstrip(".")
        with self._lock:
            found = self._contexts.get(host)
            if found is not None:
                self._contexts.move_to_end(host)
                return found
        context = self._issue_context(host)
        with self._lock:
            self._contexts[host] = context
            while len(self._contexts) > CONTEXTS_KEPT:
                self._contexts.popitem(last=False)
        return context

    def sni_context(self, default_host: str = "localhost") -> ssl.SSLContext:
        """A TLS context for a listener: each handshake gets a certificate for its SNI name."""
        context = self._issue_context(default_host)

        def pick(sock: ssl.SSLObject, name: str | None, _: ssl.SSLContext) -> None:
            if name:
                sock.context = self.context_for(name)

        context.sni_callback = pick  # type: ignore[assignment]
        return context

    def issue(self, host: str) -> tuple[bytes, bytes]:
        """(certificate PEM, private key PEM) for `host`, signed by this CA."""
        self.ensure()
        assert self._key is not None and self._cert is not None
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        try:
            alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host.strip("[]")))
        except ValueError:
            alt = x509.DNSName(host)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host[:64])]))
            .issuer_name(self._cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=LEAF_DAYS))
            .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(digital_signature=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), False
            )
            .sign(self._key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM), _key_pem(key)

    def _issue_context(self, host: str) -> ssl.SSLContext:
        cert_pem, key_pem = self.issue(host)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_alpn_protocols(["http/1.1"])
        # ssl loads chains from files only: a private temporary directory, removed at once
        with tempfile.TemporaryDirectory(prefix="doppelgate-tls-") as tmp:
            chain, key = Path(tmp) / "chain.pem", Path(tmp) / "key.pem"
            chain.write_bytes(cert_pem + self.cert_pem())
            key.write_bytes(key_pem)
            context.load_cert_chain(chain, key)
        return context


def _key_usage(*, digital_signature: bool = False, cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_or_create(
    directory: Path,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """The CA in `directory`; created under a file lock, so racing processes share one CA."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (directory / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cert_path, key_path = directory / CA_CERT, directory / CA_KEY
        if not (cert_path.exists() and key_path.exists()):
            key, cert = _new_ca()
            _write_private(key_path, _key_pem(key))
            _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{key_path}: not an EC private key made by doppelgate")
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())


def _new_ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "doppelgate"),
        ]
    )
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(digital_signature=True, cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _write_private(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write atomically (temp file + rename), readable by the owner only unless `mode` says."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
