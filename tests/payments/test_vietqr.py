"""VietQR (NAPAS 247) payloads for paying a dossier's fee (payments/vietqr.py)."""

import binascii
import re
import shutil
import struct
import subprocess
import zlib

import pytest

from payments.vietqr import crc16_ccitt, parse_tlv, vietqr_payload
from portal.pdf import qr_svg as vietqr_svg  # what the VietQR page draws the code with
from tests.conftest import _need

DOSSIER_CODE = "000.00.06.H56-250101-0001"  # 25 characters: the longest reference VietQR allows
ACCOUNT = dict(bank_bin="970415", account="0011001932418")


def f(tag: str, value: str) -> str:
    """One EMVCo field written out by hand, for building expected payloads independently."""
    return tag + str(len(value)).zfill(2) + value


def crc_ok(payload: str) -> bool:
    return payload[-8:-4] == "6304" and f"{crc16_ccitt(payload[:-4].encode('ascii')):04X}" == payload[-4:]


# CRC


def test_crc_check_value():
    assert crc16_ccitt(b"123456789") == 0x29B1


def test_crc_matches_the_standard_library_ccitt_false():
    # binascii.crc_hqx is the non-reflected 0x1021 CRC; with init 0xFFFF it is CCITT-FALSE.
    for data in (b"", b"A", b"6304", bytes(range(256)), DOSSIER_CODE.encode()):
        assert crc16_ccitt(data) == binascii.crc_hqx(data, 0xFFFF)


def test_crc_of_a_published_vietqr_sample():
    # Example from the subiz/vietqr README (produced by another implementation).
    sample = "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C"
    assert crc_ok(sample)
    assert parse_tlv(parse_tlv(parse_tlv(sample)["38"])["01"]) == {"00": "970415", "01": "0011001932418"}


# Payloads


def test_known_good_payload_built_by_hand():
    payload = vietqr_payload(
        **ACCOUNT, amount=150_000, reference=DOSSIER_CODE, merchant_name="Phường Đa Kao", city="Hồ Chí Minh"
    )
    expected_body = (
        "000201"
        "010212"
        "3857"
        "0010A000000727"
        "0127"
        "0006970415"
        "0113"
        "0011001932418"
        "0208QRIBFTTA"
        "5303704"
        "5406150000"
        "5802VN"
        "5913Phuong Da Kao"
        "6011Ho Chi Minh"
        "6229"
        "0825000.00.06.H56-250101-0001"
        "6304"
    )
    expected = expected_body + f"{binascii.crc_hqx(expected_body.encode(), 0xFFFF):04X}"
    assert payload == expected
    assert payload[-4:] == "5954"  # pinned, so a change in the CRC code cannot go unnoticed


def test_dynamic_payload_field_by_field():
    payload = vietqr_payload(**ACCOUNT, amount=1_250_000, reference=DOSSIER_CODE)
    top = parse_tlv(payload)
    assert list(top) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert top["00"] == "01"
    assert top["01"] == "12"
    assert top["53"] == "704"
    assert top["54"] == "1250000"
    assert top["58"] == "VN"

    napas = parse_tlv(top["38"])
    assert list(napas) == ["00", "01", "02"]
    assert napas["00"] == "A000000727"
    assert napas["02"] == "QRIBFTTA"
    assert parse_tlv(napas["01"]) == {"00": "970415", "01": "0011001932418"}

    assert parse_tlv(top["62"]) == {"08": DOSSIER_CODE}

    # Every declared length is the value's length, at every level (parse_tlv would have failed
    # otherwise); check the top level explicitly by re-encoding.
    assert "".join(f(tag, value) for tag, value in top.items()) == payload
    assert "".join(f(tag, value) for tag, value in napas.items()) == top["38"]

    assert len(top["63"]) == 4 and re.fullmatch(r"[0-9A-F]{4}", top["63"])
    assert payload.endswith("6304" + top["63"])
    assert crc_ok(payload)


def test_static_payload_has_no_amount():
    payload = vietqr_payload(**ACCOUNT, amount=None, reference=DOSSIER_CODE)
    top = parse_tlv(payload)
    assert top["01"] == "11"
    assert "54" not in top
    assert "59" not in top and "60" not in top
    assert crc_ok(payload)


