"""import_catalogue: all or nothing, idempotent, errors with line and field."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from procedures.catalogue_io import CatalogueError, export_catalogue, import_catalogue
from procedures.constants import VersionStatus
from procedures.models import Agency, Field, Procedure, ProcedureVersion

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "fixtures" / "catalogue.json"


def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def counts():
    return (Field.objects.count(), Agency.objects.count(), Procedure.objects.count(), ProcedureVersion.objects.count())


def test_import_sample_then_again_changes_nothing(capsys):
    call_command("import_catalogue", str(SAMPLE))
    first = counts()
    assert first == (19, 17, 31, 31)
    assert ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 31
    call_command("import_catalogue", str(SAMPLE))
    assert counts() == first
    assert "31 unchanged" in capsys.readouterr().out


def test_tiers_and_tree_are_imported():
    import_catalogue(SAMPLE.read_text(encoding="utf-8"))
    fee = ProcedureVersion.objects.get(procedure__code="2.000815").fees.get()
    assert (fee.unit, fee.amount, fee.tier_after, fee.tier_amount, fee.cap) == ("page", 2000, 2, 1000, 200000)
    assert fee.amount_for(5) == 2 * 2000 + 3 * 1000
    assert fee.amount_for(500) == 200000
    police = Agency.objects.get(code="000.21.19.H99")
    assert police.parent.code == "000.21.00.H99" and police.parent.parent.code == "000.00.00.H99"


def test_changed_procedure_gets_a_new_published_version():
    data = sample()
    import_catalogue(json.dumps(data))
    data["procedures"][0]["processing_working_days"] = 1
    report = import_catalogue(json.dumps(data))
    assert (report.procedures_updated, report.procedures_unchanged) == (1, 30)
    code = data["procedures"][0]["code"]
    versions = ProcedureVersion.objects.filter(procedure__code=code).order_by("number")
    assert [(v.number, v.status, v.processing_days) for v in versions] == [
        (1, "archived", 0),
        (2, "published", 1),
    ]


def test_export_round_trips():
    import_catalogue(SAMPLE.read_text(encoding="utf-8"))
    report = import_catalogue(json.dumps(export_catalogue()))
    assert not report.changed and report.procedures_unchanged == 31


def test_malformed_file_is_rejected_whole_with_line_and_field(tmp_path):
    data = sample()
    data["fields"].append({"code": "NEW", "name": "Lĩnh vực mới"})  # valid, must not be imported
    data["procedures"][3]["fees"][0]["amount"] = "mười nghìn"
    data["procedures"][8]["form"][0]["type"] = "dat"
    bad = tmp_path / "bad.json"
    text = json.dumps(data, ensure_ascii=False, indent=1)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_catalogue", str(bad))
    message = str(error.value)
    code3 = data["procedures"][3]["code"]
    assert f"$.procedures[3] ({code3}).fees[0].amount: must be a whole number" in message
    assert "procedures[8]" in message and "“dat”" in message
    fee_line = next(i for i, line in enumerate(text.splitlines(), 1) if "mười nghìn" in line)
    assert f"line {fee_line - 2}," in message  # the line where that fee's object opens
    assert counts() == (0, 0, 0, 0)


def test_broken_json_names_line_and_column():
    with pytest.raises(CatalogueError) as error:
        import_catalogue('{\n "fields": [\n  {"code": "HT",, }\n ]\n}')
    assert error.value.problems[0].startswith("line 3, column")


def test_unknown_references_are_reported():
    data = sample()
    data["procedures"][0]["agency"] = "999.99.99.X00"
    data["agencies"][2]["parent"] = "nowhere"
    with pytest.raises(CatalogueError) as error:
        import_catalogue(json.dumps(data))
    text = "\n".join(error.value.problems)
    assert "unknown agency '999.99.99.X00'" in text and "unknown agency 'nowhere'" in text


def test_a_draft_in_progress_blocks_the_import_of_that_procedure():
    from procedures.services import procedure_draft_create

    import_catalogue(SAMPLE.read_text(encoding="utf-8"))
    procedure_draft_create(procedure=Procedure.objects.get(code="1.001193"))
    data = sample()
    data["procedures"][0]["processing_working_days"] = 2
    data["procedures"][1]["processing_working_days"] = 9
    with pytest.raises(CatalogueError, match="unpublished draft"):
        import_catalogue(json.dumps(data))
    # Nothing of the file was applied, not even the procedure without a draft.
    assert ProcedureVersion.objects.get(procedure__code=data["procedures"][1]["code"], status="published").number == 1
