"""Conversion of clinic CSVs: the committed samples convert cleanly, and each defect is reported by name."""

import argparse
import csv
import json
import shutil
from pathlib import Path

import pytest
from pycocotools.coco import COCO

from training.data import convert
from training.data.convert import ColumnMapping, convert_csv
from training.data.dataset import load_coco

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
CONFIGS = REPO / "training" / "data" / "configs"
HAM_HEADER = "image_id,file,lesion_id,age,sex,localization,dx,dx_type,width,height,x_min,y_min,x_max,y_max"


def run_convert(tmp_path: Path, csv_path: Path, config: Path, *extra: str) -> int:
    parser = argparse.ArgumentParser()
    convert.add_arguments(parser)
    args = parser.parse_args(
        ["--csv", str(csv_path), "--config", str(config), "--out", str(tmp_path / "out"), *extra]
    )
    return convert.main(args)


def test_ham10000_sample_converts_with_metadata_and_groups(tmp_path):
    assert run_convert(tmp_path, SAMPLES / "ham10000" / "annotations.csv", CONFIGS / "ham10000.json") == 0
    coco = COCO(str(tmp_path / "out" / "annotations.json"))
    assert (len(coco.imgs), len(coco.anns), len(coco.cats)) == (239, 239, 7)
    assert len(list((tmp_path / "out" / "voc").glob("*.xml"))) == 239
    ds = load_coco(tmp_path / "out" / "annotations.json")
    im = ds.by_id()["ISIC_0024330"]
    assert im.path == (SAMPLES / "ham10000" / "images" / "ISIC_0024330.jpg").resolve()
    assert (im.width, im.height, im.group) == (200, 150, "HAM_0006188")
    assert im.metadata == {
        "age": 40,
        "sex": "male",
        "localization": "lower extremity",
        "dx_type": "consensus",
    }
    assert [(b.label, b.x, b.y, round(b.x + b.w, 2), round(b.y + b.h, 2)) for b in im.boxes] == [
        ("df", 43.33, 30.33, 153.0, 115.67)
    ]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["issues"] == [] and report["passed"] is True


