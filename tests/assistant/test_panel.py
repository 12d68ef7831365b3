"""The assistant's panel on the home page, the catalogue and a procedure page (no inline script)."""

import pytest
from django.core.cache import cache

from procedures.catalogue_io import import_catalogue

from .test_accuracy import DEMO_CATALOGUE


@pytest.fixture
def catalogue(db):
    cache.clear()
    import_catalogue(DEMO_CATALOGUE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("url", ["/", "/thu-tuc/", "/thu-tuc/1.001193/"])
def test_panel_is_on_the_public_pages(client, catalogue, url):
    client.cookies["django_language"] = "en"
    html = client.get(url).content.decode()
    assert 'id="assistant-toggle"' in html and 'aria-controls="assistant-panel"' in html
    assert 'role="log" aria-live="polite"' in html
    assert '<label class="assistant__label" for="assistant-input">Your question</label>' in html
    assert 'data-endpoint="/api/v1/assistant/"' in html
    assert "js/assistant.js" in html and "onclick" not in html
    assert ">Ask a question</button>" in html


def test_panel_is_not_on_other_pages(client, catalogue):
    response = client.get("/tra-cuu/")
    assert response.status_code == 200
    assert 'id="assistant-panel"' not in response.content.decode()
