"""Help pages per role (portal.help_pages): each renders in Vietnamese and English, and the menu
of each role links to its own page."""

import pytest

from portal.help_pages import PAGES, help_role_for
from tests.second_factor import staff_login

pytestmark = pytest.mark.django_db

URLS = {
    "cong-dan": "/huong-dan/",
    "mot-cua": "/huong-dan/mot-cua/",
    "chuyen-vien": "/huong-dan/chuyen-vien/",
    "lanh-dao": "/huong-dan/lanh-dao/",
    "quan-tri": "/huong-dan/quan-tri/",
}


def test_there_is_a_page_per_role():
    assert set(PAGES) == set(URLS)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("role", list(URLS))
def test_each_help_page_renders_in_both_languages(client, role, language):
    client.cookies["django_language"] = language
    page = client.get(URLS[role])
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<html lang="{language}"' in html
    assert f'id="help-{role}"' in html
    for url in URLS.values():  # every page links to the others
        assert f'href="{url}"' in html
    assert f'href="{URLS[role]}" aria-current="page"' in html


def test_english_wording(client):
    client.cookies["django_language"] = "en"
    html = client.get("/huong-dan/").content.decode()
    assert "Help for citizens" in html and "Answer a request for more documents" in html and "Pay the fee" in html
    desk = client.get("/huong-dan/mot-cua/").content.decode()
    assert "Receive (Form 01)" in desk and "Request a supplement (Form 02)" in desk


def test_unknown_role_and_the_citizen_slug_are_not_found(client):
    assert client.get("/huong-dan/ke-toan/").status_code == 404
    assert client.get("/huong-dan/cong-dan/").status_code == 404  # the citizen's page is /huong-dan/


def test_footer_links_to_the_citizen_help_for_everyone(client):
    html = client.get("/").content.decode()
    assert 'id="footer-help" href="/huong-dan/"' in html


def test_a_citizen_menu_links_to_the_citizen_help(client, office):
    client.force_login(office["citizen"])
    html = client.get("/").content.decode()
    assert 'id="menu-help" href="/huong-dan/"' in html


@pytest.mark.parametrize(
    ("member", "slug"), [("desk", "mot-cua"), ("specialist", "chuyen-vien"), ("leader", "lanh-dao")]
)
def test_each_officer_menu_links_to_their_role_help(client, office, member, slug):
    staff_login(client, office[member])
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert f'id="menu-help" href="/huong-dan/{slug}/"' in html
    assert "Help for my work" in html


def test_an_administrator_menu_links_to_the_admin_help(admin_client):
    html = admin_client.get("/").content.decode()
    assert 'id="menu-help" href="/huong-dan/quan-tri/"' in html


def test_role_order_for_someone_with_several_roles():
    assert help_role_for(roles={"leader", "receptionist"}, is_staff=True) == "mot-cua"
    assert help_role_for(roles={"leader"}, is_staff=False) == "lanh-dao"
    assert help_role_for(roles=set(), is_staff=True) == "quan-tri"
    assert help_role_for(roles=set(), is_staff=False) is None
