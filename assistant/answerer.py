"""The assistant's answerer: pluggable (settings.ASSISTANT_ANSWERER, a dotted path to a class
with `answer(message, *, context) -> Answer`); the default is lexical retrieval over the published
catalogue (names, English names, descriptions, documents, fields, agencies), the admin's search
synonyms, FAQ entries and a small list of everyday words, with Vietnamese normalisation and typo
correction (procedures.search). Simple intents: documents, fee, time, place, status by code."""

import math
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from dossiers.selectors import public_lookup
from procedures.models import ProcedureVersion, SearchSynonym
from procedures.search import apply_synonyms, correct_tokens, normalize_search
from procedures.selectors import SYNONYMS_CACHE_KEY, VOCABULARY_SECONDS, published_versions

from .models import INDEX_CACHE_KEY, FaqEntry

# <agency code>-YYMMDD-NNNN (dossiers/codes.py); agency codes look like 000.20.00.H99.
DOSSIER_CODE = re.compile(r"\b([0-9a-z]{3}\.[0-9a-z]{2}\.[0-9a-z]{2}\.[a-z][0-9]{2}-\d{6}-\d{4})\b", re.IGNORECASE)

# Everyday words -> the catalogue's (normalized, longest first). General wording, not questions.
EVERYDAY_WORDS = {
    "moi sinh": "khai sinh",
    "sinh con": "khai sinh",
    "de con": "khai sinh",
    "em be": "khai sinh",
    "giay khai sinh": "khai sinh",
    "birth": "khai sinh",
    "passport": "ho chieu",
    "ho chieu": "ho chieu",
    "di nuoc ngoai": "ho chieu",
    "lay vo": "ket hon",
    "lay chong": "ket hon",
    "cuoi vo": "ket hon",
    "dam cuoi": "ket hon",
    "marriage": "ket hon",
    "marry": "ket hon",
    "qua doi": "khai tu",
    "mat": "khai tu",
    "chet": "khai tu",
    "death": "khai tu",
    "doc than": "tinh trang hon nhan",
    "ho khau": "thuong tru",
    "nhap khau": "thuong tru",
    "tam vang": "tam tru",
    "o tro": "tam tru",
    "thue nha": "tam tru",
    "bang lai": "giay phep lai xe",
    "bang lai xe": "giay phep lai xe",
    "driving licence": "giay phep lai xe",
    "driving license": "giay phep lai xe",
    "cong chung": "chung thuc",
    "cong chung ban sao": "chung thuc ban sao",
    "photo": "ban sao",
    "sao y": "chung thuc ban sao",
    "chu ky": "chung thuc chu ky",
    "xe may": "xe mo to xe gan may",
    "dang ky xe": "dang ky xe mo to",
    "bien so": "dang ky xe mo to",
    "so do": "giay chung nhan quyen su dung dat",
    "so hong": "giay chung nhan quyen su dung dat",
    "sang ten": "chuyen nhuong",
    "mua dat": "chuyen nhuong",
    "ban dat": "chuyen nhuong",
    "xay nha": "giay phep xay dung nha o rieng le",
    "mo cong ty": "thanh lap cong ty",
    "lap cong ty": "thanh lap cong ty",
    "mo quan": "thanh lap ho kinh doanh",
    "mo cua hang": "thanh lap ho kinh doanh",
    "ban hang": "ho kinh doanh",
    "ban ruou": "ban le ruou",
    "ly lich": "ly lich tu phap",
    "thcs": "trung hoc co so",
    "thpt": "trung hoc pho thong",
    "tnhh": "trach nhiem huu han",
    "nguoi gia": "nguoi cao tuoi",
    "ong ba gia": "nguoi cao tuoi",
    "bang cap 2": "bang tot nghiep trung hoc co so",
    "bang cap hai": "bang tot nghiep trung hoc co so",
    "mat bang": "ban sao van bang",
    "lam lai bang": "ban sao van bang",
    "huong dan vien": "the huong dan vien du lich",
    "tour guide": "the huong dan vien du lich",
    "nguoi nuoc ngoai": "nuoc ngoai",
    "work permit": "giay phep lao dong",
    "quan an": "an toan thuc pham",
    "nha hang": "an toan thuc pham",
    "bac si": "chung chi hanh nghe kham benh",
}

# Words that carry no topic (normalized), dropped after the intents are read. Those of
# AMBIGUOUS_WORDS are kept when they make a word pair of a procedure's name ('ban sao': bản sao,
# not bạn; 'chung chi': chứng chỉ, not chị; 'ban le': bán lẻ).
AMBIGUOUS_WORDS = frozenset("ban sao chi con em anh mat the hang".split())
STOP_WORDS = AMBIGUOUS_WORDS | frozenset(
    "lam o dau thu tuc can gi nao toi cua minh muon xin cho ve va co khong a oi nhe "
    "di den phai nhung nhu duoc voi khi nay roi la bi thi cai viec "
    "hoi tai giup chua may bao nhieu lau mang theo nop how to do i get a my where "
    "what need an for of in is".split()
)

