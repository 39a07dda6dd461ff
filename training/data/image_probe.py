"""Read an image's real size and decode it fully, so corrupt and truncated files are caught at conversion."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError


@dataclass(frozen=True)
class Probe:
    path: Path
    width: int = 0
    height: int = 0
    error: str | None = None  # "missing_image" or "corrupt_image"
    detail: str = ""


def probe_image(path: Path) -> Probe:
    if not path.is_file():
        return Probe(path, error="missing_image", detail=f"no file at {path}")
    try:
        with Image.open(path) as img:
            # A header read alone misses truncated data; a full decode (about 0.3 ms for 200x150) does not.
            img.load()
            return Probe(path, img.width, img.height)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        return Probe(path, error="corrupt_image", detail=f"{path}: {type(e).__name__}: {e}")


def probe_images(paths: list[Path], workers: int | None = None) -> dict[Path, Probe]:
    """Probe each distinct path; uses a process pool when there are enough images to pay for it."""
    unique = list(dict.fromkeys(paths))
    # One core stays free for the rest of the machine; a pool only pays off with more cores.
    workers = workers or min(4, (os.cpu_count() or 2) - 1)
    if workers <= 1 or len(unique) < 2000:
        return {p: probe_image(p) for p in unique}
    with ProcessPoolExecutor(workers) as pool:
        return dict(zip(unique, pool.map(probe_image, unique, chunksize=256), strict=True))
