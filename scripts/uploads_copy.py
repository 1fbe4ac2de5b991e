"""Copy every stored upload between the configured store and a directory (backup and restore).

    python -m scripts.uploads_copy export DIR   # the store of UPLOAD_STORE/S3_*/UPLOAD_DIR → DIR
    python -m scripts.uploads_copy import DIR   # DIR → the configured store

Keys keep their layout (`ab/<random>.jpg`), so a backup of the bucket restores into a directory
and back. Objects are never changed after they are written, and a file is stored before its row is
committed: a database dump taken first names no object that a copy taken after it could miss.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.config import Config
from server.uploads.storage import LocalStore, S3Store, open_store


def keys(store) -> list[str]:
    """Every key in the store."""
    if isinstance(store, S3Store):
        out: list[str] = []
        pages = store.client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket, Prefix=store.prefix)
        for page in pages:
            out += [o["Key"][len(store.prefix):] for o in page.get("Contents", [])]
        return out
    assert isinstance(store, LocalStore)
    if not store.root.exists():
        return []
    return sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*")
                  if p.is_file() and not p.name.endswith(".part"))


def _type(key: str) -> str:
    return {".jpg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}.get(
        Path(key).suffix.lower(), "application/octet-stream")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.uploads_copy", description=__doc__.split("\n\n")[0])
    parser.add_argument("direction", choices=("export", "import"))
    parser.add_argument("directory")
    args = parser.parse_args(argv)
    config = Config.from_env()
    config.check()
    store, local = open_store(config), LocalStore(args.directory)
    src, dst = (store, local) if args.direction == "export" else (local, store)
    n = 0
    for key in keys(src):
        data = src.get(key)
        if data is not None:
            dst.put(key, data, _type(key))
            n += 1
    print(f"uploads {args.direction}: {n} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
