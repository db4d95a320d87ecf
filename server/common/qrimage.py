"""QR images (PNG and SVG) of a URL, shared by event screens, posters and member cards."""
import functools
import io
import itertools
import re

import qrcode
from PIL import Image
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

BORDER = 4  # the quiet zone the QR standard asks for; scanners fail without it
_RUNS = re.compile("00000+"), re.compile("11111+")  # penalty rule 1; 3 times faster apart than as 0{5,}|1{5,}
_LIGHT = bytes.maketrans(b"\x00\x01", b"\x01\x00")  # module (1 = dark) to mode "1" pixel (1 = white)
_DARK = re.compile(b"\x01+")
_SVG = ("<?xml version='1.0' encoding='UTF-8'?>\n"
        '<svg width="{side}mm" height="{side}mm" version="1.1" viewBox="0 0 {side} {side}" '
        'xmlns="http://www.w3.org/2000/svg"><rect fill="white" x="0" y="0" width="100%" height="100%" />'
        '<path d="{path}" id="qr-path" fill="#000000" stroke="none" /></svg>')


class _Blank(qrcode.QRCode):
    """qrcode's own set-up of one version, stopped before the data goes in (test mode: format bits light)."""

    def map_data(self, data, mask_pattern):
        """Keep the function patterns; None marks a data cell."""
        self.blank = [row[:] for row in self.modules]


@functools.cache
def _layout(version: int) -> tuple[list[int], list[tuple[int, int]], list[list[int]]]:
    """Per version, once: dark function modules as row bits, data cells in placement order, each mask's row bits."""
    probe = _Blank(version=version)
    probe.data_cache = []
    probe.makeImpl(True, 0)
    n = probe.modules_count
    fixed = [sum(1 << (n - 1 - c) for c, dark in enumerate(row) if dark) for row in probe.blank]
    cells, row, inc = [], n - 1, -1  # the walk of qrcode's map_data: column pairs from the right, up then down
    for col in range(n - 1, 0, -2):
        if col <= 6:  # the vertical timing pattern
            col -= 1
        for _ in range(n):
            cells += [(row, c) for c in (col, col - 1) if probe.blank[row][c] is None]
            row += inc
        row, inc = row - inc, -inc
    masks = [[0] * n for _ in range(8)]
    for pattern, rows in enumerate(masks):
        flips = util.mask_func(pattern)
        for r, c in cells:
            if flips(r, c):
                rows[r] |= 1 << (n - 1 - c)
    return fixed, [(r, 1 << (n - 1 - c)) for r, c in cells], masks


def _penalty(rows: list[int]) -> int:
    """util.lost_point of the matrix, computed on whole rows and columns rather than module by module."""
    n = len(rows)
    lines = [format(r, f"0{n}b") for r in rows]
    flat = "".join(lines)
    text = " ".join(lines + [flat[c::n] for c in range(n)])  # rows and columns, apart so no pattern spans two
    runs = _RUNS[0].findall(text) + _RUNS[1].findall(text)
    points = sum(map(len, runs)) - 2 * len(runs)  # 3 points for a run of 5, 1 more per module beyond
    pairs = (1 << (n - 1)) - 1
    for a, b in itertools.pairwise(rows):
        same = ~(a ^ b)
        points += 3 * (same & (same >> 1) & ~(a ^ (a >> 1)) & pairs).bit_count()
    points += 40 * (text.count("10111010000") + text.count("00001011101"))
    dark = sum(r.bit_count() for r in rows)
    return points + int(abs(float(dark) / (n**2) * 100 - 50) / 5) * 10


class _Code(qrcode.QRCode):
    """qrcode's QRCode making the same mask choice 5 times faster (qrcode's took over half of a PNG's time)."""

    def mask_trials(self) -> list[list[int]]:
        """The 8 matrices qrcode's makeImpl(True, mask) would build, as row bits, without its module-by-module walk."""
        if self.data_cache is None:
            self.data_cache = util.create_data(self.version, self.error_correction, self.data_list)
        fixed, cells, masks = _layout(self.version)
        data = [0] * len(fixed)
        bits = format(int.from_bytes(bytes(self.data_cache)), f"0{len(self.data_cache) * 8}b")
        for (r, bit), one in zip(cells, bits, strict=False):  # cells past the data: remainder bits, light
            if one == "1":
                data[r] |= bit
        return [[f | d ^ m for f, d, m in zip(fixed, data, mask, strict=True)] for mask in masks]

    def best_mask_pattern(self):
        """qrcode's rule: the first mask with the lowest util.lost_point."""
        scores = [_penalty(rows) for rows in self.mask_trials()]
        return scores.index(min(scores))


def _fitted(url: str) -> _Code:
    """The URL's data at level M; its version is fitted when first asked for."""
    code = _Code(error_correction=ERROR_CORRECT_M, border=BORDER)
    code.add_data(url)
    return code


def _matrix(url: str) -> list[list[bool]]:
    """The modules with the quiet zone around them, True for dark."""
    code = _fitted(url)
    code.best_fit()
    code.make(fit=False)  # fit=True would fit a second time
    return code.get_matrix()


def version_of(url: str) -> int:
    """The QR version the URL needs at level M (the design promises 6 or lower for event codes)."""
    return _fitted(url).version  # fitting alone: no mask to choose


def box_size_for(url: str, width: int) -> int:
    """The largest whole-pixel module size that keeps the image within `width` pixels (at least 1)."""
    return max(1, width // (version_of(url) * 4 + 17 + 2 * BORDER))


def png_bytes(url: str, box_size: int = 10) -> bytes:
    """A 1-bit black-on-white PNG, box_size pixels per module: one pixel per module scaled up, not drawn box by box."""
    matrix = _matrix(url)
    side = len(matrix)
    image = Image.frombytes("1", (side, side), b"".join(map(bytes, matrix)).translate(_LIGHT), "raw", "1;8")
    buf = io.BytesIO()
    image.resize((side * box_size, side * box_size), Image.Resampling.NEAREST).save(buf, format="PNG")
    return buf.getvalue()


def svg_bytes(url: str) -> bytes:
    """One-path SVG on a white background (a transparent code on a dark page would not scan), 1 mm per module."""
    matrix = _matrix(url)
    path = "".join(f"M{run.start()},{y}h{len(run[0])}v1h-{len(run[0])}z"  # a rectangle per dark run, not per module
                   for y, row in enumerate(matrix) for run in _DARK.finditer(bytes(row)))
    return _SVG.format(side=len(matrix), path=path).encode()
