"""`python -m training convert`: a clinic CSV (one row per lesion box) to COCO JSON + Pascal VOC + a report.

Nothing is dropped silently: every rejected or repaired row is listed in report.json with its reason.
Rows are rejected for: missing_image, corrupt_image, box_outside (no overlap with the image), empty_box,
negative_box, invalid_box (not a number), empty_label, unknown_label, duplicate_row, malformed_row,
conflicting_image_fields. Rows are repaired for: box_clipped (box clipped to the image), size_mismatch (the
image's real size replaces the declared one; boxes keep their pixel coordinates), missing_group (the image
becomes its own group when splitting). A row with an empty label and four empty box fields is an image
without lesions.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from training.data.dataset import Box, Dataset, ImageRecord, write_coco, write_text_atomic
from training.data.image_probe import probe_images
from training.data.voc import write_voc

REJECTED, REPAIRED = "rejected", "repaired"


@dataclass
class ColumnMapping:
    image: str = "file"
    label: str = "label"
    box: tuple[str, str, str, str] = ("x_min", "y_min", "x_max", "y_max")
    box_format: str = "xyxy"  # or "xywh"
    image_id: str | None = None  # default: the image file's stem
    group: str | None = None
    width: str | None = None  # declared size columns, checked against the real image
    height: str | None = None
    keep: list[str] = field(default_factory=list)  # metadata columns kept per image
    categories: list[str] | None = None  # labels outside this list are rejected as unknown_label

    def __post_init__(self):
        if self.box_format not in ("xyxy", "xywh"):
            raise ValueError(f"box_format must be 'xyxy' or 'xywh', got {self.box_format!r}")
        if len(self.box) != 4:
            raise ValueError(f"box needs four column names, got {self.box!r}")
        self.box = tuple(self.box)

    @classmethod
    def from_file(cls, path) -> ColumnMapping:
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(**doc)
        except (OSError, json.JSONDecodeError, TypeError, ValueError) as e:
            raise SystemExit(f"error: column mapping {path}: {e}") from e

    def required_columns(self) -> list[str]:
        cols = [
            self.image,
            self.label,
            *self.box,
            self.image_id,
            self.group,
            self.width,
            self.height,
            *self.keep,
        ]
        return [c for c in dict.fromkeys(cols) if c]


@dataclass
class Issue:
    row: int | None  # 1-based line number in the CSV (the header is line 1)
    image_id: str | None
    reason: str
    action: str  # "rejected" or "repaired"
    detail: str


@dataclass
class Report:
    csv: str
    rows: int = 0
    images: int = 0
    boxes: int = 0
    categories: dict[str, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    rejected_rows: int = 0
    max_rejected_fraction: float = 0.01
    seconds: float = 0.0

    @property
    def rejected_fraction(self) -> float:
        return self.rejected_rows / self.rows if self.rows else 0.0

    @property
    def passed(self) -> bool:
        return self.rejected_fraction <= self.max_rejected_fraction

    def counts(self, action: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for i in self.issues:
            if i.action == action:
                out[i.reason] = out.get(i.reason, 0) + 1
        return dict(sorted(out.items()))

    def to_json(self) -> dict:
        doc = asdict(self)
        doc.update(
            rejected_fraction=round(self.rejected_fraction, 6),
            passed=self.passed,
            rejected_by_reason=self.counts(REJECTED),
            repaired_by_reason=self.counts(REPAIRED),
        )
        return doc

    def summary(self) -> str:
        lines = [
            f"{self.csv}: {self.rows} rows -> {self.images} images, {self.boxes} boxes, "
            f"{len(self.categories)} categories in {self.seconds:.1f} s",
            "boxes per category: " + ", ".join(f"{k} {v}" for k, v in self.categories.items()),
            f"rejected rows: {self.rejected_rows} ({100 * self.rejected_fraction:.2f} %, "
            f"threshold {100 * self.max_rejected_fraction:.2f} %) {self.counts(REJECTED) or ''}",
            f"repairs: {sum(self.counts(REPAIRED).values())} {self.counts(REPAIRED) or ''}",
        ]
        for i in self.issues[:20]:
            lines.append(f"  line {i.row}: {i.action} {i.reason}: {i.detail}")
        if len(self.issues) > 20:
            lines.append(f"  ... {len(self.issues) - 20} more in report.json")
        if not self.passed:
            lines.append("FAILED: rejected rows exceed the threshold; no dataset was written")
        return "\n".join(lines)


@dataclass
class _Row:
    line: int
    image_id: str
    path: Path
    file_name: str
    label: str
    box: tuple[float, float, float, float] | None  # xyxy
    group: str | None
    declared: tuple[int, int] | None
    metadata: dict[str, str]


def _typed_columns(images: list[ImageRecord], keep: list[str]) -> None:
    """Give each kept column one type (int, float or str) across all images; empty cells become None."""
    for col in keep:
        values = [im.metadata[col] for im in images if im.metadata.get(col) not in (None, "")]
        kind = str
        for candidate in (int, float):
            try:
                for v in values:
                    candidate(v)
                kind = candidate
                break
            except ValueError:
                continue
        for im in images:
            v = im.metadata.get(col)
            im.metadata[col] = None if v in (None, "") else kind(v)


def _parse_row(cells: dict[str, str], line: int, m: ColumnMapping, image_root: Path, report: Report):
    def reject(reason: str, detail: str, image_id=None):
        report.issues.append(Issue(line, image_id, reason, REJECTED, detail))

    file_name = cells[m.image].strip()
    image_id = (cells[m.image_id].strip() if m.image_id else "") or Path(file_name).stem or None
    if not file_name:
        return reject("missing_image", f"empty '{m.image}' column", image_id)
    label = cells[m.label].strip()
    raw_box = [cells[c].strip() for c in m.box]
    box = None
    if label or any(raw_box):
        if not label:
            return reject("empty_label", f"empty '{m.label}' column", image_id)
        if m.categories is not None and label not in m.categories:
            return reject("unknown_label", f"label {label!r} is not one of {m.categories}", image_id)
        try:
            a, b, c, d = (float(v) for v in raw_box)
        except ValueError:
            return reject("invalid_box", f"box {raw_box} is not four numbers", image_id)
        if not all(math.isfinite(v) for v in (a, b, c, d)):
            return reject("invalid_box", f"box {raw_box} is not finite", image_id)
        x0, y0, x1, y1 = (a, b, c, d) if m.box_format == "xyxy" else (a, b, a + c, b + d)
        if x1 < x0 or y1 < y0:
            return reject(
                "negative_box", f"box {raw_box} ({m.box_format}) has negative width or height", image_id
            )
        if x1 == x0 or y1 == y0:
            return reject("empty_box", f"box {raw_box} ({m.box_format}) has zero width or height", image_id)
        box = (x0, y0, x1, y1)
    declared = None
    if m.width and m.height and (cells[m.width].strip() or cells[m.height].strip()):
        try:
            declared = (int(float(cells[m.width])), int(float(cells[m.height])))
        except ValueError:
            declared = None  # an unreadable declared size is simply not checked; the real size is used
    group = cells[m.group].strip() if m.group else None
    path = Path(file_name) if Path(file_name).is_absolute() else image_root / file_name
    meta = {k: cells[k].strip() for k in m.keep}
    return _Row(line, image_id, path, file_name, label, box, group or None, declared, meta)


def _read_rows(csv_path: Path, m: ColumnMapping, image_root: Path, report: Report) -> list[_Row]:
    try:
        text = csv_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise SystemExit(f"error: cannot read {csv_path} as UTF-8 text: {e}") from e
    rows: list[_Row] = []
    with io.StringIO(text, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise SystemExit(f"error: {csv_path} is empty")
        header = [h.strip() for h in header]
        missing = [c for c in m.required_columns() if c not in header]
        if missing:
            raise SystemExit(f"error: {csv_path}: missing column(s) {missing}; header is {header}")
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            report.rows += 1
            if len(cells) != len(header):
                report.issues.append(
                    Issue(
                        line,
                        None,
                        "malformed_row",
                        REJECTED,
                        f"{len(cells)} fields, header has {len(header)}",
                    )
                )
                continue
            row = _parse_row(dict(zip(header, cells, strict=True)), line, m, image_root, report)
            if row is not None:
                rows.append(row)
    return rows


def _clip(box, width: int, height: int):
    x0, y0, x1, y1 = box
    return (max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1))


def convert_csv(
    csv_path, mapping: ColumnMapping, image_root=None, max_rejected_fraction: float = 0.01, workers=None
) -> tuple[Dataset, Report]:
    """Read, check and convert the CSV; returns the dataset of accepted rows and the report."""
    start = time.perf_counter()
    csv_path = Path(csv_path)
    image_root = Path(image_root) if image_root else csv_path.parent
    report = Report(csv=str(csv_path), max_rejected_fraction=max_rejected_fraction)
    rows = _read_rows(csv_path, mapping, image_root, report)
    probes = probe_images([r.path for r in rows], workers)

    def issue(row: _Row, reason: str, action: str, detail: str):
        report.issues.append(Issue(row.line, row.image_id, reason, action, detail))

    images: dict[str, ImageRecord] = {}
    first_row: dict[str, _Row] = {}
    seen: set[tuple] = set()
    for r in rows:
        probe = probes[r.path]
        if probe.error:
            issue(r, probe.error, REJECTED, probe.detail)
            continue
        key = (r.image_id, r.label, r.box)
        if key in seen:
            issue(
                r,
                "duplicate_row",
                REJECTED,
                f"same image, label and box as an earlier row: {r.label} {r.box}",
            )
            continue
        seen.add(key)
        im = images.get(r.image_id)
        if im is None:
            im = ImageRecord(
                r.image_id, r.file_name, r.path, probe.width, probe.height, r.group, dict(r.metadata)
            )
            if r.declared and r.declared != (probe.width, probe.height):
                issue(
                    r,
                    "size_mismatch",
                    REPAIRED,
                    f"declared {r.declared[0]}x{r.declared[1]}, real {probe.width}x{probe.height}; "
                    "real size used",
                )
            if r.group is None and mapping.group:
                issue(r, "missing_group", REPAIRED, f"empty '{mapping.group}'; the image is its own group")
            images[r.image_id], first_row[r.image_id] = im, r
        else:
            first = first_row[r.image_id]
            conflicts = [
                name
                for name, a, b in (
                    ("file", first.path, r.path),
                    ("group", first.group, r.group),
                    ("metadata", first.metadata, r.metadata),
                )
                if a != b
            ]
            if conflicts:
                issue(
                    r,
                    "conflicting_image_fields",
                    REJECTED,
                    f"{', '.join(conflicts)} differ from line {first.line} of the same image",
                )
                continue
        if r.box is None:
            continue
        clipped = _clip(r.box, im.width, im.height)
        if clipped[2] <= clipped[0] or clipped[3] <= clipped[1]:
            issue(r, "box_outside", REJECTED, f"box {r.box} lies outside the {im.width}x{im.height} image")
            continue
        if clipped != r.box:
            issue(
                r, "box_clipped", REPAIRED, f"box {r.box} clipped to {clipped} ({im.width}x{im.height} image)"
            )
        im.boxes.append(Box.from_xyxy(*clipped, r.label))

    accepted = list(images.values())
    _typed_columns(accepted, mapping.keep)
    labels = {b.label for im in accepted for b in im.boxes}
    categories = list(mapping.categories) if mapping.categories is not None else sorted(labels)
    ds = Dataset(categories, accepted)
    report.issues.sort(key=lambda i: i.row or 0)
    report.rejected_rows = sum(1 for i in report.issues if i.action == REJECTED)
    report.images, report.boxes = len(accepted), ds.num_boxes
    report.categories = {c: sum(b.label == c for im in accepted for b in im.boxes) for c in categories}
    report.seconds = round(time.perf_counter() - start, 3)
    return ds, report


def write_outputs(ds: Dataset, report: Report, out_dir: Path, image_root: Path) -> None:
    """report.json always; annotations.json and voc/ only when the report passed, each replaced whole."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if report.passed:
        staging = out_dir / ".voc.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        write_voc(ds, staging)
        write_coco(ds, out_dir / "annotations.json", image_root=image_root)
        shutil.rmtree(out_dir / "voc", ignore_errors=True)
        staging.rename(out_dir / "voc")
    write_text_atomic(out_dir / "report.json", json.dumps(report.to_json(), indent=1))
    write_text_atomic(out_dir / "summary.txt", report.summary() + "\n")


