"""COCO and VOC parsing: real third-party VOC files, the CSV -> COCO -> dataset -> VOC -> dataset round trip,
and clear errors for malformed files."""

import csv
import json
import shutil
from pathlib import Path

import pytest

from training.data.convert import ColumnMapping, convert_csv
from training.data.dataset import Box, Dataset, DatasetError, ImageRecord, load_coco, write_coco
from training.data.voc import load_voc, write_voc

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
CONFIGS = REPO / "training" / "data" / "configs"
ACNE_CLASSES = ["nodules and cysts", "papules", "pustules", "whitehead and blackhead"]


def content(ds: Dataset):
    """Everything a round trip must keep, independent of file layout."""
    return {
        im.image_id: (
            im.path.name,
            im.width,
            im.height,
            im.group,
            im.metadata,
            sorted((b.label, *(round(v, 6) for v in b.xyxy())) for b in im.boxes),
        )
        for im in ds.images
    }


@pytest.mark.parametrize("name", ["ham10000", "acne04"])
def test_round_trip_csv_coco_dataset_voc_dataset(tmp_path, name):
    mapping = ColumnMapping.from_file(CONFIGS / f"{name}.json")
    from_csv, report = convert_csv(SAMPLES / name / "annotations.csv", mapping)
    assert report.issues == []
    write_coco(from_csv, tmp_path / "annotations.json", image_root=SAMPLES / name)
    from_coco = load_coco(tmp_path / "annotations.json")
    write_voc(from_coco, tmp_path / "voc")
    from_voc = load_voc(tmp_path / "voc", SAMPLES / name / "images", categories=from_coco.categories)
    assert content(from_voc) == content(from_coco) == content(from_csv)
    assert from_voc.categories == from_coco.categories == from_csv.categories


def test_real_third_party_voc_files_match_the_csv():
    ds = load_voc(SAMPLES / "acne04" / "voc", SAMPLES / "acne04" / "images")
    assert ds.categories == sorted(ds.categories) and set(ds.categories) <= set(ACNE_CLASSES)
    with open(SAMPLES / "acne04" / "annotations.csv") as f:
        rows = list(csv.DictReader(f))
    expected: dict[str, list] = {}
    for r in rows:
        expected.setdefault(r["image_id"], []).append(
            tuple(float(r[k]) for k in ("x_min", "y_min", "x_max", "y_max"))
        )
    assert {im.image_id: sorted(b.xyxy() for b in im.boxes) for im in ds.images} == {
        k: sorted(v) for k, v in expected.items()
    }
    assert all(im.path.is_file() and (im.width, im.height) == (640, 640) for im in ds.images)


def test_voc_label_map_merges_exporter_classes():
    ds = load_voc(
        SAMPLES / "acne04" / "voc",
        SAMPLES / "acne04" / "images",
        categories=["acne_lesion"],
        label_map={c: "acne_lesion" for c in ACNE_CLASSES},
    )
    assert {b.label for im in ds.images for b in im.boxes} == {"acne_lesion"}


def test_voc_errors_name_the_file_and_field(tmp_path):
    voc = tmp_path / "voc"
    shutil.copytree(SAMPLES / "acne04" / "voc", voc)
    victim = sorted(voc.glob("*.xml"))[3]
    victim.write_text(victim.read_text().replace("<xmin>", "<xmin>abc", 1))
    with pytest.raises(DatasetError, match=rf"{victim.name}.*object\[0\].*xmin.*abc"):
        load_voc(voc, SAMPLES / "acne04" / "images")
    victim.write_text("<annotation><filename>x.jpg</filename>")
    with pytest.raises(DatasetError, match=rf"{victim.name}: not a readable XML"):
        load_voc(voc, SAMPLES / "acne04" / "images")
    with pytest.raises(DatasetError, match="unknown-label"):
        load_voc(SAMPLES / "acne04" / "voc", SAMPLES / "acne04" / "images", categories=["unknown-label"])


def coco_doc() -> dict:
    return {
        "images": [{"id": 7, "file_name": "images/a.jpg", "width": 200, "height": 150}],
        "annotations": [
            {"id": 1, "image_id": 7, "category_id": 3, "bbox": [1, 2, 3, 4], "area": 12, "iscrowd": 0}
        ],
        "categories": [{"id": 3, "name": "mel"}],
    }


def test_third_party_coco_with_integer_ids_loads(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(coco_doc()))
    ds = load_coco(tmp_path / "a.json")
    assert ds.categories == ["mel"]
    im = ds.images[0]
    assert (im.image_id, im.path, im.group) == ("7", (tmp_path / "images" / "a.jpg").resolve(), None)
    assert im.boxes == [Box(1.0, 2.0, 3.0, 4.0, "mel")]


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: d["annotations"][0].update(category_id=9), r"annotations\[0\]: category_id 9"),
        (lambda d: d["annotations"][0].update(image_id=8), r"annotations\[0\]: image_id 8"),
        (lambda d: d["annotations"][0].update(bbox=[1, 2, 3]), r"annotations\[0\]: bbox"),
        (lambda d: d["images"][0].pop("width"), r"images\[0\]: missing field 'width'"),
        (lambda d: d.pop("categories"), "missing field 'categories'"),
    ],
)
def test_malformed_coco_names_the_entry(tmp_path, breakage, message):
    doc = coco_doc()
    breakage(doc)
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(DatasetError, match=message):
        load_coco(tmp_path / "bad.json")
    (tmp_path / "cut.json").write_text(json.dumps(coco_doc())[:50])
    with pytest.raises(DatasetError, match="cut.json: not a readable JSON"):
        load_coco(tmp_path / "cut.json")


def test_subset_keeps_order_and_rejects_unknown_ids():
    images = [ImageRecord(str(i), f"{i}.jpg", Path(f"/x/{i}.jpg"), 10, 10) for i in range(5)]
    ds = Dataset(["mel"], images)
    assert [im.image_id for im in ds.subset(["3", "1"]).images] == ["1", "3"]
    with pytest.raises(KeyError, match="'9'"):
        ds.subset(["1", "9"])
