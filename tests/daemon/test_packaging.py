"""The shipped config/ is found from an installed wheel, not only from a checkout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_carries_the_shipped_config(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist"), str(ROOT)], check=True, timeout=300)
    [wheel] = (tmp_path / "dist").glob("trustmail-*.whl")
    python = sys.executable   # the target folder goes first on sys.path, so it shadows the checkout
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(tmp_path / "site"), str(wheel)], check=True, timeout=300)
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from daemon.config import paths; "
             "from daemon.config.load import load_config; d = paths.shipped_config_dir(); "
             "print(d); load_config(); assert str(d).startswith(sys.argv[1])")
    result = subprocess.run([str(python), "-c", probe, str(tmp_path / "site")], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "shipped_config" in result.stdout
