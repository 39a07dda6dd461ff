"""Pascal VOC XML read/write for the in-memory Dataset.

Coordinates are taken as pixel edges (xmax/ymax exclusive), the convention of the CSV exports and of the
third-party ACNE04 files, so no +-1 shift is applied. Beyond standard VOC, files written here carry
<image_id>, <group> and <metadata><entry key=.. type=..> so that a round trip keeps every field.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from training.data.dataset import Box, Dataset, DatasetError, ImageRecord, MetadataValue

_TYPES = {"int": int, "float": float, "str": str}


def _text(parent: ET.Element, tag: str, where: str) -> str:
    node = parent.find(tag)
    if node is None or node.text is None or not node.text.strip():
        raise DatasetError(f"{where}: missing <{tag}>")
    return node.text.strip()


def _number(parent: ET.Element, tag: str, where: str) -> float:
    text = _text(parent, tag, where)
    try:
        return float(text)
    except ValueError:
        raise DatasetError(f"{where}: <{tag}> is not a number: {text!r}") from None


def _metadata_value(entry: ET.Element, where: str) -> MetadataValue:
    kind = entry.get("type", "str")
    if kind == "null":
        return None
    if kind not in _TYPES:
        raise DatasetError(f"{where}: metadata entry {entry.get('key')!r} has unknown type {kind!r}")
    try:
        return _TYPES[kind](entry.text or "")
    except ValueError:
        raise DatasetError(
            f"{where}: metadata entry {entry.get('key')!r} is not {kind}: {entry.text!r}"
        ) from None


def read_voc_file(xml_path: Path, images_dir: Path, label_map: dict[str, str] | None = None) -> ImageRecord:
    where = str(xml_path)
    try:
        root = ET.parse(xml_path).getroot()
    except (OSError, ET.ParseError) as e:
        raise DatasetError(f"{where}: not a readable XML file ({e})") from e
    if root.tag != "annotation":
        raise DatasetError(f"{where}: root element is <{root.tag}>, expected <annotation>")
    file_name = _text(root, "filename", where)
    size = root.find("size")
    if size is None:
        raise DatasetError(f"{where}: missing <size>")
    width, height = int(_number(size, "width", where)), int(_number(size, "height", where))
    if width <= 0 or height <= 0:
        raise DatasetError(f"{where}: non-positive <size> {width}x{height}")
    id_node, group_node = root.find("image_id"), root.find("group")
    metadata: dict[str, MetadataValue] = {}
    for entry in root.findall("metadata/entry"):
        if not entry.get("key"):
            raise DatasetError(f"{where}: metadata <entry> without key")
        metadata[entry.get("key")] = _metadata_value(entry, where)
    boxes = []
    for i, obj in enumerate(root.findall("object")):
        owhere = f"{where}: object[{i}]"
        label = _text(obj, "name", owhere)
        label = label_map.get(label, label) if label_map else label
        bb = obj.find("bndbox")
        if bb is None:
            raise DatasetError(f"{owhere}: missing <bndbox>")
        x0, y0, x1, y1 = (_number(bb, t, owhere) for t in ("xmin", "ymin", "xmax", "ymax"))
        boxes.append(Box.from_xyxy(x0, y0, x1, y1, label))
    return ImageRecord(
        image_id=id_node.text.strip() if id_node is not None and id_node.text else Path(file_name).stem,
        file_name=file_name,
        path=(Path(images_dir) / file_name).resolve(),
        width=width,
        height=height,
        group=group_node.text.strip() if group_node is not None and group_node.text else None,
        metadata=metadata,
        boxes=boxes,
    )


def load_voc(voc_dir, images_dir, categories: list[str] | None = None, label_map=None) -> Dataset:
    """Read every *.xml in voc_dir (sorted by name). Image paths are images_dir / <filename>.

    categories: the category list in order; labels outside it are an error. Default: the sorted labels found.
    label_map: renames labels while reading (e.g. ACNE04's four exporter classes to one category).
    """
    voc_dir = Path(voc_dir)
    files = sorted(voc_dir.glob("*.xml"))
    if not files:
        raise DatasetError(f"{voc_dir}: no .xml files")
    images = [read_voc_file(f, Path(images_dir), label_map) for f in files]
    found = sorted({b.label for im in images for b in im.boxes})
    if categories is None:
        categories = found
    else:
        unknown = sorted(set(found) - set(categories))
        if unknown:
            raise DatasetError(f"{voc_dir}: labels not among the categories {categories}: {unknown}")
    seen: dict[str, Path] = {}
    for f, im in zip(files, images, strict=True):
        if im.image_id in seen:
            raise DatasetError(f"{f}: image id {im.image_id!r} already read from {seen[im.image_id]}")
        seen[im.image_id] = f
    return Dataset(list(categories), images)


def _fmt(v: float) -> str:
    v = round(float(v), 6)
    return str(int(v)) if v.is_integer() else repr(v)


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    node = ET.SubElement(parent, tag)
    if text is not None:
        node.text = text
    return node


def voc_element(im: ImageRecord) -> ET.Element:
    root = ET.Element("annotation")
    _sub(root, "folder", "")
    _sub(root, "filename", Path(im.file_name).name)
    _sub(root, "image_id", im.image_id)
    if im.group is not None:
        _sub(root, "group", im.group)
    size = _sub(root, "size")
    _sub(size, "width", str(im.width))
    _sub(size, "height", str(im.height))
    _sub(size, "depth", "3")
    _sub(root, "segmented", "0")
    for b in im.boxes:
        obj = _sub(root, "object")
        _sub(obj, "name", b.label)
        _sub(obj, "pose", "Unspecified")
        _sub(obj, "truncated", "0")
        _sub(obj, "difficult", "0")
        bb = _sub(obj, "bndbox")
        for tag, v in zip(("xmin", "ymin", "xmax", "ymax"), b.xyxy(), strict=True):
            _sub(bb, tag, _fmt(v))
    meta = _sub(root, "metadata")
    for key, value in im.metadata.items():
        kind = "null" if value is None else {int: "int", float: "float"}.get(type(value), "str")
        entry = _sub(
            meta, "entry", None if value is None else (repr(value) if kind == "float" else str(value))
        )
        entry.set("key", key)
        entry.set("type", kind)
    ET.indent(root, space="\t")
    return root


def voc_file_name(image_id: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in image_id)
    return f"{safe}.xml"


def write_voc(ds: Dataset, voc_dir) -> None:
    """One XML per image, named after its image id. load_voc needs the images in one folder to find them."""
    voc_dir = Path(voc_dir)
    voc_dir.mkdir(parents=True, exist_ok=True)
    names: set[str] = set()
    for im in ds.images:
        name = voc_file_name(im.image_id)
        if name in names:
            raise DatasetError(f"image id {im.image_id!r}: VOC file name {name} is used by another image")
        names.add(name)
        ET.ElementTree(voc_element(im)).write(voc_dir / name, encoding="utf-8", xml_declaration=False)
