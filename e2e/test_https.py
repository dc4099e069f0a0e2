"""Gatehouse as a school runs it: gunicorn with DEBUG off behind nginx terminating TLS with the
shipped configuration (deploy/nginx/gatehouse.conf), a certificate from a locally made CA, and a
browser doing the everyday things over HTTPS."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import sign_in
from e2e.test_parents_group import _fill_join_form
from gatehouse.lib.testing import free_port, stop_processes
from gatehouse.schools import demo

PROJECT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is installed by make test")


def _write_key(key: Any, path: Path) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def _make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA, and a certificate it signs for localhost."""
    now = dt.datetime.now(dt.UTC)
    start, end = now - dt.timedelta(hours=1), now + dt.timedelta(days=2)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Gatehouse test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    _write_key(key, key_path)
    return ca_path, cert_path, key_path


def _nginx_config(folder: Path, socket_path: Path, http_port: int, https_port: int,
                  cert: Path, key: Path) -> Path:
    """The shipped site configuration with only addresses and paths changed."""
    site = (PROJECT / "deploy" / "nginx" / "gatehouse.conf").read_text()
    replacements = {
        "unix:/run/gatehouse/web.sock": f"unix:{socket_path}",
        "    listen [::]:80;\n": "", "    listen [::]:443 ssl http2;\n": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "https://$host$request_uri": f"https://$host:{https_port}$request_uri",
        "gatehouse.oakfield.sch.uk;": "localhost;",
        "/etc/letsencrypt/live/gatehouse.oakfield.sch.uk/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/gatehouse.oakfield.sch.uk/privkey.pem": str(key),
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx/gatehouse.conf no longer contains {old!r}"
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site)
    main = folder / "nginx.conf"
    # Test folders are private to the user running the tests, so nginx's workers run as that
    # user here; on a server they run as www-data, which the socket unit lets in.
    main.write_text(f"""daemon off;
user {getpass.getuser()};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{}}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    include {folder}/site.conf;
}}
""")
    return main


def _gatehouse_env(folder: Path, https_port: int) -> dict[str, str]:
    origin = f"https://localhost:{https_port}"
    return {
        **os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost", "CSRF_TRUSTED_ORIGINS": origin, "SITE_URL": origin,
        "DATABASE_URL": f"sqlite:///{folder}/gatehouse.sqlite3", "REDIS_URL": "",
        "CELERY_BROKER_URL": "", "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"), "PYTHONPATH": str(PROJECT / "src"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def _wait_until(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not start")


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _serves(port: int, ca: Path) -> bool:
    """gunicorn answers through nginx (its first request loads the moderation model)."""
    context = ssl.create_default_context(cafile=str(ca))
    try:
        return httpx.get(f"https://localhost:{port}/accounts/login/", verify=context,
                         timeout=60).status_code != 502
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def https_site(tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("https")
    ca, cert, key = _make_certificates(folder)
    http_port, https_port = free_port(), free_port()
    env = _gatehouse_env(folder, https_port)
    manage = [sys.executable, str(PROJECT / "manage.py")]
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput", "-v0"],
                    ["seed_demo"]):
        subprocess.run([*manage, *command], env=env, check=True, capture_output=True)
    sock = folder / "web.sock"
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "gatehouse.wsgi", "--bind",
         f"unix:{sock}", "--workers", "1", "--threads", "4", "--chdir", str(PROJECT / "src")],
        env=env, stdout=subprocess.DEVNULL, stderr=(folder / "gunicorn.log").open("wb"))
    nginx = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c",
         str(_nginx_config(folder, sock, http_port, https_port, cert, key))],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until(lambda: _answers(https_port), "nginx")
        _wait_until(lambda: _serves(https_port, ca), "gunicorn behind nginx", timeout=180)
        yield {"ca": ca, "http": f"http://localhost:{http_port}",
               "https": f"https://localhost:{https_port}"}
    finally:
        stop_processes(nginx, gunicorn)


def test_tls_is_verified_http_redirects_and_hsts_is_sent(https_site: dict[str, Any]) -> None:
    context = ssl.create_default_context(cafile=str(https_site["ca"]))
    with httpx.Client(verify=context, timeout=60) as client:
        page = client.get(f"{https_site['https']}/accounts/login/")
        assert page.status_code == 200
        hsts = page.headers["strict-transport-security"]
        assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
        assert page.headers["x-content-type-options"] == "nosniff"
        plain = client.get(f"{https_site['http']}/s/oakfield/?x=1")
        assert plain.status_code == 301
        assert plain.headers["location"] == f"{https_site['https']}/s/oakfield/?x=1"
    with pytest.raises(httpx.ConnectError):  # the certificate is trusted only through its CA
        httpx.get(f"{https_site['https']}/accounts/login/")


def test_joining_signing_in_commenting_and_moderating_work_over_https(
    https_site: dict[str, Any], browser: Browser
) -> None:
    def url(path: str) -> str:
        return f"{https_site['https']}{path}"

    phone = browser.new_context(ignore_https_errors=True, viewport={"width": 390, "height": 844})
    parent = phone.new_page()
    _join(parent, url)
    sign_in(parent, url, "parent@oakfield.example")
    first_post = parent.locator("article").first
    first_post.get_by_label("Write a comment").fill("I'll be waiting for Mr Patel at the gates")
    first_post.get_by_role("button", name="Send comment").click()
    expect(first_post.get_by_text("Awaiting review — only you can see this")).to_be_visible()
    _assert_cookies_are_secure(phone.cookies())

    desk = browser.new_context(ignore_https_errors=True)
    moderator: Page = desk.new_page()
    sign_in(moderator, url, "moderator@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    moderator.goto(url("/s/oakfield/staff/moderation/"))
    item = moderator.locator(".queue-item").filter(has_text="waiting for Mr Patel")
    item.focus()
    moderator.keyboard.press("h")  # an HTMX POST with the CSRF header, over HTTPS
    expect(moderator.get_by_text("Hidden and kept as evidence")).to_be_visible()
    moderator.goto(url("/s/oakfield/staff/photo-posts/new/"))
    expect(moderator.get_by_role("heading", level=1)).to_be_visible()
    _assert_cookies_are_secure(desk.cookies())


def _join(page: Page, url: Callable[[str], str]) -> None:
    page.goto(url("/s/oakfield/join/"))
    _fill_join_form(page, dob="1986-05-14")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name="your request has been sent")).to_be_visible()


def _assert_cookies_are_secure(cookies: list[Any]) -> None:
    names = {cookie["name"]: cookie for cookie in cookies}
    assert {"sessionid", "csrftoken"} <= set(names)
    for name in ("sessionid", "csrftoken"):
        assert names[name]["secure"] and names[name]["httpOnly"], names[name]
