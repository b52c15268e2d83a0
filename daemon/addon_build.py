"""Build the Thunderbird add-on (.xpi) from ``addon/``: ``python -m daemon.addon_build``.

An .xpi is a zip of the extension's files with ``manifest.json`` at the top. Only the
files Thunderbird loads are packed (not the node tests, lint script or node_modules),
in sorted order with fixed timestamps, so the same sources give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path

ADDON_DIR = Path(__file__).resolve().parent.parent / "addon"
DIST_DIR = Path(__file__).resolve().parent.parent / "dist"
# What Thunderbird loads; everything else in addon/ is development tooling.
PACKED = ("manifest.json", "managed_schema.json", "background.js", "lib", "compose", "review",
          "options", "_locales", "icons")
FIXED_TIME = (2024, 1, 1, 0, 0, 0)     # zip entries get this timestamp (reproducible builds)


class BuildError(Exception):
    """The add-on sources are incomplete or inconsistent."""


def addon_files(addon_dir: Path = ADDON_DIR) -> list[Path]:
    """The files to pack, relative to ``addon_dir``, sorted."""
    files: list[Path] = []
    for name in PACKED:
        path = addon_dir / name
        if path.is_file():
            files.append(Path(name))
        elif path.is_dir():
            files += [p.relative_to(addon_dir) for p in path.rglob("*") if p.is_file()]
        else:
            raise BuildError(f"{path} is missing")
    return sorted(files)


def read_manifest(addon_dir: Path = ADDON_DIR) -> dict[str, object]:
    """The manifest, checked for the files it names."""
    path = addon_dir / "manifest.json"
    try:
        manifest: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise BuildError(f"{path}: {error}") from None
    for referenced in referenced_files(manifest):
        if not (addon_dir / referenced).is_file():
            raise BuildError(f"{path} names {referenced}, which does not exist")
    return manifest


def referenced_files(manifest: dict[str, object]) -> list[str]:
    """Files the manifest points at (background, scripts, pages, icons)."""
    found: list[str] = []

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, dict):
            for sub_key, sub in value.items():
                walk(sub, sub_key)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and key in {"scripts", "js", "page", "default_popup",
                                                 "default_icon", "32", "64", "managed_schema"}:
            found.append(value)

    walk(manifest)
    return found


def build_xpi(addon_dir: Path = ADDON_DIR, out_dir: Path = DIST_DIR) -> Path:
    """Write ``<out_dir>/trustmail-<version>.xpi`` and return its path."""
    manifest = read_manifest(addon_dir)
    target = out_dir / f"trustmail-{manifest['version']}.xpi"
    out_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative in addon_files(addon_dir):
            info = zipfile.ZipInfo(relative.as_posix(), FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (addon_dir / relative).read_bytes())
    return target


def gecko_id(addon_dir: Path = ADDON_DIR) -> str:
    """The add-on id: an unsigned add-on installs as ``extensions/<id>.xpi``."""
    manifest = read_manifest(addon_dir)
    settings = manifest["browser_specific_settings"]
    assert isinstance(settings, dict)
    return str(settings["gecko"]["id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m daemon.addon_build",
                                     description="Build the trustmail Thunderbird add-on.")
    parser.add_argument("--out", type=Path, default=DIST_DIR, help="output folder (dist/)")
    args = parser.parse_args(argv)
    try:
        path = build_xpi(out_dir=args.out)
    except BuildError as error:
        print(f"addon_build: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