def test_vietnamese_merchant_name_and_city_become_ascii():
    payload = vietqr_payload(
        **ACCOUNT,
        amount=50_000,
        reference="H56-250101-0001",
        merchant_name="UBND phường Đông Ba",
        city="Thừa Thiên Huế",
    )
    top = parse_tlv(payload)
    assert top["59"] == "UBND phuong Dong Ba"
    assert top["60"] == "Thua Thien Hue"
    assert payload.isascii()
    assert crc_ok(payload)


def test_long_merchant_name_and_city_are_cut_to_emvco_limits():
    top = parse_tlv(
        vietqr_payload(
            **ACCOUNT,
            amount=None,
            reference="X1",
            merchant_name="Ủy ban nhân dân thành phố Hồ Chí Minh",
            city="Thành phố Hồ Chí Minh",
        )
    )
    assert top["59"] == "Uy ban nhan dan thanh pho"  # 25
    assert top["60"] == "Thanh pho Ho Ch"  # 15


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bank_bin": "97041"}, "6 digits"),
        ({"bank_bin": "97041a"}, "6 digits"),
        ({"account": "0011-0019"}, "letters or digits"),
        ({"account": "1" * 20}, "letters or digits"),
        ({"amount": -1}, "positive"),
        ({"amount": 0}, "positive"),
        ({"amount": 10**13}, "13 digits"),
        ({"amount": 10.5}, "whole number"),
        ({"amount": True}, "whole number"),
        ({"reference": "H56 250101 0001"}, "may only contain"),
        ({"reference": "Hồ-sơ-1"}, "may only contain"),
        ({"reference": "000.00.06.H56-250101-00012"}, "at most 25"),
        ({"reference": ""}, "required"),
        ({"merchant_name": "Café ☕"}, "ASCII"),
    ],
)
def test_bad_inputs_raise_value_error(changes, message):
    kwargs = dict(**ACCOUNT, amount=100_000, reference=DOSSIER_CODE) | changes
    with pytest.raises(ValueError, match=message):
        vietqr_payload(**kwargs)


def test_largest_amount_is_accepted():
    assert parse_tlv(vietqr_payload(**ACCOUNT, amount=10**13 - 1, reference="X"))["54"] == "9" * 13


@pytest.mark.parametrize("bad", ["0", "000", "00020", "AB0201", "0005ab"])
def test_parse_tlv_rejects_malformed_data(bad):
    with pytest.raises(ValueError):
        parse_tlv(bad)


# The picture


def _svg_to_png(svg: str, path, zoom: int = 4) -> None:
    """Rasterize segno's inline SVG (one path of 1-module-thick horizontal strokes) to a
    greyscale PNG with the standard library only, so the test decodes the SVG itself."""
    width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))
    scale_match = re.search(r'transform="scale\(([\d.]+)\)"', svg)
    scale = float(scale_match.group(1)) if scale_match else 1.0
    size = round(width / scale)
    d = re.search(r' d="([^"]+)"', svg).group(1)
    rows = [bytearray(b"\xff" * size) for _ in range(size)]
    x = y = 0.0
    for command, args in re.findall(r"([A-Za-z])([^A-Za-z]*)", d):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":
            row = int(y)  # the stroke is centred on y + .5
            for col in range(int(x), int(x + numbers[0])):
                rows[row][col] = 0
            x += numbers[0]
        else:
            raise AssertionError(f"unexpected SVG path command {command!r}")
    raw = b"".join(b"\x00" + bytes(pixel for pixel in row for _ in range(zoom)) for row in rows for _ in range(zoom))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    side = size * zoom
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    path.write_bytes(png)


def test_svg_is_inline_markup():
    svg = vietqr_svg(vietqr_payload(**ACCOUNT, amount=None, reference="X1"))
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg


@pytest.mark.parametrize("amount", [150_000, None])
def test_svg_decodes_back_to_the_payload(tmp_path, amount):
    _need(shutil.which("zbarimg") is not None, "zbarimg (zbar-tools) is not installed")
    payload = vietqr_payload(
        **ACCOUNT, amount=amount, reference=DOSSIER_CODE, merchant_name="Phường Đa Kao", city="Hồ Chí Minh"
    )
    png = tmp_path / "vietqr.png"
    _svg_to_png(vietqr_svg(payload), png)
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip("\n") == payload
