import pytest

from payments.words import amount_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (1, "Một đồng"),
        (4, "Bốn đồng"),
        (5, "Năm đồng"),
        (10, "Mười đồng"),
        (11, "Mười một đồng"),
        (14, "Mười bốn đồng"),
        (15, "Mười lăm đồng"),
        (20, "Hai mươi đồng"),
        (21, "Hai mươi mốt đồng"),
        (24, "Hai mươi bốn đồng"),
        (25, "Hai mươi lăm đồng"),
        (55, "Năm mươi lăm đồng"),
        (100, "Một trăm đồng"),
        (101, "Một trăm linh một đồng"),
        (104, "Một trăm linh bốn đồng"),
        (105, "Một trăm linh năm đồng"),
        (110, "Một trăm mười đồng"),
        (111, "Một trăm mười một đồng"),
        (115, "Một trăm mười lăm đồng"),
        (121, "Một trăm hai mươi mốt đồng"),
        (1000, "Một nghìn đồng"),
        (1001, "Một nghìn không trăm linh một đồng"),
        (1005, "Một nghìn không trăm linh năm đồng"),
        (1010, "Một nghìn không trăm mười đồng"),
        (1021, "Một nghìn không trăm hai mươi mốt đồng"),
        (1100, "Một nghìn một trăm đồng"),
        (10000, "Mười nghìn đồng"),
        (15000, "Mười lăm nghìn đồng"),
        (21000, "Hai mươi mốt nghìn đồng"),
        (100000, "Một trăm nghìn đồng"),
        (200000, "Hai trăm nghìn đồng"),
        (1000000, "Một triệu đồng"),
        (1000005, "Một triệu không trăm linh năm đồng"),
        (1001000, "Một triệu không trăm linh một nghìn đồng"),
        (1250000, "Một triệu hai trăm năm mươi nghìn đồng"),
        (12345678, "Mười hai triệu ba trăm bốn mươi lăm nghìn sáu trăm bảy mươi tám đồng"),
        (
            999999999,
            "Chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín đồng",
        ),
        (1000000001, "Một tỷ không trăm linh một đồng"),
        (1005000000, "Một tỷ không trăm linh năm triệu đồng"),
        (2000000000, "Hai tỷ đồng"),
        (21000000000, "Hai mươi mốt tỷ đồng"),
        (10**12, "Một nghìn tỷ đồng"),
        (10**12 + 5 * 10**9, "Một nghìn không trăm linh năm tỷ đồng"),
        (10**15, "Một triệu tỷ đồng"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(amount) == words


@pytest.mark.parametrize("amount", [-1, 1.5, 1.0, "100", None, True])
def test_rejects_non_whole_or_negative(amount):
    with pytest.raises(ValueError):
        amount_in_words(amount)