def add_arguments(p) -> None:
    p.add_argument("--csv", required=True, type=Path, help="the clinic CSV, one row per lesion box")
    p.add_argument(
        "--out", required=True, type=Path, help="output folder: annotations.json, voc/, report.json"
    )
    p.add_argument(
        "--config", type=Path, help="JSON column mapping (see training/data/configs/); flags override"
    )
    p.add_argument("--image-root", type=Path, help="folder the image column is relative to (default: CSV's)")
    p.add_argument("--image-col", help="column with the image path")
    p.add_argument("--id-col", help="column with the image id (default: the file name's stem)")
    p.add_argument("--label-col", help="column with the lesion category")
    p.add_argument("--box-cols", help="four comma-separated box columns, e.g. x_min,y_min,x_max,y_max")
    p.add_argument("--box-format", choices=["xyxy", "xywh"])
    p.add_argument("--group-col", help="patient or lesion id column used for grouped splits")
    p.add_argument("--size-cols", help="declared width,height columns to check against the real image")
    p.add_argument("--keep", help="comma-separated metadata columns to keep")
    p.add_argument("--categories", help="comma-separated allowed labels, in order (others: unknown_label)")
    p.add_argument(
        "--max-rejected", type=float, default=0.01, help="fraction of rejected rows that fails the run"
    )
    p.add_argument("--workers", type=int, help="image-decoding processes (default: cores - 1, at most 4)")


