"""Benchmark: the catalogue assistant on tests/assistant/questions.json over the demo catalogue.

Prints top-1 and top-3 accuracy, off-topic questions declined, p95 time per answer and the misses.
Goal (issue 15): top-1 >= 90 %, top-3 >= 97 %, every off-topic question declined, p95 < 100 ms.
Runs on a throw-away SQLite database (migrated, the demo catalogue imported); the answerer is the
one settings.ASSISTANT_ANSWERER names.
Usage: .venv/bin/python bench/assistant.py
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
os.environ["DJANGO_DEBUG"] = "false"
DB = Path(tempfile.mkdtemp(prefix="motcua-bench-assistant-")) / "db.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.pop("REDIS_URL", None)


def main():
    import django

    django.setup()
    from django.core.management import call_command

    from procedures.catalogue_io import import_catalogue
    from tests.assistant.evaluation import evaluate, load

    call_command("migrate", verbosity=0)
    import_catalogue((ROOT / "procedures" / "fixtures" / "catalogue.json").read_text(encoding="utf-8"))
    questions, off_topic = load()
    evaluate(questions[:3], [])  # warm the index cache
    result = evaluate(questions, off_topic)
    print(f"questions: {result['questions']}, off-topic: {result['off_topic']}")
    print(f"top-1: {result['top1']:.1%}  top-3: {result['top3']:.1%}")
    print(f"off-topic declined: {result['declined']}/{result['off_topic']}")
    print(f"p95: {result['p95_ms']:.1f} ms")
    for question, expected, got in result["misses"]:
        print(f"  miss: {question!r}: expected {expected}, got {got}")
    for question, got in result["accepted_off_topic"]:
        print(f"  off-topic answered: {question!r}: {got}")


if __name__ == "__main__":
    main()