def test_acne04_sample_converts_many_boxes_per_image(tmp_path):
    assert run_convert(tmp_path, SAMPLES / "acne04" / "annotations.csv", CONFIGS / "acne04.json") == 0
    ds = load_coco(tmp_path / "out" / "annotations.json")
    with open(SAMPLES / "acne04" / "annotations.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(ds.images) == 20 and ds.num_boxes == len(rows)
    assert ds.categories == ["acne_lesion"]
    assert {im.metadata["severity_grade"] for im in ds.images} == {0, 1, 2, 3}


@pytest.fixture
def clinic(tmp_path):
    """A small clinic export next to three real sample images; returns a function that writes the CSV."""
    images = tmp_path / "clinic" / "images"
    images.mkdir(parents=True)
    for name in ("ISIC_0024330", "ISIC_0024331"):
        shutil.copyfile(SAMPLES / "ham10000" / "images" / f"{name}.jpg", images / f"{name}.jpg")

    def write(*rows: str) -> Path:
        path = tmp_path / "clinic" / "export.csv"
        path.write_text("\n".join([HAM_HEADER, *rows]) + "\n")
        return path

    return write


GOOD = "A,images/ISIC_0024330.jpg,L1,40,male,back,df,histo,200,150,10,20,110,120"


def issues_of(report) -> list[tuple[int, str, str]]:
    return [(i.row, i.reason, i.action) for i in report.issues]


def ham_mapping() -> ColumnMapping:
    return ColumnMapping.from_file(CONFIGS / "ham10000.json")


def test_missing_image_file_is_rejected(clinic):
    _, report = convert_csv(
        clinic(GOOD, "B,images/nowhere.jpg,L2,40,male,back,df,histo,200,150,1,2,3,4"), ham_mapping()
    )
    assert issues_of(report) == [(3, "missing_image", "rejected")]
    assert "nowhere.jpg" in report.issues[0].detail


def test_corrupt_and_truncated_images_are_rejected(clinic, tmp_path):
    images = tmp_path / "clinic" / "images"
    (images / "garbage.jpg").write_bytes(b"this is not an image")
    whole = (images / "ISIC_0024331.jpg").read_bytes()
    (images / "truncated.jpg").write_bytes(whole[: len(whole) // 2])
    ds, report = convert_csv(
        clinic(
            GOOD,
            "B,images/garbage.jpg,L2,40,male,back,df,histo,200,150,1,2,30,40",
            "C,images/truncated.jpg,L3,40,male,back,df,histo,200,150,1,2,30,40",
        ),
        ham_mapping(),
    )
    assert issues_of(report) == [(3, "corrupt_image", "rejected"), (4, "corrupt_image", "rejected")]
    assert "truncated" in report.issues[1].detail
    assert [im.image_id for im in ds.images] == ["A"]


def test_box_partly_outside_is_clipped_and_wholly_outside_rejected(clinic):
    ds, report = convert_csv(
        clinic(
            "A,images/ISIC_0024330.jpg,L1,40,male,back,df,histo,200,150,-5,20,210,120",
            "A,images/ISIC_0024330.jpg,L1,40,male,back,df,histo,200,150,250,20,300,120",
        ),
        ham_mapping(),
    )
    assert issues_of(report) == [(2, "box_clipped", "repaired"), (3, "box_outside", "rejected")]
    assert [b.xyxy() for b in ds.images[0].boxes] == [(0.0, 20.0, 200.0, 120.0)]


def test_empty_negative_and_non_numeric_boxes_are_rejected(clinic):
    _, report = convert_csv(
        clinic(
            GOOD,
            "A,images/ISIC_0024330.jpg,L1,40,male,back,df,histo,200,150,10,20,10,120",
            "A,images/ISIC_0024330.jpg,L1,40,male,back,df,histo,200,150,50,20,40,120",
            "A,images/ISIC_0024330.jpg,L1,40,male,back,df,histo,200,150,ten,20,40,120",
        ),
        ham_mapping(),
    )
    assert issues_of(report) == [
        (3, "empty_box", "rejected"),
        (4, "negative_box", "rejected"),
        (5, "invalid_box", "rejected"),
    ]


def test_empty_and_unknown_labels_are_rejected(clinic):
    _, report = convert_csv(
        clinic(
            GOOD,
            "A,images/ISIC_0024330.jpg,L1,40,male,back,,histo,200,150,10,20,50,60",
            "A,images/ISIC_0024330.jpg,L1,40,male,back,psoriasis,histo,200,150,10,20,50,60",
        ),
        ham_mapping(),
    )
    assert issues_of(report) == [(3, "empty_label", "rejected"), (4, "unknown_label", "rejected")]
    assert "psoriasis" in report.issues[1].detail


def test_duplicate_row_is_rejected_once(clinic):
    ds, report = convert_csv(clinic(GOOD, GOOD), ham_mapping())
    assert issues_of(report) == [(3, "duplicate_row", "rejected")]
    assert ds.num_boxes == 1


def test_declared_size_differing_from_real_size_is_repaired(clinic):
    ds, report = convert_csv(
        clinic("A,images/ISIC_0024330.jpg,L1,40,male,back,df,histo,600,450,10,20,110,120"), ham_mapping()
    )
    assert issues_of(report) == [(2, "size_mismatch", "repaired")]
    assert "declared 600x450, real 200x150" in report.issues[0].detail
    assert (ds.images[0].width, ds.images[0].height) == (200, 150)


def test_missing_group_id_is_reported_and_image_kept(clinic):
    ds, report = convert_csv(
        clinic("A,images/ISIC_0024330.jpg,,40,male,back,df,histo,200,150,10,20,110,120"), ham_mapping()
    )
    assert issues_of(report) == [(2, "missing_group", "repaired")]
    assert ds.images[0].group is None


def test_malformed_and_conflicting_rows_are_rejected(clinic):
    _, report = convert_csv(
        clinic(
            GOOD,
            "A,images/ISIC_0024330.jpg,L1,40,male",
            "A,images/ISIC_0024330.jpg,L9,40,male,back,df,histo,200,150,30,20,110,120",
        ),
        ham_mapping(),
    )
    assert issues_of(report) == [
        (3, "malformed_row", "rejected"),
        (4, "conflicting_image_fields", "rejected"),
    ]
    assert "group" in report.issues[1].detail


def test_missing_column_names_the_column(clinic):
    mapping = ham_mapping()
    mapping.group = "patient_id"
    with pytest.raises(SystemExit, match="patient_id"):
        convert_csv(clinic(GOOD), mapping)


def test_too_many_rejections_exit_non_zero_and_write_no_dataset(clinic, tmp_path):
    csv_path = clinic(GOOD, "B,images/nowhere.jpg,L2,40,male,back,df,histo,200,150,1,2,3,4")
    assert run_convert(tmp_path, csv_path, CONFIGS / "ham10000.json") == 1
    assert not (tmp_path / "out" / "annotations.json").exists()
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["rejected_by_reason"] == {"missing_image": 1} and report["passed"] is False
    assert run_convert(tmp_path, csv_path, CONFIGS / "ham10000.json", "--max-rejected", "0.5") == 0
    assert (tmp_path / "out" / "annotations.json").exists()


def test_xywh_mapping_by_flags(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    shutil.copyfile(SAMPLES / "ham10000" / "images" / "ISIC_0024330.jpg", images / "p1.jpg")
    csv_path = tmp_path / "export.csv"
    csv_path.write_text("path,dx,patient,left,top,w,h,sex\nimages/p1.jpg,mel,P7,10,20,30,40,female\n")
    flags = "--image-col path --label-col dx --group-col patient --box-cols left,top,w,h --box-format xywh"
    parser = argparse.ArgumentParser()
    convert.add_arguments(parser)
    args = parser.parse_args(
        [*flags.split(), "--keep", "sex", "--csv", str(csv_path), "--out", str(tmp_path / "o")]
    )
    assert convert.main(args) == 0
    im = load_coco(tmp_path / "o" / "annotations.json").images[0]
    assert (im.image_id, im.group, im.metadata) == ("p1", "P7", {"sex": "female"})
    assert [(b.x, b.y, b.w, b.h, b.label) for b in im.boxes] == [(10.0, 20.0, 30.0, 40.0, "mel")]
