"""scripts/phone_audit's 200 % text check finds what it claims to find (a detector that never fires would
print "0 problems" forever), on a hand-made page, and passes a page that holds up."""
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser import require_chromium

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import phone_audit_browser as audit  # noqa: E402

BROKEN = """<!doctype html><html><head><meta name="viewport" content="width=device-width"><style>
  html { font-size: 16px } body { margin: 0 }
  .fixed { font-size: 14px; width: 120px; height: 20px; overflow: hidden; white-space: nowrap }
  .wide { width: 500px } .a, .b { position: absolute; top: 200px; left: 10px; font-size: 1rem }
  .b { left: 40px } button { width: 30px; height: 30px }
</style></head><body>
  <div class="fixed">一段会被裁掉的很长很长的文字</div><div class="wide">太宽</div>
  <span class="a">重叠甲</span><span class="b">重叠乙</span><button>x</button>
</body></html>"""
FINE = """<!doctype html><html><head><meta name="viewport" content="width=device-width"><style>
  body { margin: 0; padding: 8px; font-size: 1rem } button { min-height: 44px; min-width: 44px; font-size: 1rem }
  summary { min-height: 44px }
</style></head><body><p>一段正常的文字，会随字号换行。</p><button>好</button>
  <details><summary>历史</summary><p>折叠时不显示的文字</p></details><p>折叠区之后的一段</p></body></html>"""


def check(page, html):
    page.set_content(html)
    not_scaled = page.evaluate(audit.DOUBLE)
    return not_scaled, page.evaluate(audit.CHECK)


def test_text_200_check_flags_scroll_clipping_overlap_and_small_targets():
    require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=audit.CHROMIUM, args=audit.ARGS)
        try:
            page = browser.new_context(**audit.PHONE).new_page()
            not_scaled, problems = check(page, BROKEN)
            kinds = {line.split(":")[0].split(" ")[0] for line in problems}
            assert {"sideways", "clipped", "overlap", "tap"} <= kinds, problems
            assert not_scaled == 2  # the px-sized .fixed text and the button's label ignore the root size
            assert check(page, FINE) == (0, [])
        finally:
            browser.close()
