"""Classification branch of `python -m training export`: ONNX graph (softmax/sigmoid inside, optional flip
averaging) and the manifest fields that describe it, plus the ONNX-vs-PyTorch parity check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from training.classifier.color_constancy import P_NORM
from training.classifier.data import load_split_ids
from training.classifier.predictors import (
    CheckpointPredictor,
    OnnxPredictor,
    predict_files,
    probability_model,
)
from training.data.dataset import load_coco

OUTPUT_NAME = "probabilities"


def store_half_initializers(model: onnx.ModelProto) -> int:
    """Float32 initializers whose every value is a float16 value are stored as float16 and cast back to
    float32 by a Cast node: the graph computes with exactly the same numbers. Returns how many were stored."""
    graph = model.graph
    kept, casts, count = [], [], 0
    for init in graph.initializer:
        values = numpy_helper.to_array(init)
        half = values.astype(np.float16)
        exact = values.dtype == np.float32 and np.array_equal(half.astype(np.float32), values)
        if not exact or values.size < 16:
            kept.append(init)
            continue
        stored = numpy_helper.from_array(half, init.name + "_f16")
        kept.append(stored)
        casts.append(helper.make_node("Cast", [stored.name], [init.name], to=TensorProto.FLOAT))
        count += 1
    graph.ClearField("initializer")
    graph.initializer.extend(kept)
    nodes = casts + list(graph.node)
    graph.ClearField("node")
    graph.node.extend(nodes)
    return count


def export_onnx(ckpt: dict, onnx_path: Path, opset: int) -> int:
    """Writes the graph; returns the number of weight tensors stored as float16."""
    meta = ckpt["meta"]
    half = meta.get("weights_dtype") == "float16"
    model = probability_model(ckpt)
    spec = meta["input"]
    example = torch.zeros(2, 3, spec["height"], spec["width"])
    torch.onnx.export(
        model,
        (example,),
        str(onnx_path),
        dynamo=False,
        opset_version=opset,
        input_names=[spec["name"]],
        output_names=[OUTPUT_NAME],
        dynamic_axes={spec["name"]: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
        # Folding batch norm into the convolutions would make new weights that float16 cannot hold exactly.
        do_constant_folding=not half,
    )
    stored_half = 0
    if half:
        graph = onnx.load(str(onnx_path))
        stored_half = store_half_initializers(graph)
        onnx.save(graph, str(onnx_path))
    onnx.checker.check_model(str(onnx_path))
    return stored_half


def export_model(ckpt: dict, onnx_path: Path, args) -> dict:
    meta = ckpt["meta"]
    stored_half = export_onnx(ckpt, onnx_path, args.opset)
    labels = meta["labels"]
    activation = "sigmoid per category" if meta["multi_label"] else "softmax over categories"
    averaging = (
        ", averaged over the image and its horizontal, vertical and double flips" if meta["flip_tta"] else ""
    )
    if "members" in ckpt:
        averaging += f"; the mean of {len(ckpt['members'])} members' probabilities (training.members)"
    models = [m["meta"] for m in ckpt["members"]] if "members" in ckpt else [meta]
    corrected = sum(1 for m in models if m.get("color_constancy"))
    if corrected:
        which = "" if corrected == len(models) else f" ({corrected} of the members)"
        averaging += f"; Shades of Gray colour constancy (p = {P_NORM}) inside the graph{which}"
    manifest = {
        "task": "classification",
        "name": args.name or f"ham10000-{meta['backbone'].replace('_', '-')}",
        "version": args.version,
        "labels": labels,
        "multi_label": meta["multi_label"],
        "input": meta["input"],
        "outputs": [
            {
                "name": OUTPUT_NAME,
                "shape": ["N", len(labels)],
                "meaning": f"probability of each label (index i = labels[i]), {activation}{averaging}",
            }
        ],
        "onnx": {"opset": args.opset, "dynamic_batch": True}
        | ({"float16_weight_tensors": stored_half} if stored_half else {}),
        "training": {key: value for key, value in meta["training"].items() if key != "history"}
        | {"history": meta["training"].get("history", [])},
    }
    if args.parity_coco:
        paths = parity_paths(args.parity_coco, args.parity_split_file, args.parity_split, args.parity_images)
        manifest["onnx"]["parity"] = {
            "images": len(paths),
            "max_abs_diff": parity(ckpt, onnx_path, paths),
            "split": args.parity_split,
        }
    return manifest


def parity_paths(coco, split_file, split: str, n: int) -> list[Path]:
    ds = load_coco(coco).subset(load_split_ids(split_file, split))
    return [im.path for im in ds.images[:n]]


def parity(ckpt: dict, onnx_path, paths: list) -> float:
    """Max |p_onnx - p_torch| over the images, both fed the same README preprocessing."""
    p_torch = predict_files(CheckpointPredictor(ckpt), paths, progress=False)
    p_onnx = predict_files(OnnxPredictor(onnx_path, ckpt["meta"]), paths, progress=False)
    return float(np.abs(p_onnx - p_torch).max())
