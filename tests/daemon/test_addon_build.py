"""``python -m daemon.addon_build`` packs exactly what Thunderbird loads, reproducibly."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from daemon import addon_build


def test_the_xpi_has_the_manifest_and_the_extension_files_only(tmp_path: Path) -> None:
    xpi = addon_build.build_xpi(out_dir=tmp_path)
    names = zipfile.ZipFile(xpi).namelist()
    manifest = json.loads(zipfile.ZipFile(xpi).read("manifest.json"))
    assert xpi.name == f"trustmail-{manifest['version']}.xpi"
    assert {"manifest.json", "background.js", "compose/compose_script.js",
            "review/review.html", "options/options.html", "_locales/de/messages.json",
            "_locales/en/messages.json"} <= set(names)
    assert not [n for n in names if n.startswith(("tests/", "node_modules/", "scripts/"))
                or n.startswith("package")]
    assert manifest["manifest_version"] == 3
    assert manifest["browser_specific_settings"]["gecko"]["strict_min_version"] == "128.0"


def test_the_same_sources_give_the_same_bytes(tmp_path: Path) -> None:
    first = addon_build.build_xpi(out_dir=tmp_path / "a").read_bytes()
    second = addon_build.build_xpi(out_dir=tmp_path / "b").read_bytes()
    assert first == second


def test_a_file_the_manifest_names_must_exist(tmp_path: Path) -> None:
    copy = tmp_path / "addon"
    shutil.copytree(addon_build.ADDON_DIR, copy,
                    ignore=shutil.ignore_patterns("node_modules"))
    (copy / "background.js").unlink()
    with pytest.raises(addon_build.BuildError, match="background.js"):
        addon_build.build_xpi(copy, tmp_path / "dist")


def test_the_command_prints_the_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert addon_build.main(["--out", str(tmp_path)]) == 0
    assert Path(capsys.readouterr().out.strip()).is_file()
