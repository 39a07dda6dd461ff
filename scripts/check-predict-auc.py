"""AUC of `dermaread predict` output, computed by scikit-learn, next to the model manifest's own evaluation.

usage: python scripts/check-predict-auc.py --csv PRED.csv --coco ANNOTATIONS.json --model DIR
The CSV is `image_id,<label columns>` as `npx dermaread predict` writes it; the truth of each image is the
category of its boxes in the COCO file. Prints per-category and macro one-vs-rest AUC and the largest
difference from `manifest.metrics`; exits 1 when it exceeds --tolerance (default 0.002).
"""

import argparse
import csv
import json
import sys

import numpy as np
from sklearn.metrics import roc_auc_score


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", required=True)
    parser.add_argument("--coco", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--tolerance", type=float, default=0.002)
    args = parser.parse_args()
    with open(f"{args.model}/manifest.json", encoding="utf-8") as f:
        manifest = json.load(f)
    with open(args.coco, encoding="utf-8") as f:
        coco = json.load(f)
    names = {c["id"]: c["name"] for c in coco["categories"]}
    image_key = {im["id"]: str(im.get("image_id", im["id"])) for im in coco["images"]}
    truth_of: dict[str, set[str]] = {}
    for a in coco["annotations"]:
        truth_of.setdefault(image_key[a["image_id"]], set()).add(names[a["category_id"]])
    with open(args.csv, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    labels, rows = rows[0][1:], rows[1:]
    probs = np.array([[float(v) for v in r[1:]] for r in rows])
    truth = np.array([[label in truth_of[r[0]] for label in labels] for r in rows])
    metrics = manifest.get("metrics", {})
    expected = metrics.get("per_category", {})
    print(f"{len(rows)} images; category   sklearn AUC   manifest AUC")
    differences = []
    aucs = []
    for k, label in enumerate(labels):
        value = roc_auc_score(truth[:, k], probs[:, k])
        aucs.append(value)
        reference = expected.get(label, {}).get("auc")
        if reference is not None:
            differences.append(abs(value - reference))
        print(f"  {label:10s} {value:.4f}        {reference if reference is None else f'{reference:.4f}'}")
    macro = float(np.mean(aucs))
    reference_macro = metrics.get("macro_auc", {}).get("value")
    if reference_macro is not None:
        differences.append(abs(macro - reference_macro))
    print(
        f"  macro      {macro:.4f}        {reference_macro if reference_macro is None else f'{reference_macro:.4f}'}"
    )
    worst = max(differences) if differences else float("nan")
    print(f"largest difference {worst:.5f} (tolerance {args.tolerance})")
    return 0 if differences and worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
