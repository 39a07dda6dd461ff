"""The one typed in-memory dataset that training and evaluation use, and its COCO JSON read/write.

COCO layout written here (readable by pycocotools):
- images: {"id": int, "image_id": str, "file_name", "width", "height", "group", "metadata": {...}}
- categories: {"id": 1.., "name"} in `Dataset.categories` order
- annotations: {"id", "image_id": int, "category_id", "bbox": [x, y, w, h], "area", "iscrowd": 0}
- optional top-level "image_root": folder that file_name is relative to (absolute, or relative to the JSON's
  folder); without it file_name is relative to the JSON's folder, or absolute.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MetadataValue = str | int | float | None


class DatasetError(ValueError):
    """A malformed annotation file; the message names the file and the entry or field."""


@dataclass
class Box:
    """One lesion box in COCO xywh pixel coordinates (x, y = top-left edge)."""

    x: float
    y: float
    w: float
    h: float
    label: str

    @property
    def area(self) -> float:
        return self.w * self.h

    def xyxy(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.x + self.w, self.y + self.h)

    @classmethod
    def from_xyxy(cls, x_min: float, y_min: float, x_max: float, y_max: float, label: str) -> Box:
        # Rounding keeps float noise (109.33000000000001) out of the written files.
        return cls(x_min, y_min, round(x_max - x_min, 6), round(y_max - y_min, 6), label)


@dataclass
class ImageRecord:
    image_id: str
    file_name: str  # as written in the source (relative to the image root), e.g. "images/ISIC_0024306.jpg"
    path: Path  # resolved location of the image file
    width: int
    height: int
    group: str | None = None  # grouping unit for splits: patient, lesion_id, source_id
    metadata: dict[str, MetadataValue] = field(default_factory=dict)
    boxes: list[Box] = field(default_factory=list)

    def labels(self) -> set[str]:
        return {b.label for b in self.boxes}


@dataclass
class Dataset:
    categories: list[str]
    images: list[ImageRecord]

    def subset(self, image_ids) -> Dataset:
        """The images with these ids, in this dataset's order; an unknown id is an error."""
        wanted = set(image_ids)
        known = self.by_id()
        missing = sorted(wanted - known.keys())
        if missing:
            raise KeyError(f"{len(missing)} image id(s) not in the dataset, e.g. {missing[:5]}")
        return Dataset(list(self.categories), [im for im in self.images if im.image_id in wanted])

    def by_id(self) -> dict[str, ImageRecord]:
        return {im.image_id: im for im in self.images}

    @property
    def num_boxes(self) -> int:
        return sum(len(im.boxes) for im in self.images)


