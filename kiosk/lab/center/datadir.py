"""The reference center's data directory, made by ``kiosk center init DIR``:

    world.toml                the world it serves (a copy)
    pki/                      the test JPKI CA (key, certificate), its CRL; counters/ of cards
    center/document-key.pem   the Ed25519 key binding documents to orders (.pub.pem: public)
    center/scramble.key       the key of the back pages' scrambled images
    center/state.sqlite       the center's state, shared by its worker processes
    tls/ca.pem, ca-key.pem    the TLS CA that signs the server's and every kiosk's certificate
    tls/server.pem, -key.pem  the server's certificate (localhost, 127.0.0.1, ::1)
    kiosks/<id>/              each kiosk's client certificate and a ready kiosk.toml
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kiosk.clock import Clock
from kiosk.lab.center.cards import CardState
from kiosk.lab.center.center import ReferenceCenter
from kiosk.lab.center.fields import ID
from kiosk.lab.center.pki import CenterKeys, TestJPKI
from kiosk.lab.center.scramble import load_scramble_key, new_scramble_key
from kiosk.lab.center.store import open_store
from kiosk.lab.center.world import World, WorldError, load_world

VALID_DAYS = 825


class DataDirError(ValueError):
    """A data directory that is missing a part; the message says which and what to run."""


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _pem_key(key: ec.EllipticCurvePrivateKey | Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "kiosk reference center"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _issue(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Certificate | None,
           issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool = False, server: bool = False
           ) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(_name(subject))
               .issuer_name(issuer.subject if issuer else _name(subject))
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None),
                              critical=True)
               # strict verifiers (urllib3 2, Python 3.13) want both key identifiers
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer_key.public_key()), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=True, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1"))]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class DataDir:
    root: Path

    @property
    def world_file(self) -> Path:
        return self.root / "world.toml"

    @property
    def document_key(self) -> Path:
        return self.root / "center" / "document-key.pem"

    @property
    def document_public_key(self) -> Path:
        return self.root / "center" / "document-key.pub.pem"

    @property
    def state(self) -> Path:
        return self.root / "center" / "state.sqlite"

    @property
    def tls_ca(self) -> Path:
        return self.root / "tls" / "ca.pem"

    @property
    def tls_server_cert(self) -> Path:
        return self.root / "tls" / "server.pem"

    @property
    def tls_server_key(self) -> Path:
        return self.root / "tls" / "server-key.pem"

    def kiosk_dir(self, kiosk_id: str) -> Path:
        if not ID.fullmatch(kiosk_id):  # the world refuses such an id; never a path out of here
            raise DataDirError(f"kiosk id {kiosk_id[:40]!r} cannot name a directory")
        return self.root / "kiosks" / kiosk_id

    # --- making one ------------------------------------------------------------------------
    def init(self, world_path: Path | None = None, port: int = 8443) -> World:
        """Make every key and certificate, and a kiosk.toml for each kiosk of the world."""
        if self.document_key.exists():
            raise DataDirError(f"{self.root} is a center data directory already: its keys stay "
                               "(certificates printed with them must keep verifying); choose "
                               "another directory")
        world = load_world(world_path)
        try:
            self._make(world, world_path, port)
        except OSError as exc:
            raise DataDirError(f"{exc.filename or self.root}: cannot be written: "
                               f"{exc.strerror or exc}") from None
        return world

    def _make(self, world: World, world_path: Path | None, port: int) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if world_path is None:
            text = resources.files("kiosk.lab.center").joinpath("sample-world.toml")
            self.world_file.write_text(text.read_text("utf-8"), encoding="utf-8")
        else:
            shutil.copyfile(world_path, self.world_file)
        card_state = CardState(self.root)
        pki = card_state.pki()  # pki/: the CA, new unless this directory has one already
        (self.root / "pki" / "crl.pem").write_bytes(
            pki.crl().public_bytes(serialization.Encoding.PEM))
        (self.root / "center").mkdir(exist_ok=True)
        signing = Ed25519PrivateKey.generate()
        _write_private(self.document_key, _pem_key(signing))
        self.document_public_key.write_bytes(signing.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        new_scramble_key(self.root / "center")
        (self.root / "tls").mkdir(exist_ok=True)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = _issue("kiosk center TLS CA", ca_key, None, ca_key, ca=True)
        _write_private(self.root / "tls" / "ca-key.pem", _pem_key(ca_key))
        self.tls_ca.write_bytes(_pem(ca))
        server_key = ec.generate_private_key(ec.SECP256R1())
        _write_private(self.tls_server_key, _pem_key(server_key))
        self.tls_server_cert.write_bytes(_pem(_issue("localhost", server_key, ca, ca_key,
                                                     server=True)))
        for kiosk in world.kiosks:
            where = self.kiosk_dir(kiosk.id)
            where.mkdir(parents=True, exist_ok=True)
            key = ec.generate_private_key(ec.SECP256R1())
            _write_private(where / "client-key.pem", _pem_key(key))
            (where / "client.pem").write_bytes(_pem(_issue(kiosk.id, key, ca, ca_key)))
            (where / "kiosk.toml").write_text(KIOSK_TOML.format(id=kiosk.id, port=port),
                                              encoding="utf-8")

    # --- using one -------------------------------------------------------------------------
    def check(self) -> None:
        for path in (self.world_file, self.document_key, self.tls_ca, self.tls_server_cert,
                     self.tls_server_key, self.root / "pki" / "ca-cert.pem"):
            if not path.exists():
                raise DataDirError(f"{path} is missing: make the directory with "
                                   f"`kiosk center init {self.root}`")

    def center(self, clock: Clock, world_path: Path | None = None,
               store: str | None = None) -> ReferenceCenter:
        """The center this directory describes, on its shared state: ``store``'s URI
        (store.open_store), by default this directory's SQLite file."""
        self.check()
        try:
            key = serialization.load_pem_private_key(self.document_key.read_bytes(), None)
        except ValueError:
            raise DataDirError(f"{self.document_key} is not a PEM private key") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise DataDirError(f"{self.document_key} is not an Ed25519 key")
        world = load_world(world_path or self.world_file)
        pki = TestJPKI.load(self.root / "pki")
        scramble_key = load_scramble_key(self.root / "center")  # before a database is opened
        return ReferenceCenter(world, pki, CenterKeys(key), clock, open_store(store, self.state),
                               scramble_key=scramble_key)

    def validate(self, clock: Clock, world_path: Path | None = None,
                 store: str | None = None) -> World:
        """Make the center once, as each worker will, and close it again: DataDirError (one
        line, naming the file), WorldError or StoreError unless it can serve."""
        try:
            center = self.center(clock, world_path, store)
        except (DataDirError, WorldError):
            raise
        except (OSError, ValueError, sqlite3.Error) as exc:  # a key or a file that is broken
            where = getattr(exc, "filename", None) or self.root
            text = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
            raise DataDirError(f"{where}: cannot be used: {text}") from None
        center.store.close()
        return center.world


KIOSK_TOML = """\
# Kiosk {id} of the reference center (made by `kiosk center init`). Paths are relative to this
# file. Use it with `kiosk demo --config` or `kiosk replay --config`.
[kiosk]
id = "{id}"

[center]
uri = "https://127.0.0.1:{port}"
document_key = "../../center/document-key.pub.pem"

[center.transport]
cert = "client.pem"
key = "client-key.pem"
ca = "../../tls/ca.pem"

[emulator]      # the demo's and the harness's emulated cards: the center's world and test CA
world = "../../world.toml"
state = "../.."

[journal]
path = "journal.sqlite"

[printer]
uri = "spool:printed"
"""
