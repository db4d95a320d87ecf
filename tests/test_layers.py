"""The layer check: feature packages import down the layers of pyproject.toml's import-linter
contract (docs/architecture.md draws them), and a planted upward import makes it fail."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache", "--config", "pyproject.toml"], cwd=where,
                          capture_output=True, text=True, timeout=120)


def test_imports_follow_the_layers():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def lint_with_planted_import(tmp_path, module: str, line: str) -> subprocess.CompletedProcess:
    """The check on a copy of the tree with one import added to `module`."""
    shutil.copytree(ROOT / "server", tmp_path / "server", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    planted = tmp_path / "server" / module
    planted.write_text(planted.read_text() + f"\n{line}  # noqa\n")
    return lint(tmp_path)


def test_an_upward_import_breaks_the_check(tmp_path):
    result = lint_with_planted_import(tmp_path, "common/timeutil.py", "from server.scans import services as _upward")
    assert result.returncode != 0
    assert "server.common is not allowed to import server.scans" in result.stdout


def test_a_models_module_importing_a_service_breaks_the_check(tmp_path):
    """The models exemption is for importing models only: a models module reaching up is refused."""
    result = lint_with_planted_import(tmp_path, "points/models.py", "import server.attendance.lifecycle as _upward")
    assert result.returncode != 0
    assert "server.points is not allowed to import server.attendance" in result.stdout