def mapping_from_args(args) -> ColumnMapping:
    base = asdict(ColumnMapping.from_file(args.config)) if args.config else {}
    split = lambda s: [v.strip() for v in s.split(",") if v.strip()]  # noqa: E731
    flags = {
        "image": args.image_col,
        "image_id": args.id_col,
        "label": args.label_col,
        "box": split(args.box_cols) if args.box_cols else None,
        "box_format": args.box_format,
        "group": args.group_col,
        "keep": split(args.keep) if args.keep is not None else None,
        "categories": split(args.categories) if args.categories else None,
    }
    if args.size_cols:
        flags["width"], flags["height"] = split(args.size_cols)
    base.update({k: v for k, v in flags.items() if v is not None})
    try:
        return ColumnMapping(**base)
    except ValueError as e:
        raise SystemExit(f"error: {e}") from e


def main(args) -> int:
    start = time.perf_counter()
    mapping = mapping_from_args(args)
    image_root = args.image_root or args.csv.parent
    ds, report = convert_csv(args.csv, mapping, image_root, args.max_rejected, args.workers)
    write_outputs(ds, report, args.out, image_root)
    print(report.summary())
    written = ", annotations.json, voc/" if report.passed else ""
    print(f"wrote {args.out}/report.json{written} ({time.perf_counter() - start:.1f} s in all)")
    return 0 if report.passed else 1
