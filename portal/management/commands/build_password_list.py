"""Rebuild portal/common-passwords.txt.gz: Django's list plus Vietnamese favourites.

The Vietnamese part is words people here choose (matkhau, anhyeuem, hanoi...) with the endings
they add (digits, years, @123, !). CommonPasswordValidator lowercases before looking up, so the
list is lowercase. Run it again after changing the words; the file is committed.
"""

import gzip
from pathlib import Path

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.management.base import BaseCommand

WORDS = [
    "matkhau",
    "matkhaumoi",
    "matkhaucuatoi",
    "khongcomatkhau",
    "anhyeuem",
    "emyeuanh",
    "yeuem",
    "yeuanh",
    "anhyeu",
    "emyeu",
    "iloveyou",
    "iloveu",
    "teamo",
    "vietnam",
    "vietnamese",
    "hanoi",
    "saigon",
    "hochiminh",
    "tphcm",
    "danang",
    "haiphong",
    "cantho",
    "nhatrang",
    "dalat",
    "hue",
    "vungtau",
    "quangninh",
    "nghean",
    "thanhhoa",
    "conyeu",
    "concung",
    "baby",
    "honey",
    "princess",
    "dragon",
    "monkey",
    "football",
    "bongda",
    "manutd",
    "chelsea",
    "arsenal",
    "liverpool",
    "barcelona",
    "realmadrid",
    "messi",
    "ronaldo",
    "nguyen",
    "tran",
    "le",
    "pham",
    "hoang",
    "huynh",
    "phan",
    "vu",
    "vo",
    "dang",
    "bui",
    "do",
    "ho",
    "ngo",
    "duong",
    "ly",
    "minh",
    "anh",
    "linh",
    "trang",
    "huong",
    "thao",
    "ngoc",
    "hoa",
    "lan",
    "mai",
    "tuan",
    "hung",
    "dung",
    "nam",
    "long",
    "quang",
    "thanh",
    "thuy",
    "phuong",
    "hieu",
    "trung",
    "duc",
    "khanh",
    "viet",
    "hai",
    "son",
    "tien",
    "admin",
    "administrator",
    "password",
    "passw0rd",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "abc",
    "abcd",
    "abcdef",
    "abcxyz",
    "xinchao",
    "chaoban",
    "hello",
    "welcome",
    "dichvucong",
    "congdan",
    "canbo",
    "ubnd",
    "tinhuy",
    "motcuadientu",
    "zalo",
    "facebook",
    "google",
    "gmail",
    "yahoo",
    "123456",
    "1234567890",
    "0123456789",
    "987654321",
    "147258369",
    "159357",
    "112233",
    "111111",
    "000000",
    "888888",
    "666666",
    "999999",
    "123123",
    "654321",
    "1q2w3e4r",
    "1qaz2wsx",
    "a123456",
    "aa123456",
    "abc123",
]
ENDINGS = (
    [""]
    + [str(n) for n in range(1000)]
    + [f"{n:02d}" for n in range(100)]
    + [str(year) for year in range(1950, 2036)]
    + [f"@{e}" for e in ("123", "1234", "12345", "123456", "2024", "2025", "2026", "2027")]
    + ["!", "!!", "@", "#", "123!", "@123!", "1!", "2026!", "2025!"]
)


class Command(BaseCommand):
    help = "Rebuild portal/common-passwords.txt.gz (Django's common passwords plus Vietnamese ones)."

    def handle(self, *args, **options):
        passwords = set(CommonPasswordValidator().passwords)
        passwords |= {word + ending for word in WORDS for ending in ENDINGS}
        path = Path(__file__).resolve().parents[2] / "common-passwords.txt.gz"
        data = ("\n".join(sorted(passwords)) + "\n").encode()
        with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as out:  # mtime 0: the same file every run
            out.write(data)
        self.stdout.write(f"{len(passwords)} passwords in {path}")
