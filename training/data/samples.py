"""Draw the committed demo/test samples from the official TEST splits (run once; kept to show how).

`.venv/bin/python -m training.data.samples --data ../shared/data --out samples`
HAM10000: up to 40 test images per category; ACNE04: 5 test images per severity grade, with their original
VOC files. Rows are copied verbatim from the shared CSVs, so the samples have the same columns.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
from pathlib import Path

SPLITS_DIR = Path(__file__).resolve().parent.parent / "splits"


def _read_rows(csv_path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _pick(test_ids: set[str], rows: list[dict], stratum: str, per_stratum: int, seed: int) -> set[str]:
    by_stratum: dict[str, list[str]] = {}
    for image_id in sorted({r["image_id"] for r in rows if r["image_id"] in test_ids}):
        by_stratum.setdefault(next(r[stratum] for r in rows if r["image_id"] == image_id), []).append(
            image_id
        )
    rng = random.Random(seed)
    return {i for ids in by_stratum.values() for i in rng.sample(ids, min(per_stratum, len(ids)))}


def write_sample(src: Path, out: Path, split_file: Path, stratum: str, per_stratum: int, voc: bool) -> int:
    test_ids = set(json.loads(split_file.read_text())["test"])
    header, rows = _read_rows(src / "annotations.csv")
    chosen = _pick(test_ids, rows, stratum, per_stratum, seed=0)
    kept = [r for r in rows if r["image_id"] in chosen]
    (out / "images").mkdir(parents=True, exist_ok=True)
    if voc:
        (out / "voc").mkdir(exist_ok=True)
    for r in {r["image_id"]: r for r in kept}.values():
        shutil.copyfile(src / r["file"], out / r["file"])
        if voc:
            name = Path(r["file"]).with_suffix(".xml").name
            shutil.copyfile(src / "voc" / name, out / "voc" / name)
    with open(out / "annotations.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    return len(chosen)


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m training.data.samples")
    p.add_argument("--data", type=Path, default=Path("../shared/data"))
    p.add_argument("--out", type=Path, default=Path("samples"))
    args = p.parse_args()
    n = write_sample(
        args.data / "ham10000", args.out / "ham10000", SPLITS_DIR / "ham10000.json", "dx", 40, False
    )
    print(f"ham10000: {n} test images")
    n = write_sample(
        args.data / "acne04", args.out / "acne04", SPLITS_DIR / "acne04.json", "severity_grade", 5, True
    )
    print(f"acne04: {n} test images")


if __name__ == "__main__":
    main()
