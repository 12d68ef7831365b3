"""Private files on S3-compatible object storage: a real s3rver (tests/s3.py) that checks every
request's signature. Uploads land in the bucket, downloads still pass the access check first and
then stream or redirect to a short presigned URL, and local files move over with their hashes checked."""

import hashlib
import io
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.urls import reverse

from dossiers import services
from tests.s3 import ACCESS_KEY, BUCKET, SECRET_KEY, s3_storage_settings

from .factories import PDF_BYTES, CitizenFactory, birth_procedure, pdf_upload

pytestmark = pytest.mark.django_db


def bucket_client(endpoint, secret=SECRET_KEY):
    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=secret, region_name="us-east-1"
    )


def bucket_bytes(endpoint, key):
    return bucket_client(endpoint).get_object(Bucket=BUCKET, Key=key)["Body"].read()


@pytest.fixture
def attached(s3_storage):
    citizen = CitizenFactory()
    draft = services.dossier_draft_start(applicant=citizen, version=birth_procedure())
    content = PDF_BYTES + b"%" + hashlib.sha256(str(draft.pk).encode()).hexdigest().encode() + b"\n"
    attachment = services.dossier_attach(
        dossier=draft, requirement_id="other", upload=pdf_upload("Giấy chứng sinh.pdf", content)
    )
    return citizen, attachment, content


def test_the_server_refuses_wrong_credentials(s3_endpoint):
    """A test against s3rver can fail on credentials: an unknown key id, a presigned URL signed with
    the wrong secret or altered after signing."""
    with pytest.raises(ClientError) as error:
        boto3.client(
            "s3",
            endpoint_url=s3_endpoint,
            aws_access_key_id="NOT-OURS",
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        ).put_object(Bucket=BUCKET, Key="x", Body=b"x")
    assert error.value.response["Error"]["Code"] == "InvalidAccessKeyId"
    bucket_client(s3_endpoint).put_object(Bucket=BUCKET, Key="probe", Body=b"probe")
    signed = presigned(s3_endpoint, "probe", SECRET_KEY)
    with urllib.request.urlopen(signed) as response:  # noqa: S310 - the test's own s3rver
        assert response.read() == b"probe"
    for url in (presigned(s3_endpoint, "probe", "not-the-secret"), signed.replace("probe?", "probe2?")):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url)  # noqa: S310
        assert refused.value.code == 403


def presigned(endpoint, key, secret):
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=secret,
        region_name="us-east-1",
        config=Config(signature_version="s3", s3={"addressing_style": "path"}),
    )
    return client.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=300)


def test_an_upload_is_stored_in_the_bucket_with_its_hash(attached, s3_endpoint):
    _citizen, attachment, content = attached
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert bucket_bytes(s3_endpoint, attachment.file.name) == content


def test_downloads_check_the_reader_then_stream_from_the_bucket(attached, client):
    citizen, attachment, content = attached
    url = reverse("dossiers:attachment", args=[attachment.public_id])
    client.force_login(CitizenFactory())
    assert client.get(url).status_code == 404  # someone else's file: as if it did not exist
    client.force_login(citizen)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == content
    assert "no-store" in response["Cache-Control"]


def test_with_redirects_the_download_is_a_presigned_url_of_a_few_minutes(attached, client, settings, s3_endpoint):
    citizen, attachment, content = attached
    # Version 2 presigned URLs, whose signature s3rver checks in full (see tests/s3.py).
    settings.STORAGES = {**settings.STORAGES, "private": s3_storage_settings(s3_endpoint, signature_version="s3")}
    settings.PRIVATE_STORAGE_REDIRECT = True
    url = reverse("dossiers:attachment", args=[attachment.public_id])
    client.force_login(CitizenFactory())
    assert client.get(url).status_code == 404  # the check comes before any URL is made
    client.force_login(citizen)
    response = client.get(url)
    assert response.status_code == 302 and "no-store" in response["Cache-Control"]
    location = response["Location"]
    assert location.startswith(s3_endpoint) and "Signature=" in location
    expires = int(parse_qs(urlsplit(location).query)["Expires"][0])
    assert 0 < expires - time.time() <= 300
    with urllib.request.urlopen(location) as download:  # noqa: S310 - the test's own s3rver
        assert download.read() == content
        assert download.headers["Content-Disposition"].startswith("attachment")
    later = location.replace(f"Expires={expires}", f"Expires={expires + 86400}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(later)  # noqa: S310 - a longer life than signed: refused
    assert refused.value.code == 403


def test_local_files_are_copied_to_the_bucket_and_checked(s3_storage, s3_endpoint, tmp_path):
    local = FileSystemStorage(location=tmp_path)
    files = {
        "dossiers/a1/giay-chung-sinh.pdf": PDF_BYTES,
        "documents/2026/11/form01-H99.pdf": PDF_BYTES + b"% form 01\n",
        "receipts/2026/BL-0001.pdf": b"%PDF-1.7\n% receipt\n%%EOF\n",
    }
    for name, content in files.items():
        local.save(name, ContentFile(content))
    out = io.StringIO()
    call_command("copy_private_files", source=str(tmp_path), stdout=out)
    assert "copied 3, already there 0, failed 0" in out.getvalue()
    for name, content in files.items():
        assert bucket_bytes(s3_endpoint, name) == content
    out = io.StringIO()
    call_command("copy_private_files", source=str(tmp_path), stdout=out)  # again: nothing to do
    assert "copied 0, already there 3, failed 0" in out.getvalue()
    # A bucket object with other bytes under the same name is reported, never overwritten.
    bucket_client(s3_endpoint).put_object(Bucket=BUCKET, Key="receipts/2026/BL-0001.pdf", Body=b"other bytes")
    with pytest.raises(CommandError, match="1 file"):
        call_command("copy_private_files", source=str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    assert bucket_bytes(s3_endpoint, "receipts/2026/BL-0001.pdf") == b"other bytes"


def test_the_copy_refuses_without_object_storage(tmp_path):
    with pytest.raises(CommandError, match="PRIVATE_STORAGE_BUCKET"):
        call_command("copy_private_files", source=str(tmp_path))
