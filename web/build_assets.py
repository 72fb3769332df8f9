"""Install the pinned browser packages and copy the files the pages load into `web/static/vendor/`.

Run from the repository root: `python web/build_assets.py` (or `python -m web.build_assets`).
`npm ci` installs exactly what `web/package-lock.json` pins, so the pages never reach a CDN;
`--omit-dev` leaves out the Mermaid parser the export tests use. The vendor folder is git-ignored
and rebuilt from the lock file.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
NODE_MODULES = WEB_DIR / "node_modules"
VENDOR_DIR = WEB_DIR / "static" / "vendor"

# Destination under static/vendor/ -> source under node_modules/. The pages reference these paths.
VENDOR_FILES: dict[str, str] = {
    "react/react.production.min.js": "react/umd/react.production.min.js",
    "react/LICENSE": "react/LICENSE",
    "react-dom/react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
    "react-dom/LICENSE": "react-dom/LICENSE",
    "graphiql/graphiql.min.js": "graphiql/graphiql.min.js",
    "graphiql/graphiql.min.css": "graphiql/graphiql.min.css",
    "graphiql/LICENSE": "graphiql/LICENSE",
    "cytoscape/cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "cytoscape/LICENSE": "cytoscape/LICENSE",
    "d3-hierarchy/d3-hierarchy.min.js": "d3-hierarchy/dist/d3-hierarchy.min.js",
    "d3-hierarchy/LICENSE": "d3-hierarchy/LICENSE",
}


class AssetBuildError(RuntimeError):
    """npm failed or a file the pages need is not where the pinned package should have put it."""


def install_packages(omit_dev: bool = False) -> None:
    """Install `web/package-lock.json` exactly (`npm ci`), or resolve it with `npm install` if absent."""
    npm = shutil.which("npm")
    if npm is None:
        raise AssetBuildError("npm is not installed; install Node.js 18 or newer")
    command = [
        npm,
        "ci" if (WEB_DIR / "package-lock.json").exists() else "install",
        "--no-audit",
        "--no-fund",
    ]
    if omit_dev:
        command.append("--omit=dev")
    result = subprocess.run(command, cwd=WEB_DIR, check=False)
    if result.returncode != 0:
        raise AssetBuildError(f"{' '.join(command)} failed in {WEB_DIR} (exit {result.returncode})")


def copy_vendor_files() -> list[Path]:
    """Copy every file in `VENDOR_FILES` into a fresh `static/vendor/`; returns the copied paths."""
    missing = [source for source in VENDOR_FILES.values() if not (NODE_MODULES / source).is_file()]
    if missing:
        raise AssetBuildError(
            f"not found under {NODE_MODULES}: {', '.join(missing)}; run without --skip-install"
        )
    if VENDOR_DIR.exists():
        shutil.rmtree(VENDOR_DIR)
    copied = []
    for destination, source in VENDOR_FILES.items():
        target = VENDOR_DIR / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE_MODULES / source, target)
        copied.append(target)
    return copied


def vendor_files_present() -> bool:
    """True when every browser file the pages load has been built."""
    return all((VENDOR_DIR / destination).is_file() for destination in VENDOR_FILES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-install", action="store_true", help="copy from the existing node_modules")
    parser.add_argument("--omit-dev", action="store_true", help="skip dev packages (the Mermaid parser)")
    args = parser.parse_args(argv)
    try:
        if not args.skip_install:
            install_packages(omit_dev=args.omit_dev)
        copied = copy_vendor_files()
    except AssetBuildError as error:
        print(f"build_assets: {error}", file=sys.stderr)
        return 1
    print(f"copied {len(copied)} files into {VENDOR_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
