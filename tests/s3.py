"""Start a private S3-compatible server for tests and benchmarks: s3rver (npm), which keeps objects
on disk. What it checks (s3rver 3.7.1, lib/middleware/authentication.js): the access key id of
every request, and the whole signature of Signature Version 2 requests, presigned URLs included;
a Version 4 signature's calculation is not implemented there, so tests that must see a wrong
signature refused use Version 2 presigned URLs (signature_version "s3").

Found at S3RVER_BIN (CI installs it), on the PATH, or under var/tools/ (`npm install --prefix
var/tools s3rver@3.7.1`)."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

# s3rver's built-in credentials (any other pair gets InvalidAccessKeyId / SignatureDoesNotMatch).
ACCESS_KEY = "S3RVER"
SECRET_KEY = "S3RVER"
BUCKET = "motcua-test"


def s3rver_bin() -> str | None:
    candidates = [
        os.environ.get("S3RVER_BIN"),
        shutil.which("s3rver"),
        str(Path(__file__).resolve().parents[1] / "var" / "tools" / "node_modules" / ".bin" / "s3rver"),
    ]
    return next((c for c in candidates if c and Path(c).exists()), None) if shutil.which("node") else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_s3rver(home: Path, bucket: str = BUCKET) -> tuple[subprocess.Popen, str | None]:
    """Start s3rver storing under `home` with `bucket` made; the endpoint URL, or None if it did not
    answer within 30 s."""
    port = _free_port()
    process = subprocess.Popen(
        [
            s3rver_bin(),
            "-d",
            str(home),
            "-a",
            "127.0.0.1",
            "-p",
            str(port),
            "--silent",
            "--no-vhost-buckets",
            "--configure-bucket",
            bucket,
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    return process, None


def stop_s3rver(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def s3_storage_settings(
    endpoint: str, *, bucket: str = BUCKET, secret: str = SECRET_KEY, signature_version: str = "s3v4"
) -> dict:
    """The STORAGES["private"] entry portal/settings/base.py makes for these values."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "access_key": ACCESS_KEY,
            "secret_key": secret,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "signature_version": signature_version,
            "addressing_style": "path",
        },
    }
