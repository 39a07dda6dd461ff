"""Grouped, stratified splits; check-leakage; and the committed official splits."""

import argparse
import csv
import json
import random
from collections import Counter
from pathlib import Path

import pytest

from training.data import leakage, split
from training.data.dataset import Box, Dataset, ImageRecord, write_coco

REPO = Path(__file__).resolve().parents[2]
SPLITS = REPO / "training" / "splits"
SHARED = REPO.parent / "shared" / "data"


def synthetic(n_groups=600, seed=1) -> Dataset:
    """Groups of 1-4 images sharing a category, with rare categories, and a few multi-category images."""
    rng = random.Random(seed)
    cats = ["common", "middle", "rare", "very_rare"]
    weights = [0.7, 0.2, 0.07, 0.03]
    images = []
    for g in range(n_groups):
        cat = rng.choices(cats, weights)[0]
        for k in range(rng.choice([1, 1, 1, 2, 4])):
            labels = [cat] + (["rare"] if rng.random() < 0.05 else [])
            boxes = [Box(1, 1, 5, 5, lab) for lab in labels]
            images.append(ImageRecord(f"g{g}_{k}", "x.jpg", Path("/x.jpg"), 50, 50, f"G{g}", {}, boxes))
    return Dataset(cats, images)


def test_split_is_grouped_stratified_complete_and_seeded():
    ds = synthetic()
    ids = split.split_dataset(ds, seed=3)
    assert sorted(i for v in ids.values() for i in v) == sorted(im.image_id for im in ds.images)
    assert leakage.find_leaks(ids, ds) == {}
    report = split.split_report(ds, ids, "group", "category")
    assert report["strata_missing_from_a_split"] == {}
    assert max(report["max_share_deviation_pp"].values()) < 2.0
    sizes = {k: len(v) / len(ds.images) for k, v in ids.items()}
    assert sizes["train"] == pytest.approx(0.7, abs=0.02) and sizes["test"] == pytest.approx(0.15, abs=0.02)
    assert split.split_dataset(ds, seed=3) == ids
    assert split.split_dataset(ds, seed=4) != ids


def test_split_by_metadata_field_and_images_without_group():
    ds = synthetic(200)
    for i, im in enumerate(ds.images):
        im.metadata["grade"] = i % 4
        im.group = None  # each image becomes its own group
    ids = split.split_dataset(ds, seed=0, stratify="metadata:grade")
    report = split.split_report(ds, ids, "group", "metadata:grade")
    assert report["overall"]["groups"] == len(ds.images)
    assert set(report["splits"]["test"]["images_per_stratum"]) == {"0", "1", "2", "3"}


def run_leakage(tmp_path, split_ids, ds) -> int:
    write_coco(ds, tmp_path / "a.json")
    (tmp_path / "split.json").write_text(json.dumps(split_ids))
    parser = argparse.ArgumentParser()
    leakage.add_arguments(parser)
    return leakage.main(
        parser.parse_args(["--split-file", str(tmp_path / "split.json"), "--coco", str(tmp_path / "a.json")])
    )


def test_check_leakage_fails_on_a_leaky_split_and_names_the_group(tmp_path, capsys):
    ds = synthetic(50)
    ids = split.split_dataset(ds, seed=0)
    assert run_leakage(tmp_path, ids, ds) == 0
    multi = next(im.group for im in ds.images if sum(i.group == im.group for i in ds.images) > 1)
    members = [im.image_id for im in ds.images if im.group == multi]
    leaky = {k: [i for i in v if i not in members] for k, v in ids.items()}
    leaky["train"].append(members[0])
    leaky["test"].extend(members[1:])
    assert run_leakage(tmp_path, leaky, ds) == 1
    assert f"{multi}: test, train" in capsys.readouterr().out
    extra = {k: [i for i in v if i not in members] for k, v in ids.items()}
    extra["train"].append(members[0])
    extra["train_extra"] = members[1:]
    assert run_leakage(tmp_path, extra, ds) == 0
    extra["val"].append(extra["train_extra"].pop())
    assert run_leakage(tmp_path, extra, ds) == 1
    line = next(li for li in capsys.readouterr().out.splitlines() if li.strip().startswith(f"{multi}:"))
    assert line.strip().startswith(f"{multi}: train") and line.endswith("val")


def test_official_splits_are_disjoint_and_sized():
    ham = json.loads((SPLITS / "ham10000.json").read_text())
    acne = json.loads((SPLITS / "acne04.json").read_text())
    for doc, n in ((ham, 10015), (acne, 425)):
        ids = [i for k in ("train", "val", "test") for i in doc[k]]
        assert len(ids) == len(set(ids)) == n
        assert len(doc["test"]) / n == pytest.approx(0.15, abs=0.01)
    assert set(ham) == {"train", "val", "test"} and set(acne) == {"train", "val", "test", "train_extra"}
    assert not set(acne["train_extra"]) & set(acne["train"] + acne["val"] + acne["test"])


def test_committed_samples_come_from_the_official_test_splits():
    for name in ("ham10000", "acne04"):
        test_ids = set(json.loads((SPLITS / f"{name}.json").read_text())["test"])
        with open(REPO / "samples" / name / "annotations.csv") as f:
            assert {r["image_id"] for r in csv.DictReader(f)} <= test_ids


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"whole data sets not found at {SHARED}")
@pytest.mark.parametrize(
    ("name", "group", "stratum"), [("ham10000", "lesion_id", "dx"), ("acne04", "source_id", "severity_grade")]
)
def test_official_split_has_no_group_leak_and_keeps_shares(name, group, stratum):
    with open(SHARED / name / "annotations.csv") as f:
        rows = {r["image_id"]: r for r in csv.DictReader(f)}
    doc = json.loads((SPLITS / f"{name}.json").read_text())
    groups = {k: {rows[i][group] for i in doc[k]} for k in ("train", "val", "test")}
    assert not (
        groups["train"] & groups["val"] or groups["train"] & groups["test"] or groups["val"] & groups["test"]
    )
    overall = Counter(r[stratum] for r in rows.values())
    for k in ("train", "val", "test"):
        counts = Counter(rows[i][stratum] for i in doc[k])
        for s, c in overall.items():
            assert abs(counts[s] / len(doc[k]) - c / len(rows)) < 0.02, (k, s)
