"""`python -m training split`: seeded train/val/test split, grouped and stratified as far as grouping allows.

Groups are placed one at a time, rarest stratum first (largest groups first within it), each into the split
whose quotas for the group's strata are least filled, relative to the quota. Writes one COCO file per split,
the split file ({"train": [ids], "val": [...], "test": [...]}; with --extra-train also "train_extra") and a
report of images, groups and per-stratum counts and shares per split.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from pathlib import Path

from training.data.dataset import Dataset, load_coco, write_coco, write_text_atomic
from training.data.grouping import group_of, strata_of
from training.data.leakage import find_leaks, merge

SPLITS = ("train", "val", "test")


def split_dataset(
    ds: Dataset,
    fractions=(0.7, 0.15, 0.15),
    seed: int = 0,
    group_key: str = "group",
    stratify: str = "category",
) -> dict[str, list[str]]:
    if len(fractions) != len(SPLITS) or abs(sum(fractions) - 1) > 1e-6 or min(fractions) <= 0:
        raise ValueError(f"fractions must be three positive numbers summing to 1, got {fractions}")
    groups: dict[str, list] = {}
    for im in ds.images:
        groups.setdefault(group_of(im, group_key), []).append(im)
    counts = {g: Counter(s for im in ims for s in strata_of(im, stratify)) for g, ims in groups.items()}
    total = Counter()
    for c in counts.values():
        total.update(c)
    n_images = len(ds.images)

    order = sorted(groups)
    random.Random(seed).shuffle(order)
    order.sort(key=lambda g: (min(total[s] for s in counts[g]), -len(groups[g])))

    filled = [Counter() for _ in SPLITS]
    sizes = [0] * len(SPLITS)
    assigned: dict[str, list[str]] = {name: [] for name in SPLITS}

    def need(i: int, g: str) -> float:
        """How far split i is below its quota (relative) for the strata of group g, and overall."""
        f = fractions[i]
        strata = sum(c * (1 - filled[i][s] / (f * total[s])) for s, c in counts[g].items())
        return strata + 0.1 * len(groups[g]) * (1 - sizes[i] / (f * n_images))

    for g in order:
        best = max(range(len(SPLITS)), key=lambda i: need(i, g))
        filled[best].update(counts[g])
        sizes[best] += len(groups[g])
        assigned[SPLITS[best]].extend(im.image_id for im in groups[g])
    return {name: sorted(ids) for name, ids in assigned.items()}


def split_report(ds: Dataset, split_ids: dict[str, list[str]], group_key: str, stratify: str) -> dict:
    by_id = ds.by_id()
    all_ids = [i for name in SPLITS for i in split_ids[name]]

    def stats(ids: list[str]) -> dict:
        ims = [by_id[i] for i in ids]
        strata = Counter(s for im in ims for s in strata_of(im, stratify))
        boxes = Counter(b.label for im in ims for b in im.boxes)
        return {
            "images": len(ims),
            "groups": len({group_of(im, group_key) for im in ims}),
            "boxes": sum(boxes.values()),
            "images_per_stratum": dict(sorted(strata.items())),
            "share_per_stratum": {s: round(c / len(ims), 5) for s, c in sorted(strata.items())}
            if ims
            else {},
            "boxes_per_category": {c: boxes.get(c, 0) for c in ds.categories},
        }

    overall = stats(all_ids)
    per_split = {name: stats(split_ids[name]) for name in SPLITS}
    deviation = {
        s: round(100 * max(abs(per_split[n]["share_per_stratum"].get(s, 0) - share) for n in SPLITS), 3)
        for s, share in overall["share_per_stratum"].items()
    }
    missing = {
        n: sorted(set(overall["images_per_stratum"]) - set(per_split[n]["images_per_stratum"]))
        for n in SPLITS
    }
    return {
        "group_key": group_key,
        "stratify": stratify,
        "overall": overall,
        "splits": per_split,
        "max_share_deviation_pp": deviation,
        "strata_missing_from_a_split": {n: m for n, m in missing.items() if m},
    }


def report_text(report: dict) -> str:
    strata = list(report["overall"]["images_per_stratum"])
    lines = [
        f"grouped by {report['group_key']}, stratified by {report['stratify']}",
        f"{'split':<12}{'images':>8}{'groups':>8}{'boxes':>8}  " + "  ".join(f"{s:>14}" for s in strata),
    ]
    for name, st in [*report["splits"].items(), ("overall", report["overall"])]:
        cells = [
            f"{st['images_per_stratum'].get(s, 0)} {100 * st['share_per_stratum'].get(s, 0):5.1f}%"
            for s in strata
        ]
        lines.append(
            f"{name:<12}{st['images']:>8}{st['groups']:>8}{st['boxes']:>8}  "
            + "  ".join(f"{c:>14}" for c in cells)
        )
    lines.append(
        "max share deviation (pp): "
        + ", ".join(f"{s} {d}" for s, d in report["max_share_deviation_pp"].items())
    )
    if report["strata_missing_from_a_split"]:
        lines.append(f"WARNING: strata missing from a split: {report['strata_missing_from_a_split']}")
    return "\n".join(lines)


def _image_root(ds: Dataset) -> str | None:
    parents = {str(im.path.parent) for im in ds.images}
    return os.path.commonpath(sorted(parents)) if parents else None


def add_arguments(p) -> None:
    p.add_argument("--coco", required=True, type=Path, help="converted annotations.json")
    p.add_argument(
        "--out", required=True, type=Path, help="folder for train/val/test.json and split_report.json"
    )
    p.add_argument("--split-file", type=Path, help="also write the id lists here (default: <out>/split.json)")
    p.add_argument("--group", default="group", help="'group' (the COCO image's group) or 'metadata:<field>'")
    p.add_argument("--stratify", default="category", help="'category' or 'metadata:<field>'")
    p.add_argument(
        "--fractions", type=float, nargs=3, default=[0.7, 0.15, 0.15], metavar=("TRAIN", "VAL", "TEST")
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--extra-train", type=Path, help="COCO file of training-only images, listed as train_extra"
    )


def main(args) -> int:
    ds = load_coco(args.coco)
    try:
        split_ids = split_dataset(ds, tuple(args.fractions), args.seed, args.group, args.stratify)
    except ValueError as e:
        raise SystemExit(f"error: {e}") from e
    report = split_report(ds, split_ids, args.group, args.stratify)
    report.update(source=str(args.coco), seed=args.seed, fractions=args.fractions)
    root = _image_root(ds)
    for name in SPLITS:
        write_coco(ds.subset(split_ids[name]), args.out / f"{name}.json", image_root=root)
    if args.extra_train:
        extra = load_coco(args.extra_train)
        held_out = {group_of(im, args.group) for im in ds.subset(split_ids["val"] + split_ids["test"]).images}
        clash = sorted({group_of(im, args.group) for im in extra.images} & held_out)
        if clash:
            raise SystemExit(f"error: {args.extra_train}: groups also in val/test: {clash[:20]}")
        split_ids["train_extra"] = sorted(im.image_id for im in extra.images)
        train_plus = merge([ds.subset(split_ids["train"]), extra])
        write_coco(train_plus, args.out / "train_plus_extra.json", image_root=_image_root(train_plus))
        report["train_extra"] = {
            "source": str(args.extra_train),
            "images": len(extra.images),
            "boxes": extra.num_boxes,
        }
    leaks = find_leaks({n: split_ids[n] for n in SPLITS}, ds, args.group)
    if leaks:  # cannot happen by construction; checked because a leak would silently bias every evaluation
        raise SystemExit(f"error: groups in two splits: {list(leaks)[:20]}")
    text = json.dumps(split_ids, indent=1) + "\n"
    write_text_atomic(args.out / "split.json", text)
    if args.split_file:
        write_text_atomic(args.split_file, text)
    write_text_atomic(args.out / "split_report.json", json.dumps(report, indent=1))
    summary = report_text(report)
    write_text_atomic(args.out / "split_report.txt", summary + "\n")
    print(summary)
    print(f"wrote {args.out}/{{train,val,test}}.json, split.json, split_report.json")
    return 0
