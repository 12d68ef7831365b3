"""The first synonyms of the catalogue search: words citizens use for the catalogue's names.
Admins edit them afterwards (Procedures > Search synonyms)."""

from django.db import migrations

SYNONYMS = [
    ("hộ khẩu", "thường trú"),
    ("nhập hộ khẩu", "đăng ký thường trú"),
    ("bằng lái", "giấy phép lái xe"),
    ("bằng lái xe", "giấy phép lái xe"),
    ("sổ đỏ", "giấy chứng nhận quyền sử dụng đất"),
    ("sổ hồng", "giấy chứng nhận quyền sử dụng đất"),
    ("passport", "hộ chiếu"),
    ("giấy khai sinh", "khai sinh"),
    ("giấy đăng ký kết hôn", "kết hôn"),
    ("giấy chứng tử", "khai tử"),
    ("công chứng", "chứng thực"),
    ("lý lịch", "lý lịch tư pháp"),
    ("đăng ký xe máy", "đăng ký xe mô tô xe gắn máy"),
    ("xe máy", "xe mô tô xe gắn máy"),
    ("làm", ""),
    ("xin", ""),
    ("thủ tục", ""),
]


def seed(apps, schema_editor):
    from procedures.search import normalize_search

    SearchSynonym = apps.get_model("procedures", "SearchSynonym")
    for term, replacement in SYNONYMS:
        SearchSynonym.objects.get_or_create(
            search_term=normalize_search(term), defaults={"term": term, "replacement": replacement}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0003_search_synonyms"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