INTENTS = {
    "documents": (
        "can mang",
        "mang gi",
        "giay to gi",
        "giay to can",
        "ho so gom",
        "can gi",
        "can nhung gi",
        "documents",
        "what to bring",
    ),
    "fee": (
        "le phi",
        "bao nhieu tien",
        "phi bao nhieu",
        "mat bao nhieu",
        "ton bao nhieu",
        "chi phi",
        "fee",
        "how much",
        "cost",
    ),
    "time": ("may ngay", "bao lau", "bao nhieu ngay", "thoi gian", "khi nao co", "how long"),
    "place": ("o dau", "nop o dau", "cho nao", "dia chi", "where"),
}

_INTENT_PHRASES = re.compile(
    r"(?<!\S)(?:"
    + "|".join(re.escape(p) for p in sorted({p for ps in INTENTS.values() for p in ps}, key=len, reverse=True))
    + r")(?!\S)"
)
FIELD_WEIGHTS = {"name": 3.0, "name_en": 2.0, "document": 1.0, "field": 1.0, "description": 0.6, "agency": 0.4}
INDEX_SECONDS = 300


@dataclass
class Answer:
    text: str
    procedures: list = field(default_factory=list)  # ProcedureVersion, best first
    handoff: bool = False
    intent: str = ""


@dataclass
class Context:
    last_procedure_code: str = ""
    language: str = "vi"


def get_answerer():
    return import_string(getattr(settings, "ASSISTANT_ANSWERER", "assistant.answerer.LexicalAnswerer"))()


def detect_intent(plain: str) -> str:
    padded = f" {plain} "
    for intent, phrases in INTENTS.items():
        if any(f" {p} " in padded for p in phrases):
            return intent
    return ""


def without_intents(plain: str) -> str:
    """The message without its intent phrases ('le phi', 'o dau'): the rest names the topic."""
    return " ".join(_INTENT_PHRASES.sub(" ", f" {plain} ").split())


def _bigrams(tokens):
    return {f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)}


def build_index():
    """Per published procedure: word -> best field weight, the name's word pairs; and the idf."""
    docs = []
    for version in published_versions().prefetch_related("documents"):
        weights: dict[str, float] = {}
        texts = [
            ("name", version.name),
            ("name_en", version.name_en),
            ("field", f"{version.field.name} {version.field.name_en}"),
            ("agency", version.agency.name),
            ("description", version.description),
        ] + [("document", f"{d.name} {d.name_en}") for d in version.documents.all()]
        for kind, text in texts:
            for token in normalize_search(text).split():
                weights[token] = max(weights.get(token, 0), FIELD_WEIGHTS[kind])
        name_tokens = normalize_search(version.name).split()
        docs.append({"pk": version.pk, "weights": weights, "pairs": _bigrams(name_tokens)})
    for faq in _faq_docs():
        docs.append(faq)
    df: dict[str, int] = {}
    for doc in docs:
        for token in doc["weights"]:
            df[token] = df.get(token, 0) + 1
    total = max(len(docs), 1)
    idf = {t: math.log(1 + total / n) for t, n in df.items()}
    pairs = set().union(*(doc["pairs"] for doc in docs)) if docs else set()
    return {"docs": docs, "idf": idf, "vocabulary": frozenset(idf), "pairs": pairs}


def _faq_docs():
    from .models import FaqEntry

    out = []
    for faq in FaqEntry.objects.filter(is_active=True).select_related("procedure"):
        tokens = [t for t in normalize_search(faq.question).split() if t not in STOP_WORDS]
        out.append({"faq": faq.pk, "weights": dict.fromkeys(tokens, 3.0), "pairs": _bigrams(tokens)})
    return out


def search_synonyms() -> dict[str, str]:
    """The admin's synonyms (SearchSynonym, cached under the catalogue search's key)."""
    synonyms = cache.get(SYNONYMS_CACHE_KEY)
    if synonyms is None:
        synonyms = dict(SearchSynonym.objects.values_list("search_term", "replacement"))
        cache.set(SYNONYMS_CACHE_KEY, synonyms, VOCABULARY_SECONDS)
    return {term: normalize_search(replacement) for term, replacement in synonyms.items()}


def catalogue_index():
    index = cache.get(INDEX_CACHE_KEY)
    if index is None:
        index = build_index()
        cache.set(INDEX_CACHE_KEY, index, INDEX_SECONDS)
    return index


def topic_tokens(plain: str, index) -> tuple[list[str], set[str]]:
    """The message's topic words (everyday words and synonyms replaced, stop words dropped unless
    they make a word pair of a procedure's name: 'ban sao', 'chung chi'), and the typo-corrected ones."""
    tokens = plain.split()
    tokens = apply_synonyms(tokens, EVERYDAY_WORDS)
    tokens = apply_synonyms(tokens, search_synonyms())
    pairs = index["pairs"]
    kept = [
        t
        for i, t in enumerate(tokens)
        if t not in STOP_WORDS
        or (
            t in AMBIGUOUS_WORDS
            and (
                (i > 0 and f"{tokens[i - 1]} {t}" in pairs) or (i + 1 < len(tokens) and f"{t} {tokens[i + 1]}" in pairs)
            )
        )
    ]
    corrected = correct_tokens(kept, index["vocabulary"])
    changed = {new for old, new in zip(kept, corrected, strict=True) if old != new}
    return list(dict.fromkeys(corrected)), changed


