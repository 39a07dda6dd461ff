"""`python -m training ensemble-classifier`: trained classifiers as one model whose probabilities are the mean
of theirs. The ensemble's input is the first member's; a member trained at a larger size gets that input
upsampled inside the graph (bilinear, half-pixel centres: what the stretch preprocessing does when it
enlarges, where antialiasing has no effect), so the app still feeds one preprocessed image to one graph.

With --half-weights every member's weights are rounded to float16 here, in the checkpoint, so the PyTorch
model that is evaluated is exactly the one exported; the ONNX file then stores them in 16 bits (half the size,
room for more members under the 30 MB bundle limit) and the arithmetic stays float32."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from training.classifier.predictors import load_checkpoint
from training.common.runlog import command_line

SAME_INPUT = ("name", "layout", "dtype", "color", "resize", "scale", "mean", "std")


def add_arguments(p) -> None:
    p.add_argument(
        "--checkpoints",
        nargs="+",
        required=True,
        help="member checkpoints (best.pt); the first sets the input",
    )
    p.add_argument(
        "--half-weights",
        action="store_true",
        help="round the members' weights to float16 (stored in 16 bits in the ONNX file)",
    )
    p.add_argument(
        "--out", required=True, help="ensemble checkpoint to write (.pt), for evaluate-classifier and export"
    )


class EnsembleModel(nn.Module):
    def __init__(self, members: list[nn.Module], sizes: list[tuple[int, int]]):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.sizes = sizes  # (height, width) each member was trained at

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs = []
        for member, size in zip(self.members, self.sizes, strict=True):
            if tuple(x.shape[-2:]) != size:
                x_member = F.interpolate(x, size=size, mode="bilinear", align_corners=False)
            else:
                x_member = x
            outputs.append(member(x_member))
        return torch.stack(outputs).mean(dim=0)


def round_to_half(state: dict) -> dict:
    return {k: v.half().float() if v.dtype == torch.float32 else v for k, v in state.items()}


def _distinct(values) -> str | None:
    return "; ".join(dict.fromkeys(v for v in values if v)) or None


def build_ensemble(checkpoints: list[dict], command: str, half_weights: bool = False) -> dict:
    """The ensemble checkpoint: `meta` as a single model's (input, labels, training), plus `members`."""
    first = checkpoints[0]["meta"]
    for i, ckpt in enumerate(checkpoints[1:], start=2):
        meta = ckpt["meta"]
        for key in ("task", "labels", "multi_label"):
            if meta[key] != first[key]:
                raise ValueError(f"member {i}: {key} {meta[key]!r} differs from member 1's {first[key]!r}")
        for key in SAME_INPUT:
            if meta["input"][key] != first["input"][key]:
                raise ValueError(f"member {i}: input.{key} {meta['input'][key]!r} differs from member 1's")
        if (
            meta["input"]["width"] < first["input"]["width"]
            or meta["input"]["height"] < first["input"]["height"]
        ):
            raise ValueError(
                f"member {i}: input {meta['input']['width']}x{meta['input']['height']} is smaller than the "
                "ensemble's; list the smallest member first (the graph only enlarges)"
            )
    backbones = [c["meta"]["backbone"] for c in checkpoints]
    backbone = f"{backbones[0]}_x{len(backbones)}" if len(set(backbones)) == 1 else "_".join(backbones)
    members = [
        {"meta": c["meta"], "model": round_to_half(c["model"]) if half_weights else c["model"]}
        for c in checkpoints
    ]
    member_training = [c["meta"]["training"] for c in checkpoints]
    training = {
        "dataset": first["training"]["dataset"],
        "split_file": first["training"]["split_file"],
        "counts_per_category": first["training"]["counts_per_category"],
        "recipe": f"mean of the probabilities of {len(members)} members, each trained as in members[i]",
        "command": command,
        "seed": [t["seed"] for t in member_training],
        "epochs": [t["epochs"] for t in member_training],
        "wall_time_s": round(sum(t["wall_time_s"] for t in member_training), 1),
        "hardware": first["training"]["hardware"],
        "backbone": backbone,
        # members may start from different packages' weights (EfficientNet-Lite0 and -Lite2): name each once
        "pretrained_weights": _distinct(t["pretrained_weights"] for t in member_training),
        "licence": _distinct(t["licence"] for t in member_training),
        "members": member_training,
    }
    meta = {**first, "backbone": backbone, "training": training, "weights_dtype": "float32"}
    meta.pop("color_constancy", None)  # a member's own (members[i].meta), not the ensemble's
    if half_weights:
        meta["weights_dtype"] = "float16"
        training["weights"] = "rounded to float16 (stored in 16 bits, computed in float32)"
    return {"meta": meta, "members": members}


def ensemble_model(ckpt: dict, member_model) -> EnsembleModel:
    """`member_model(member_checkpoint) -> nn.Module` builds each member (predictors.probability_model)."""
    sizes = [(m["meta"]["input"]["height"], m["meta"]["input"]["width"]) for m in ckpt["members"]]
    return EnsembleModel([member_model(m) for m in ckpt["members"]], sizes).eval()


def main(args) -> int:
    checkpoints = [load_checkpoint(p) for p in args.checkpoints]
    command = command_line()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        ensemble = build_ensemble(checkpoints, command, args.half_weights)
    except ValueError as e:
        raise SystemExit(f"ensemble-classifier: {e}") from e
    torch.save(ensemble, out)
    spec = ensemble["meta"]["input"]
    print(f"wrote {out}: {len(checkpoints)} members, input {spec['width']}x{spec['height']}")
    return 0
