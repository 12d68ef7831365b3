"""A desk with two queues (A: civil status, B: land) and three counters."""

from tickets.models import Counter, CounterGroup


def desk_queues(agency):
    a = CounterGroup.objects.create(agency=agency, code="ho-tich", name="Hộ tịch", letter="A", position=1)
    b = CounterGroup.objects.create(agency=agency, code="dat-dai", name="Đất đai", letter="B", position=2)
    one = Counter.objects.create(agency=agency, number=1)
    one.groups.set([a, b])
    two = Counter.objects.create(agency=agency, number=2)
    two.groups.set([a])
    three = Counter.objects.create(agency=agency, number=3)
    three.groups.set([b])
    return {"a": a, "b": b, "one": one, "two": two, "three": three}