def _require(entry: dict, key: str, where: str, kind=None):
    if key not in entry:
        raise DatasetError(f"{where}: missing field '{key}'")
    value = entry[key]
    if kind is not None and not isinstance(value, kind):
        raise DatasetError(f"{where}: field '{key}' must be {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


def load_coco(path) -> Dataset:
    """Read a COCO detection file (ours or a third party's) into a Dataset."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DatasetError(f"{path}: not a readable JSON file ({e})") from e
    if not isinstance(doc, dict):
        raise DatasetError(f"{path}: top level must be an object with images, annotations, categories")
    root = path.parent
    if doc.get("image_root"):
        root = root / doc["image_root"]  # an absolute image_root replaces the JSON's folder

    cat_names: dict[int, str] = {}
    for i, c in enumerate(_require(doc, "categories", str(path), list)):
        where = f"{path}: categories[{i}]"
        cid, name = _require(c, "id", where, int), _require(c, "name", where, str)
        if not name:
            raise DatasetError(f"{where}: empty category name")
        if cid in cat_names:
            raise DatasetError(f"{where}: duplicate category id {cid}")
        cat_names[cid] = name
    categories = [cat_names[k] for k in sorted(cat_names)]
    if len(set(categories)) != len(categories):
        raise DatasetError(f"{path}: duplicate category names in {categories}")

    images: list[ImageRecord] = []
    by_coco_id: dict[int | str, ImageRecord] = {}
    for i, im in enumerate(_require(doc, "images", str(path), list)):
        where = f"{path}: images[{i}]"
        coco_id = _require(im, "id", where, (int, str))
        file_name = _require(im, "file_name", where, str)
        width, height = _require(im, "width", where, int), _require(im, "height", where, int)
        if width <= 0 or height <= 0:
            raise DatasetError(f"{where}: non-positive size {width}x{height}")
        image_id = str(im.get("image_id", coco_id))
        if coco_id in by_coco_id:
            raise DatasetError(f"{where}: duplicate image id {coco_id!r}")
        group = im.get("group")
        record = ImageRecord(
            image_id=image_id,
            file_name=file_name,
            path=(root / file_name).resolve() if not os.path.isabs(file_name) else Path(file_name),
            width=width,
            height=height,
            group=None if group is None else str(group),
            metadata=dict(im.get("metadata") or {}),
        )
        images.append(record)
        by_coco_id[coco_id] = record
    if len({im.image_id for im in images}) != len(images):
        raise DatasetError(f"{path}: duplicate image_id strings among images")

    for i, a in enumerate(_require(doc, "annotations", str(path), list)):
        where = f"{path}: annotations[{i}]"
        image = by_coco_id.get(_require(a, "image_id", where))
        if image is None:
            raise DatasetError(f"{where}: image_id {a['image_id']!r} is not in images")
        cid = _require(a, "category_id", where, int)
        if cid not in cat_names:
            raise DatasetError(f"{where}: category_id {cid} is not in categories")
        bbox = _require(a, "bbox", where, list)
        if len(bbox) != 4 or not all(isinstance(v, (int, float)) for v in bbox):
            raise DatasetError(f"{where}: bbox must be four numbers [x, y, w, h], got {bbox!r}")
        image.boxes.append(
            Box(float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3]), cat_names[cid])
        )
    return Dataset(categories, images)


def coco_dict(ds: Dataset, json_dir: Path, image_root=None) -> dict:
    """The COCO document for `ds`, with file names relative to image_root (or to json_dir)."""
    base = Path(image_root).resolve() if image_root is not None else json_dir.resolve()
    cat_ids = {name: i + 1 for i, name in enumerate(ds.categories)}
    images, annotations = [], []
    for n, im in enumerate(ds.images, start=1):
        try:
            file_name = os.path.relpath(im.path.resolve(), base)
        except ValueError:  # another drive on Windows
            file_name = str(im.path.resolve())
        if image_root is None and file_name.startswith(".."):
            file_name = str(im.path.resolve())
        images.append(
            {
                "id": n,
                "image_id": im.image_id,
                "file_name": Path(file_name).as_posix(),
                "width": im.width,
                "height": im.height,
                "group": im.group,
                "metadata": im.metadata,
            }
        )
        for b in im.boxes:
            if b.label not in cat_ids:
                raise DatasetError(f"image {im.image_id}: box label {b.label!r} is not a category")
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": n,
                    "category_id": cat_ids[b.label],
                    "bbox": [b.x, b.y, b.w, b.h],
                    "area": b.area,
                    "iscrowd": 0,
                }
            )
    doc = {
        "info": {"description": "DermaRead dataset", "version": "1"},
        "images": images,
        "annotations": annotations,
        "categories": [{"id": i, "name": name, "supercategory": "lesion"} for name, i in cat_ids.items()],
    }
    if image_root is not None:
        doc["image_root"] = str(base)
    return doc


def write_text_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a failure never leaves a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_coco(ds: Dataset, path, image_root=None) -> None:
    """Write `ds` as COCO JSON. With image_root, file names are relative to it (recorded as "image_root")."""
    path = Path(path)
    write_text_atomic(path, json.dumps(coco_dict(ds, path.parent, image_root), ensure_ascii=False))
