"""``meter-station serve`` arguments, and mutual TLS between the marketing side and the station.

Bad arguments end with one line on stderr and exit 2, before anything listens. With
``--tls-client-ca`` the station serves HTTPS and refuses a client without a certificate
signed by that CA during the handshake; the token is still required on top.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from meter_link.security import generate_master_key, write_key_file
from meter_link.station.cli import main
from tests.fixtures.station import MeterSimProcess, StationProcess


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "master.key"
    write_key_file(path, generate_master_key())
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--token-file": "missing.token"}, "cannot read token file"),
        ({"--token-file": "empty.token"}, "is empty"),
        ({"--db": "mysql://nowhere/db"}, "scheme must be sqlite"),
        ({"--link": None}, "at least one --link"),
        ({"--meter-map": "not-json.json"}, "meter map"),
        ({"--tls-cert": "cert.pem"}, "--tls-cert and --tls-key go together"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    tmp_path: Path,
    key_file: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, str | None],
    message: str,
) -> None:
    (tmp_path / "good.token").write_text("a-token\n")
    (tmp_path / "empty.token").write_text("\n")
    (tmp_path / "not-json.json").write_text("{nope")
    options: dict[str, str | None] = {
        "--port": "0",
        "--db": f"sqlite:///{tmp_path / 'station.db'}",
        "--token-file": "good.token",
        "--key-file": str(key_file),
        "--link": "socket://127.0.0.1:9",
    }
    options.update(change)
    argv = ["serve"]
    for flag, value in options.items():
        if value is None:
            continue
        if flag in ("--token-file", "--meter-map", "--tls-cert"):
            value = str(tmp_path / value)
        argv += [flag, value]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("meter-station: ") and message in err


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _issue(
    subject: str,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
    *,
    ca: bool = False,
    ip: str | None = None,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    issuer_name, issuer_key = issuer or (_name(subject), key)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ip is not None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256()), key


def _write(path: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Path:
    path.with_suffix(".key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def test_mutual_tls_needs_a_client_certificate_and_the_token(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
    tmp_path: Path,
) -> None:
    ca_cert, ca_key = _issue("test hall CA", None, ca=True)
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    server = _write(
        tmp_path / "station.pem", *_issue("station", (ca_cert.subject, ca_key), ip="127.0.0.1")
    )
    client = _write(tmp_path / "counter.pem", *_issue("counter", (ca_cert.subject, ca_key)))
    stranger_ca = _issue("another CA", None, ca=True)
    stranger = _write(
        tmp_path / "stranger.pem", *_issue("stranger", (stranger_ca[0].subject, stranger_ca[1]))
    )

    sim = meter_sim_factory(meters=1)
    station = station_factory(
        links=[sim.url],
        key_file=sim.key_file,
        extra=[
            "--tls-cert",
            str(server),
            "--tls-key",
            str(server.with_suffix(".key")),
            "--tls-client-ca",
            str(ca_file),
        ],
    )
    assert station.url.startswith("https://")

    def context(cert: Path | None) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(ca_file))
        if cert is not None:
            ctx.load_cert_chain(str(cert), str(cert.with_suffix(".key")))
        return ctx

    auth = {"Authorization": f"Bearer {station.token}"}
    with httpx.Client(base_url=station.url, verify=context(client), timeout=10) as api:
        assert api.get("/health").json()["status"] == "ok"
        assert api.get("/results", headers=auth).status_code == 200
        assert api.get("/results").status_code == 401  # the certificate alone is not enough
    for cert in (None, stranger):
        with (
            httpx.Client(base_url=station.url, verify=context(cert), timeout=10) as api,
            pytest.raises((httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)),
        ):
            api.get("/results", headers=auth)
