"""Amounts in Vietnamese words, as printed on receipts and invoices ("Số tiền bằng chữ").

Rules (the usual accounting convention):

* the number is read in groups of three digits with the units ``nghìn`` and ``triệu``; everything from
  10^9 up is read recursively and followed by ``tỷ`` (so 10^12 is "một nghìn tỷ", 10^15 "một triệu tỷ");
* groups that are all zero are skipped together with their unit (200000 -> "hai trăm nghìn");
* the leading group is read without leading zeros (5 -> "năm", 15 -> "mười lăm"); any later non-zero
  group is read in full, with "không trăm" and "linh" (1005 -> "một nghìn không trăm linh năm");
* tens: 0 followed by a non-zero unit -> "linh", 1 -> "mười", 2-9 -> "<digit> mươi";
* units: 1 -> "mốt" after "<digit> mươi" (21 -> "hai mươi mốt", but 11 -> "mười một", 101 -> "một trăm linh một");
  5 -> "lăm" after "mười"/"mươi" (15, 25), "năm" elsewhere (105 -> "một trăm linh năm");
  4 is always "bốn" (never "tư");
* 0 -> "không"; the result is capitalised and ends with " đồng".
"""

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
BILLION = 10**9
GROUPS = ((10**6, "triệu"), (10**3, "nghìn"), (1, ""))


def _group(n: int, full: bool) -> list[str]:
    """Words for 1 <= n <= 999; ``full`` reads the zero hundreds and tens ("không trăm linh ...")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if full or hundreds:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 1 and tens >= 2:
        words.append("mốt")
    elif units == 5 and tens >= 1:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _words(n: int, full: bool) -> list[str]:
    """Words for n >= 1; ``full`` when a higher non-zero part precedes it."""
    words: list[str] = []
    if n >= BILLION:
        words += _words(n // BILLION, full) + ["tỷ"]
        n %= BILLION
        full = True
    for size, unit in GROUPS:
        group = n // size % 1000
        if group:
            words += _group(group, full)
            if unit:
                words.append(unit)
            full = True
    return words


def amount_in_words(amount: int) -> str:
    """A whole, non-negative number of đồng in Vietnamese words: 1250000 -> 'Một triệu hai trăm năm mươi nghìn đồng'."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError(f"amount must be a whole number of đồng, not {amount!r}")
    if amount < 0:
        raise ValueError(f"amount must not be negative: {amount}")
    words = _words(amount, False) if amount else [DIGITS[0]]
    text = " ".join(words + ["đồng"])
    return text[0].upper() + text[1:]
