"""Public lookup: the code is found whatever its case, and the result shows the stage (issue 13)."""

from django.core.cache import cache

from tests.dossiers.factories import DossierFactory


def test_lookup_finds_a_lower_case_code_and_shows_the_stage(client, office):
    dossier = DossierFactory(applicant=office["citizen"], version=office["version"])
    assert "H99" in dossier.code  # the agency part is upper case
    cache.clear()
    for typed in (dossier.code.lower(), f"  {dossier.code.swapcase()} "):
        response = client.get("/tra-cuu/", {"code": typed})
        assert response.status_code == 200, typed
        html = response.content.decode()
        assert dossier.code in html and 'id="lookup-stage"' in html
    assert '<li class="" aria-current="step">' in client.get(f"/tc/{dossier.code.lower()}").content.decode()


def test_lookup_stage_follows_the_path(office):
    from dossiers.selectors import public_lookup

    dossier = DossierFactory(
        state="in_processing", applicant=office["citizen"], version=office["version"], people=office
    )
    assert public_lookup(code=dossier.code.lower())["stage"] == 3
    submitted = DossierFactory(applicant=office["citizen"], version=office["version"])
    assert public_lookup(code=submitted.code)["stage"] == 1
    assert public_lookup(code="000.20.00.h99-260101-9999") is None
