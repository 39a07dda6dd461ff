"""`python -m training evaluate-classifier`: score a checkpoint or an exported model folder on one split.

Writes report.json (see metrics.classification_report), report.png (ROC curves and confusion matrix) and
predictions.csv (image id, truth, one probability per category) to --out.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import torch

from training.classifier.data import label_targets, load_split_ids
from training.classifier.metrics import classification_report
from training.classifier.predictors import CheckpointPredictor, OnnxPredictor, predict_files
from training.classifier.train import DEFAULT_COCO, DEFAULT_SPLIT
from training.common.runlog import resolve_device
from training.data.dataset import load_coco


def add_arguments(p) -> None:
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", help="a training checkpoint (best.pt)")
    source.add_argument("--model", help="an exported model folder: model.onnx + manifest.json")
    p.add_argument("--coco", default=DEFAULT_COCO)
    p.add_argument("--split-file", default=DEFAULT_SPLIT)
    p.add_argument("--split", default="test")
    p.add_argument("--out", required=True, help="folder for report.json, report.png, predictions.csv")
    p.add_argument(
        "--bootstrap", type=int, default=1000, help="resamples for the macro AUC / balanced accuracy CIs"
    )
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu", help="for --checkpoint: cpu, cuda, cuda:N or auto")


def evaluate(predictor, coco, split_file, split: str, n_boot: int = 1000, batch_size: int = 32):
    dataset = load_coco(coco)
    if dataset.categories != predictor.labels:
        raise ValueError(
            f"{coco}: categories {dataset.categories} differ from the model's {predictor.labels}"
        )
    ds = dataset.subset(load_split_ids(split_file, split))
    targets = label_targets(ds, predictor.multi_label).numpy()
    probs = predict_files(predictor, [im.path for im in ds.images], batch_size)
    groups = np.array([im.group or im.image_id for im in ds.images])
    report = classification_report(predictor.labels, targets, probs, predictor.multi_label, groups, n_boot)
    report["data"] = {"coco": str(coco), "split_file": str(split_file), "split": split}
    return report, ds, targets, probs


def write_outputs(out: Path, report: dict, ds, targets, probs) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    with open(out / "predictions.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["image_id", "truth", *report["labels"]])
        for im, t, p in zip(ds.images, targets, probs, strict=True):
            truth = (
                "|".join(n for n, v in zip(report["labels"], t, strict=True) if v)
                if report["multi_label"]
                else report["labels"][int(t)]
            )
            w.writerow([im.image_id, truth, *(f"{v:.6f}" for v in p)])
    plot_report(report, out / "report.png")


def plot_report(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    has_cm = "confusion_matrix" in report
    fig, axes = plt.subplots(1, 2 if has_cm else 1, figsize=(13 if has_cm else 6.5, 6))
    ax = axes[0] if has_cm else axes
    for name, entry in report["per_category"].items():
        if "roc" in entry:
            low, high = entry["ci95"] or (float("nan"), float("nan"))
            ax.plot(
                entry["roc"]["fpr"],
                entry["roc"]["tpr"],
                label=f"{name}: AUC {entry['auc']:.3f} ({low:.3f}-{high:.3f})",
            )
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
    ax.set(
        xlabel="1 - specificity",
        ylabel="sensitivity",
        title=f"One-vs-rest ROC, macro AUC {report['macro_auc']['value']:.3f}",
    )
    ax.legend(loc="lower right", fontsize=8)
    if has_cm:
        m = np.array(report["confusion_matrix"]["matrix"])
        ax = axes[1]
        ax.imshow(m / np.maximum(m.sum(1, keepdims=True), 1), cmap="Blues", vmin=0, vmax=1)
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=8)
        ticks = range(len(report["labels"]))
        ax.set_xticks(ticks, report["labels"])
        ax.set_yticks(ticks, report["labels"])
        ax.set(
            xlabel="predicted (argmax)",
            ylabel="true",
            title=f"Balanced accuracy {report['balanced_accuracy']['value']:.3f}",
        )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def summary_line(report: dict) -> str:
    parts = [f"macro AUC {report['macro_auc']['value']:.4f} {_ci(report['macro_auc']['ci95'])}"]
    if "balanced_accuracy" in report:
        b = report["balanced_accuracy"]
        parts.append(f"balanced accuracy {b['value']:.4f} {_ci(b['ci95'])}")
    for name, e in report["per_category"].items():
        if "auc" in e:
            parts.append(f"{name} AUC {e['auc']:.4f} {_ci(e['ci95'])}")
    return "; ".join(parts)


def _ci(ci) -> str:
    return f"[{ci[0]:.4f}, {ci[1]:.4f}]" if ci else "[n/a]"


def main(args) -> int:
    torch.set_num_threads(args.threads)
    predictor = (
        CheckpointPredictor(args.checkpoint, resolve_device(args.device))
        if args.checkpoint
        else OnnxPredictor.from_folder(args.model)
    )
    report, ds, targets, probs = evaluate(
        predictor, args.coco, args.split_file, args.split, args.bootstrap, args.batch_size
    )
    report["model"] = (
        {"checkpoint": args.checkpoint}
        if args.checkpoint
        else {"model_dir": args.model, "sha256": predictor.meta.get("sha256")}
    )
    write_outputs(Path(args.out), report, ds, targets, probs)
    print(summary_line(report))
    print(f"wrote {Path(args.out) / 'report.json'}, report.png, predictions.csv")
    return 0
