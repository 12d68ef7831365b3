"""The committed OpenAPI schema (openapi.yaml) is what the code generates: integrators and the
Schemathesis run read the file, so a change to the API must come with `make schema`."""

from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_is_up_to_date_and_valid(tmp_path):
    generated = tmp_path / "openapi.yaml"
    # --validate checks it against the OpenAPI 3 meta-schema; --fail-on-warn refuses endpoints
    # drf-spectacular could not describe.
    call_command("spectacular", "--file", str(generated), "--lang", "en", "--validate", "--fail-on-warn")
    committed = (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    assert generated.read_text(encoding="utf-8") == committed, "openapi.yaml is out of date: run `make schema`"


def test_swagger_ui_and_redoc_are_served_from_vendored_assets(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower() and "//" not in html.split("src=")[1][:3]
    # The init script is a file of its own (no inline script under the CSP), and it names the schema.
    script = client.get("/api/docs/", {"script": ""})
    assert script["Content-Type"].startswith("application/javascript") and "/api/schema/" in script.content.decode()
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/redoc/").status_code == 200
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
