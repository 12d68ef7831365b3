"""What a strict Content-Security-Policy would block in a page: inline scripts without a nonce,
inline event handlers, style attributes and <style> blocks without a nonce."""

from html.parser import HTMLParser

DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for name, _value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> (inline event handler)")
            if name == "style":
                self.problems.append(f"<{tag} style=…> (style attribute)")
        if (
            tag == "script"
            and "src" not in names
            and "nonce" not in names
            and (names.get("type") or "").lower() not in DATA_SCRIPT_TYPES
        ):
            self.problems.append("<script> without src or nonce")
        if tag == "style" and "nonce" not in names:
            self.problems.append("<style> without nonce")
        if tag == "a" and (names.get("href") or "").strip().lower().startswith("javascript:"):
            self.problems.append("<a href=javascript:…>")


def csp_problems(html: str) -> list[str]:
    scanner = _Scanner()
    scanner.feed(html)
    return scanner.problems
