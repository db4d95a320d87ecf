"""Browser-test kit: Debian's Chromium under Playwright, a phone context, a fake camera fed a QR."""
import io
import os
from pathlib import Path

from PIL import Image

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
BASE_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
             "--no-first-run", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}

# What every phone page must hold: 44 px tap targets, labelled fields, no sideways scroll, no style="".
PHONE_CHECKS = """() => {
  const out = [];
  const shown = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const taps = 'button, a.button, .bar a, input:not([type=checkbox]):not([type=hidden]), select, textarea, ' +
    'label.check, summary';
  for (const e of document.querySelectorAll(taps)) {
    if (!shown(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.height < 43.5 || r.width < 43.5) out.push(`small ${Math.round(r.width)}x${Math.round(r.height)}: ` +
      e.outerHTML.slice(0, 90));
  }
  for (const e of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (!shown(e)) continue;
    const named = (e.labels && e.labels.length) || e.getAttribute('aria-label');
    if (!named) out.push('unlabelled: ' + e.outerHTML.slice(0, 90));
  }
  if (document.documentElement.scrollWidth > window.innerWidth) out.push('scrolls sideways: ' +
    document.documentElement.scrollWidth);
  const styled = document.querySelector('[style]');
  if (styled) out.push('style attribute: ' + styled.outerHTML.slice(0, 90));
  return out;
}"""


def require_chromium() -> None:
    """Browser tests fail, not skip, when Chromium is missing: scripts/test installs it."""
    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} is missing: run scripts/test as root, or apt-get install chromium")


def make_y4m(png: bytes, path: Path, width: int = 640, height: int = 480, frames: int = 20, qr_px: int = 360) -> Path:
    """A Y4M video of a QR image pasted on white, for --use-file-for-fake-video-capture."""
    qr = Image.open(io.BytesIO(png)).convert("L").resize((qr_px, qr_px), Image.NEAREST)
    canvas = Image.new("L", (width, height), 255)
    canvas.paste(qr, ((width - qr_px) // 2, (height - qr_px) // 2))
    luma = canvas.tobytes()
    chroma = bytes([128]) * (width * height // 4)
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def launch(playwright, camera_file: Path | None = None):
    args = list(BASE_ARGS)
    if camera_file is not None:
        args += ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-video-capture={camera_file}"]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args)


class PageWatch:
    """Collects console errors, page errors, CSP violations and requests to other hosts."""

    def __init__(self, page, own_origin: str):
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: None if r.url.startswith((own_origin, "data:", "blob:"))
                else self.foreign.append(r.url))

    def assert_clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.foreign, self.foreign


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