def rank(tokens: list[str], index, corrected: set[str] = frozenset()) -> list[tuple[float, dict]]:
    """Procedures (and FAQ entries) by score: the idf of the words they hold, by where they hold
    them, plus the name's word pairs. Only those holding more than half the words (a corrected
    word counts half) are kept: a message about something else shares a word or two at most."""
    idf, scored = index["idf"], []
    if not tokens:
        return scored
    pairs = _bigrams(tokens)
    for doc in index["docs"]:
        weights = doc["weights"]
        score = sum(weights.get(t, 0) * idf.get(t, 0) for t in tokens)
        if score <= 0:
            continue
        covered = sum((0.5 if t in corrected else 1.0) for t in tokens if t in weights)
        if covered / len(tokens) <= 0.5:
            continue
        scored.append((score + 2.0 * len(pairs & doc["pairs"]), doc))
    scored.sort(key=lambda item: -item[0])
    return scored


class LexicalAnswerer:
    threshold = 4.0  # below: declined (see bench/assistant.py)

    def answer(self, message: str, *, context: Context) -> Answer:

        match = DOSSIER_CODE.search(message)
        if match:
            return self.status_answer(match.group(1))
        plain = normalize_search(message)
        intent = detect_intent(plain)
        index = catalogue_index()
        tokens, corrected = topic_tokens(without_intents(plain), index)
        ranked = [(s, d) for s, d in rank(tokens, index, corrected) if s >= self.threshold]
        if not ranked and intent and context.last_procedure_code:
            version = published_versions().filter(procedure__code=context.last_procedure_code).first()
            if version is not None:
                return Answer(describe(version, intent), [version], intent=intent)
        if not ranked:
            return self.decline()
        best_score, best = ranked[0]
        if "faq" in best:
            faq = FaqEntry.objects.select_related("procedure").get(pk=best["faq"])
            versions = []
            if faq.procedure_id:
                versions = list(published_versions().filter(procedure=faq.procedure)[:1])
            return Answer(faq.answer, versions, intent=intent)
        pks = [d["pk"] for s, d in ranked if "pk" in d and s >= best_score * 0.5][:3]
        by_pk = ProcedureVersion.objects.select_related("procedure", "agency").in_bulk(pks)
        versions = [by_pk[pk] for pk in pks if pk in by_pk]
        return Answer(describe(versions[0], intent), versions, intent=intent)

    def status_answer(self, code: str) -> Answer:
        found = public_lookup(code=code)
        if found is None:
            return Answer(
                _("No dossier has the code %(code)s. Please check the code on your receipt.") % {"code": code}
            )
        return Answer(
            _("Dossier %(code)s (%(procedure)s): %(status)s.")
            % {"code": found["code"], "procedure": found["procedure_version__name"], "status": found["status_label"]},
            intent="status",
        )

    def decline(self) -> Answer:
        hotline = getattr(settings, "ASSISTANT_HOTLINE", "")
        text = _("Sorry, I could not find a procedure for this question.")
        if hotline:
            text += " " + _("Please call the hotline %(hotline)s or ask an officer.") % {"hotline": hotline}
        else:
            text += " " + _("Please ask an officer.")
        return Answer(text, handoff=True)


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def describe(version, intent: str) -> str:
    """The answer about one procedure, for the intent asked (all of it when none)."""
    name = version.display_name
    if intent == "documents":
        docs = "; ".join(d.display_name for d in version.documents.all())
        return _("%(name)s: please bring %(documents)s.") % {"name": name, "documents": docs or "—"}
    if intent == "fee":
        fees = list(version.fees.all())
        if not fees or all(f.amount == 0 for f in fees):
            return _("%(name)s: no fee.") % {"name": name}
        listed = "; ".join(f"{f.name}: {_money(f.amount)}" for f in fees)
        return _("%(name)s: fees %(fees)s.") % {"name": name, "fees": listed}
    if intent == "time":
        if not version.processing_days:
            return _("%(name)s: the result is given the same day.") % {"name": name}
        return _("%(name)s: %(days)s working days.") % {"name": name, "days": version.processing_days}
    agency = version.agency
    place = _("%(name)s: submit at %(agency)s, %(address)s (%(hours)s).") % {
        "name": name,
        "agency": agency.display_name,
        "address": agency.address or "—",
        "hours": agency.opening_hours or "—",
    }
    if intent == "place":
        return place
    text = _("The procedure that fits: %(name)s.") % {"name": name}
    if version.service_level == "full":
        text += " " + _("You can submit it online.")
    return text + " " + place
