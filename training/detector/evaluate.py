"""`python -m training evaluate-detector`: COCO metrics (pycocotools) of detections against a COCO ground
truth: mAP@[.5:.95], mAP@.5, mAP@.75, AP per category, AR@1/10/100, class-agnostic AP@.5; JSON report plus a
PNG of the precision-recall curves at IoU .5."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from pathlib import Path

import numpy as np

from .decode import iou_one_to_many


def _coco_eval(gt: dict, dets: list[dict]):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    gt = copy.deepcopy(gt)
    gt.setdefault("info", {})
    for a in gt["annotations"]:
        a.setdefault("iscrowd", 0)
        a.setdefault("area", a["bbox"][2] * a["bbox"][3])
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = gt
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(copy.deepcopy(dets)) if dets else COCO()
        ev = COCOeval(coco_gt, coco_dt, "bbox")
        if not dets:
            return None
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev


def _ap(precision: np.ndarray) -> float:
    valid = precision[precision > -1]
    return float(valid.mean()) if valid.size else float("nan")


def class_agnostic(gt: dict, dets: list[dict], iou: float = 0.5) -> tuple[dict, list[dict]]:
    """Every box is a "lesion". The detector gives a lesion one box per plausible category (per-class NMS), so
    its boxes are first merged across categories by greedy NMS at `iou`: each lesion then counts once, scored
    by its most probable category, as a lesion detector would report it."""
    gt = copy.deepcopy(gt)
    gt["categories"] = [{"id": 1, "name": "lesion"}]
    for a in gt["annotations"]:
        a["category_id"] = 1
    by_image: dict = {}
    for d in sorted(dets, key=lambda d: -d["score"]):
        by_image.setdefault(d["image_id"], []).append(d)
    merged = []
    for image_dets in by_image.values():
        kept: list[np.ndarray] = []
        for d in image_dets:
            x, y, w, h = d["bbox"]
            box = np.array([x, y, x + w, y + h])
            if kept and (iou_one_to_many(box, np.array(kept)) > iou).any():
                continue
            kept.append(box)
            merged.append({**d, "category_id": 1})
    return gt, merged


def coco_metrics(gt: dict, dets: list[dict]) -> dict:
    """The report's numbers; `gt` is a COCO document, `dets` COCO results with its category ids."""
    names = {c["id"]: c["name"] for c in gt["categories"]}
    ev = _coco_eval(gt, dets)
    if ev is None:
        zero = {"mAP": 0.0, "mAP_50": 0.0, "mAP_75": 0.0, "AR_1": 0.0, "AR_10": 0.0, "AR_100": 0.0}
        return {
            **zero,
            "_precision_50": {},
            "per_category": {n: {"AP": 0.0, "AP_50": 0.0} for n in names.values()},
            "class_agnostic_AP_50": 0.0,
            "num_images": len(gt["images"]),
            "num_detections": 0,
        }
    s = ev.stats
    prec = ev.eval["precision"]  # [T, R, K, area, maxDets]
    per_cat = {}
    for k, cid in enumerate(ev.params.catIds):
        per_cat[names[cid]] = {"AP": _ap(prec[:, :, k, 0, -1]), "AP_50": _ap(prec[0, :, k, 0, -1])}
    ag_ev = _coco_eval(*class_agnostic(gt, dets))
    return {
        "mAP": float(s[0]),
        "mAP_50": float(s[1]),
        "mAP_75": float(s[2]),
        "AR_1": float(s[6]),
        "AR_10": float(s[7]),
        "AR_100": float(s[8]),
        "per_category": per_cat,
        "class_agnostic_AP_50": float(ag_ev.stats[1]),
        "num_images": len(gt["images"]),
        "num_detections": len(dets),
        "_precision_50": {
            names[cid]: prec[0, :, k, 0, -1].tolist() for k, cid in enumerate(ev.params.catIds)
        },
    }


def plot_pr(metrics: dict, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    recall = np.linspace(0, 1, 101)
    fig, ax = plt.subplots(figsize=(6, 5))
    for name, prec in metrics["_precision_50"].items():
        p = np.array(prec)
        ap = metrics["per_category"][name]["AP_50"]
        ax.plot(recall[p > -1], p[p > -1], label=f"{name} (AP@.5 {ap:.3f})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(
        f"{title}\nmAP@.5 {metrics['mAP_50']:.3f}, class-agnostic AP@.5 {metrics['class_agnostic_AP_50']:.3f}"
    )
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def add_arguments(p):
    p.add_argument("--coco", required=True, help="ground-truth COCO file")
    p.add_argument("--dets", required=True, help="detections JSON (COCO results, from predict-detector)")
    p.add_argument(
        "--out",
        required=True,
        help="report .json to write (its PR-curve PNG goes beside it), or a folder for report.json/.png",
    )


def report_path(out: str) -> Path:
    path = Path(out)
    if path.is_dir() or path.suffix.lower() != ".json":
        path.mkdir(parents=True, exist_ok=True)
        return path / "report.json"
    return path


def load_json(path, what: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise SystemExit(f"evaluate-detector: {path}: unreadable {what} ({e})") from e


def main(args) -> int:
    from training.data.dataset import write_text_atomic

    gt, dets = load_json(args.coco, "COCO file"), load_json(args.dets, "detections file")
    if not isinstance(dets, list):
        raise SystemExit(f"evaluate-detector: {args.dets}: must be a JSON list of detections")
    known_images, known_cats = {im["id"] for im in gt["images"]}, {c["id"] for c in gt["categories"]}
    for i, d in enumerate(dets):
        if d.get("image_id") not in known_images or d.get("category_id") not in known_cats:
            raise SystemExit(f"evaluate-detector: {args.dets}[{i}]: image_id/category_id not in {args.coco}")
    out = report_path(args.out)
    metrics = coco_metrics(gt, dets)
    png = out.with_suffix(".png")
    plot_pr(metrics, png, Path(args.coco).name)
    report = {"task": "detection", **{k: v for k, v in metrics.items() if not k.startswith("_")}}
    report.update({"ground_truth": str(args.coco), "detections": str(args.dets), "pr_curves_png": png.name})
    write_text_atomic(out, json.dumps(report, indent=2) + "\n")
    summary = {k: round(report[k], 4) for k in ("mAP", "mAP_50", "class_agnostic_AP_50", "AR_100")}
    print(json.dumps(summary))
    for name, v in report["per_category"].items():
        print(f"  {name:14s} AP {v['AP']:.4f}  AP@.5 {v['AP_50']:.4f}")
    return 0
