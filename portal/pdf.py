"""PDF rendering for every form and result: one helper, WeasyPrint imported only when used."""

from django.conf import settings
from django.template.loader import render_to_string


def render_to_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render a Django template to PDF bytes (fonts embedded, static files resolved locally)."""
    from weasyprint import HTML  # slow to import: keep it out of start-up

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_local_only_fetcher).write_pdf()


def render_to_pdf_on_one_page(template_name: str, context: dict, *, densities=("", "compact", "tight")) -> bytes:
    """Like render_to_pdf, but a form that must be one sheet (Form 01) is rendered denser until
    it fits: the template reads ``density`` (a body class). The densest is kept if none fits."""
    from weasyprint import HTML

    document = None
    for density in densities:
        html = render_to_string(template_name, {**context, "density": density})
        document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_local_only_fetcher).render()
        if len(document.pages) == 1:
            break
    return document.write_pdf()


def _local_only_fetcher(url: str, timeout=10, ssl_context=None):
    """Only data: and file: URLs inside the project: a form never reaches the network."""
    from weasyprint import default_url_fetcher

    if url.startswith("data:") or (url.startswith("file://") and url[7:].startswith(str(settings.BASE_DIR))):
        return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    raise ValueError(f"refusing to fetch {url!r} while rendering a PDF")


def qr_svg(data: str, *, scale: int = 3) -> str:
    """A QR code as inline SVG markup (vector, so it prints sharp)."""
    import segno

    # Never Micro QR: banking apps (VietQR) and most phone cameras do not read it.
    return segno.make(data, error="m", micro=False).svg_inline(scale=scale, border=2)
