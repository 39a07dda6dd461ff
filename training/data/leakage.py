"""`python -m training check-leakage`: fail when a group (patient, lesion, source photo) is in two splits."""

from __future__ import annotations

import json
from pathlib import Path

from training.data.dataset import Dataset, load_coco
from training.data.grouping import group_of


def _role(split: str) -> str:
    return "train" if split.startswith("train") else split


def find_leaks(
    split_ids: dict[str, list[str]], ds: Dataset, group_key: str = "group"
) -> dict[str, list[str]]:
    """Map each group found in two splits (train* counting as one) or image id listed twice to its splits."""
    by_id = ds.by_id()
    unknown = [i for ids in split_ids.values() for i in ids if i not in by_id]
    if unknown:
        raise ValueError(f"{len(unknown)} split image id(s) not in the dataset, e.g. {unknown[:5]}")
    where: dict[str, set[str]] = {}
    for split, ids in split_ids.items():
        for image_id in ids:
            where.setdefault(group_of(by_id[image_id], group_key), set()).add(split)
    # "train" and "train_extra" are both training data: a group may be in both, never in train and val/test.
    leaks = {g: sorted(s) for g, s in where.items() if len({_role(n) for n in s}) > 1}
    seen: dict[str, str] = {}
    for split, ids in split_ids.items():
        for image_id in ids:
            if image_id in seen and seen[image_id] != split:
                leaks[f"image:{image_id}"] = sorted({seen[image_id], split})
            seen.setdefault(image_id, split)
    return dict(sorted(leaks.items()))


def merge(datasets: list[Dataset]) -> Dataset:
    categories = list(dict.fromkeys(c for d in datasets for c in d.categories))
    return Dataset(categories, [im for d in datasets for im in d.images])


def add_arguments(p) -> None:
    p.add_argument(
        "--split-file", required=True, type=Path, help='{"train": [ids], "val": [...], "test": [...]}'
    )
    p.add_argument(
        "--coco", required=True, type=Path, nargs="+", help="COCO file(s) holding every listed image"
    )
    p.add_argument("--group", default="group", help="'group' (default) or 'metadata:<field>'")


def main(args) -> int:
    try:
        split_ids = json.loads(args.split_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise SystemExit(f"error: {args.split_file}: {e}") from e
    if not isinstance(split_ids, dict) or not all(isinstance(v, list) for v in split_ids.values()):
        raise SystemExit(f"error: {args.split_file}: expected an object of split name -> list of image ids")
    ds = merge([load_coco(p) for p in args.coco])
    try:
        leaks = find_leaks(split_ids, ds, args.group)
    except ValueError as e:
        raise SystemExit(f"error: {args.split_file}: {e}") from e
    total = sum(len(v) for v in split_ids.values())
    if leaks:
        print(f"LEAK: {len(leaks)} group(s) in more than one split of {args.split_file}:")
        for group, splits in leaks.items():
            print(f"  {group}: {', '.join(splits)}")
        return 1
    print(f"ok: {total} images in {len(split_ids)} splits, no group in two splits ({args.group})")
    return 0
