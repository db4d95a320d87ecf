"""QR images (PNG and SVG) of a URL, shared by event screens, posters and member cards."""
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathFillImage

BORDER = 4  # the quiet zone the QR standard asks for; scanners fail without it


def _code(url: str, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=BORDER)
    code.add_data(url)
    code.make(fit=True)
    return code


def version_of(url: str) -> int:
    """The QR version the URL needs at level M (the design promises 6 or lower for event codes)."""
    return _code(url).version


def box_size_for(url: str, width: int) -> int:
    """The largest whole-pixel module size that keeps the image within `width` pixels (at least 1)."""
    return max(1, width // (_code(url).modules_count + 2 * BORDER))


def png_bytes(url: str, box_size: int = 10) -> bytes:
    """A black-on-white PNG, box_size pixels per module."""
    image = _code(url, box_size).make_image(image_factory=PilImage)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def svg_bytes(url: str) -> bytes:
    """One-path SVG on a white background (a transparent code on a dark page would not scan)."""
    image = _code(url).make_image(image_factory=SvgPathFillImage)
    buf = io.BytesIO()
    image.save(buf)
    return buf.getvalue()
