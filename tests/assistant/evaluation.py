"""The assistant measured on tests/assistant/questions.json (shared by the test and the bench)."""

import json
import time
from pathlib import Path

QUESTIONS = Path(__file__).resolve().parent / "questions.json"


def load(fixed_only: bool = False):
    data = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    questions, off_topic = data["questions"], data["off_topic"]
    if fixed_only:
        questions = [q for q in questions if q.get("fixed")]
        off_topic = [q for q in off_topic if q.get("fixed")]
    return questions, off_topic


def evaluate(questions, off_topic) -> dict:
    from assistant.answerer import Context, get_answerer

    answerer = get_answerer()
    times, top1, top3, misses, declined, accepted = [], 0, 0, [], 0, []
    for item in questions:
        start = time.perf_counter()
        answer = answerer.answer(item["q"], context=Context())
        times.append(time.perf_counter() - start)
        codes = [v.procedure.code for v in answer.procedures]
        top1 += codes[:1] == [item["code"]]
        top3 += item["code"] in codes[:3]
        if codes[:1] != [item["code"]]:
            misses.append((item["q"], item["code"], codes))
    for item in off_topic:
        start = time.perf_counter()
        answer = answerer.answer(item["q"], context=Context())
        times.append(time.perf_counter() - start)
        if answer.handoff and not answer.procedures:
            declined += 1
        else:
            accepted.append((item["q"], [v.procedure.code for v in answer.procedures]))
    times.sort()
    return {
        "questions": len(questions),
        "top1": top1 / max(len(questions), 1),
        "top3": top3 / max(len(questions), 1),
        "off_topic": len(off_topic),
        "declined": declined,
        "p95_ms": 1000 * times[int(0.95 * (len(times) - 1))] if times else 0,
        "misses": misses,
        "accepted_off_topic": accepted,
    }
