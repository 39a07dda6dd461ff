"""`python -m training train-classifier`: fine-tune a backbone on the train split, select on val macro AUC.

Writes to --out: train.log, last.pt (every epoch, for --resume), best.pt (best validation macro AUC so far),
history.json. The checkpoint carries everything export needs: labels, preprocessing, training record.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import AveragedModel
from tqdm import tqdm

from training.classifier.color_constancy import METHOD, ShadesOfGray
from training.classifier.data import (
    Augmentation,
    cache_images,
    counts_per_category,
    is_multi_label,
    label_targets,
    load_split_ids,
    model_batch,
)
from training.classifier.metrics import balanced_accuracy, macro_auc, one_hot
from training.classifier.models import BACKBONES, build_backbone, freeze_early_layers
from training.common.image import RESIZE_MODES, InputSpec
from training.common.runlog import (
    command_line,
    epochs_within,
    hardware,
    resolve_device,
    seed_everything,
    setup_logging,
)
from training.data.dataset import load_coco

DEFAULT_COCO = "runs/data/ham10000/annotations.json"
DEFAULT_SPLIT = "training/splits/ham10000.json"
# --quick: the whole pipeline in seconds on the committed sample images (used by the test suite).
QUICK = {"epochs": 2, "steps_per_epoch": 4, "batch_size": 16, "threads": 1, "warmup_epochs": 0.0}
RESUME_KEEPS = (
    "resume",
    "threads",
    "device",
)  # on --resume these come from the command line, the rest from the checkpoint


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--coco", default=DEFAULT_COCO, help="COCO annotations of the whole data set")
    p.add_argument(
        "--split-file", default=DEFAULT_SPLIT, help="JSON with the image ids of train / val / test"
    )
    p.add_argument("--train-split", default="train")
    p.add_argument("--val-split", default="val")
    p.add_argument("--out", default="runs/classifier/ham10000-effnet-lite0", help="run folder")
    p.add_argument("--backbone", default="efficientnet_lite0", choices=sorted(BACKBONES))
    p.add_argument("--pretrained", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument(
        "--freeze-blocks",
        type=int,
        default=3,
        help="keep the stem and this many early blocks at their initial weights (0: train all)",
    )
    p.add_argument("--width", type=int, default=200)
    p.add_argument("--height", type=int, default=150)
    p.add_argument("--resize", default="stretch", choices=RESIZE_MODES)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument(
        "--time-budget-min",
        type=float,
        default=None,
        help="after epoch 1, lower --epochs so the run fits this many minutes (recorded in the log)",
    )
    p.add_argument(
        "--steps-per-epoch", type=int, default=None, help="cap on batches per epoch (default: all)"
    )
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=1e-2)
    p.add_argument("--warmup-epochs", type=float, default=0.5)
    p.add_argument("--label-smoothing", type=float, default=0.05)
    p.add_argument(
        "--imbalance",
        default="logit-adjust",
        choices=["logit-adjust", "weighted-loss", "none"],
        help="logit-adjust: train on logits + log(prior), so the plain softmax is balanced "
        "(Menon et al. 2021); "
        "weighted-loss: inverse-frequency class weights",
    )
    p.add_argument(
        "--flip-tta",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="exported model averages over the 4 flips",
    )
    p.add_argument(
        "--ema-decay",
        type=float,
        default=0.0,
        help="validate, select and export an exponential moving average of the weights (0: off)",
    )
    p.add_argument(
        "--color-constancy",
        choices=["none", METHOD],
        default="none",
        help="colour constancy inside the model (and its exported graph), before the backbone",
    )
    p.add_argument(
        "--patience", type=int, default=4, help="early stop after this many epochs without improvement"
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads; on a shared CPU one thread avoids spin-waiting between busy cores",
    )
    p.add_argument("--device", default="auto", help="auto (CUDA when PyTorch sees a GPU), cpu, cuda, cuda:N")
    p.add_argument("--resume", action="store_true", help="continue from --out/last.pt")
    p.add_argument(
        "--init-from",
        default=None,
        help="start from the weights of this checkpoint (a second, lower-LR stage); its record is kept",
    )
    p.add_argument("--quick", action="store_true", help="tiny recipe for tests: " + json.dumps(QUICK))


def weight_average(model: nn.Module, decay: float) -> AveragedModel:
    """EMA of weights and batch-norm buffers; the decay ramps up over the first steps (as timm's ModelEmaV2
    with warmup) so the randomly initialized head does not linger in the average."""

    def ema(averaged: torch.Tensor, current: torch.Tensor, num_averaged) -> torch.Tensor:
        d = min(decay, (1 + float(num_averaged)) / (10 + float(num_averaged)))
        return d * averaged + (1 - d) * current

    return AveragedModel(model, avg_fn=ema, use_buffers=True)


def _lr_factor(step: int, total: int, warmup: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


@torch.inference_mode()
def predict_cached(backbone, cached: torch.Tensor, spec: InputSpec, multi_label: bool, color, batch_size=64):
    """color: the colour-constancy module, or identity."""
    backbone.eval()
    out = []
    for i in range(0, len(cached), batch_size):
        logits = backbone(color(model_batch(cached[i : i + batch_size], spec)))
        out.append(torch.sigmoid(logits) if multi_label else torch.softmax(logits, dim=1))
    return torch.cat(out).cpu().numpy()


def _validation_scores(probs: np.ndarray, targets: torch.Tensor, multi_label: bool, k: int) -> dict:
    y = targets.numpy()
    truth = y.astype(bool) if multi_label else one_hot(y, k)
    scores = {"macro_auc": macro_auc(truth, probs)}
    if not multi_label:
        scores["balanced_accuracy"] = balanced_accuracy(y, probs.argmax(1), k)
    return scores


def main(args) -> int:
    out = Path(args.out)
    if args.resume:
        ckpt = torch.load(out / "last.pt", map_location="cpu", weights_only=False)
        saved = dict(ckpt["args"])
        saved.update({key: getattr(args, key) for key in RESUME_KEEPS})
        args = argparse.Namespace(**saved)
    elif args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    log = setup_logging(out / "train.log", "train-classifier")
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    generator = seed_everything(args.seed)
    if not args.resume:
        (out / "command.txt").write_text(command_line() + "\n", encoding="utf-8")
    log.info("command: %s", (out / "command.txt").read_text(encoding="utf-8").strip())
    args_record = {key: value for key, value in vars(args).items() if not callable(value)}
    log.info("args: %s", json.dumps(args_record))

    coco = Path(args.coco)
    if not coco.exists():
        log.error(
            "%s: COCO annotations not found (convert the data set first: python -m training convert)", coco
        )
        return 2
    dataset = load_coco(coco)
    train_ds = dataset.subset(load_split_ids(args.split_file, args.train_split))
    val_ds = dataset.subset(load_split_ids(args.split_file, args.val_split))
    multi_label = is_multi_label(dataset)
    labels = dataset.categories
    k = len(labels)
    train_y, val_y = label_targets(train_ds, multi_label), label_targets(val_ds, multi_label)
    counts = {"train": counts_per_category(train_ds), "val": counts_per_category(val_ds)}
    log.info(
        "%d train / %d val images, multi_label=%s, counts %s",
        len(train_ds.images),
        len(val_ds.images),
        multi_label,
        json.dumps(counts),
    )

    backbone, info = build_backbone(args.backbone, k, args.pretrained)
    spec = InputSpec(width=args.width, height=args.height, resize=args.resize, mean=info.mean, std=info.std)
    parent = torch.load(args.init_from, map_location="cpu", weights_only=False) if args.init_from else None
    if parent is not None:
        if parent["meta"]["backbone"] != args.backbone or parent["meta"]["labels"] != labels:
            log.error(
                "%s: a %s checkpoint for %s, not %s for %s",
                args.init_from,
                parent["meta"]["backbone"],
                parent["meta"]["labels"],
                args.backbone,
                labels,
            )
            return 2
        backbone.load_state_dict(parent["model"])  # on --resume, last.pt's weights replace these below
        log.info(
            "initialized from %s (epoch %s)", args.init_from, parent["meta"]["training"].get("best_epoch")
        )
    if args.pretrained:
        log.info(
            "froze %d parameters (stem + %d blocks)",
            freeze_early_layers(backbone, args.backbone, args.freeze_blocks),
            args.freeze_blocks,
        )
    backbone = backbone.to(device, memory_format=torch.channels_last)
    color = ShadesOfGray(spec).to(device) if args.color_constancy == METHOD else nn.Identity()
    trainable = [p for p in backbone.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=args.weight_decay)
    ema = weight_average(backbone, args.ema_decay) if args.ema_decay else None

    t0 = time.time()
    train_images = cache_images(train_ds, spec, "decode train").to(device)
    val_images = cache_images(val_ds, spec, "decode val").to(device)
    decode_s = time.time() - t0
    log.info("decoded %d images in %.0f s", len(train_images) + len(val_images), decode_s)

    steps_per_epoch = len(train_images) // args.batch_size
    if args.steps_per_epoch:
        steps_per_epoch = min(steps_per_epoch, args.steps_per_epoch)
    if steps_per_epoch == 0:
        log.error("train split has %d images, fewer than one batch of %d", len(train_images), args.batch_size)
        return 2
    warmup = int(args.warmup_epochs * steps_per_epoch)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: _lr_factor(s, steps_per_epoch * args.epochs, warmup)
    )

    prior = (train_y.sum(0) if multi_label else torch.bincount(train_y, minlength=k)).float()
    prior = (prior + 1) / (prior.sum() + k)
    class_weight = None
    if args.imbalance == "weighted-loss":
        class_weight = (1 / prior) / (1 / prior).mean()
    logit_offset = torch.log(prior) if args.imbalance == "logit-adjust" else torch.zeros(k)
    logit_offset, train_y_device = logit_offset.to(device), train_y.to(device)
    class_weight = None if class_weight is None else class_weight.to(device)
    augment = Augmentation()

    state = {"epoch": 0, "best": -1.0, "best_epoch": None, "bad_epochs": 0, "history": [], "elapsed_s": 0.0}
    if args.resume:
        backbone.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        scheduler.load_state_dict(ckpt["scheduler"])
        if ema is not None:
            ema.load_state_dict(ckpt["ema"])
        generator.set_state(ckpt["generator"])
        torch.set_rng_state(ckpt["torch_rng"])
        state = ckpt["state"]
        log.info("resumed after epoch %d (best val macro AUC %.4f)", state["epoch"], state["best"])
    state["elapsed_s"] += decode_s  # wall time of the recipe counts every start's decoding too

    meta = {
        "task": "classification",
        "backbone": args.backbone,
        "labels": labels,
        "multi_label": multi_label,
        "input": spec.manifest(),
        "flip_tta": args.flip_tta,
        "color_constancy": None if args.color_constancy == "none" else args.color_constancy,
        "training": {
            "dataset": str(coco),
            "split_file": args.split_file,
            "splits": {"train": args.train_split, "val": args.val_split},
            "counts_per_category": counts,
            "recipe": {
                key: getattr(args, key)
                for key in (
                    "epochs",
                    "time_budget_min",
                    "steps_per_epoch",
                    "freeze_blocks",
                    "batch_size",
                    "lr",
                    "weight_decay",
                    "warmup_epochs",
                    "label_smoothing",
                    "imbalance",
                    "patience",
                    "width",
                    "height",
                    "resize",
                    "flip_tta",
                    "color_constancy",
                    "ema_decay",
                )
            }
            | {
                "optimizer": "AdamW",
                "schedule": "linear warmup + cosine, per step",
                "augmentation": repr(augment),
                "selection": "best validation macro AUC"
                + (" of the weight average (ema_decay)" if args.ema_decay else ""),
            },
            "command": (out / "command.txt").read_text(encoding="utf-8").strip(),
            "seed": args.seed,
            "hardware": hardware(),
            "device": str(device),
            "backbone": args.backbone,
            "pretrained_weights": info.pretrained_weights,
            "licence": info.licence,
        },
    }
    parent_wall_s = 0.0
    if parent is not None:
        earlier = {key: value for key, value in parent["meta"]["training"].items() if key != "history"}
        meta["training"]["previous_stage"] = earlier | {"checkpoint": args.init_from}
        parent_wall_s = float(earlier.get("wall_time_s", 0.0))

    epoch = state["epoch"]
    while epoch < args.epochs:
        epoch += 1
        started = time.time()
        backbone.train()
        order = torch.randperm(len(train_images), generator=generator)
        running, seen = 0.0, 0
        bar = tqdm(
            range(steps_per_epoch),
            desc=f"epoch {epoch}/{args.epochs}",
            mininterval=30,
            disable=None if sys.stderr.isatty() else False,
            file=sys.stderr,
        )
        for step in bar:
            idx = order[step * args.batch_size : (step + 1) * args.batch_size]
            x = model_batch(augment(train_images[idx].float(), generator), spec)
            logits = backbone(color(x))
            if multi_label:
                loss = F.binary_cross_entropy_with_logits(
                    logits, train_y_device[idx], pos_weight=class_weight
                )
            else:
                loss = F.cross_entropy(
                    logits + logit_offset,
                    train_y_device[idx],
                    weight=class_weight,
                    label_smoothing=args.label_smoothing,
                )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            if ema is not None:
                ema.update_parameters(backbone)
            running += loss.item() * len(idx)
            seen += len(idx)
            bar.set_postfix(
                loss=f"{running / seen:.4f}", lr=f"{scheduler.get_last_lr()[0]:.2e}", refresh=False
            )
        bar.close()
        train_s = time.time() - started
        selected = backbone if ema is None else ema.module  # the weights that are validated and exported
        val = _validation_scores(
            predict_cached(selected, val_images, spec, multi_label, color), val_y, multi_label, k
        )
        state["elapsed_s"] += time.time() - started
        state["epoch"] = epoch
        record = {
            "epoch": epoch,
            "train_loss": running / seen,
            "train_s": round(train_s, 1),
            "epoch_s": round(time.time() - started, 1),
            **{f"val_{k_}": v for k_, v in val.items()},
        }
        state["history"].append(record)
        improved = val["macro_auc"] > state["best"]
        if improved:
            state.update(best=val["macro_auc"], best_epoch=epoch, bad_epochs=0)
        else:
            state["bad_epochs"] += 1
        log.info("epoch %d: %s%s", epoch, json.dumps(record), "  (best)" if improved else "")

        if epoch == 1 and args.time_budget_min:
            fitting = epochs_within(args.time_budget_min, record["epoch_s"], decode_s)
            if fitting < args.epochs:
                log.info("time budget %.0f min: epochs %d -> %d", args.time_budget_min, args.epochs, fitting)
                args.epochs = fitting
                args_record["epochs"] = fitting
                meta["training"]["recipe"]["epochs"] = fitting
        meta["training"]["wall_time_s"] = round(parent_wall_s + state["elapsed_s"], 1)
        meta["training"]["stage_wall_time_s"] = round(state["elapsed_s"], 1)
        meta["training"]["epochs"] = epoch
        meta["training"]["best_epoch"] = state["best_epoch"]
        meta["training"]["history"] = state["history"]
        if improved:
            _save(out / "best.pt", {"meta": meta, "model": selected.state_dict()})
        _save(
            out / "last.pt",
            {
                "meta": meta,
                "model": backbone.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "generator": generator.get_state(),
                "torch_rng": torch.get_rng_state(),
                **({"ema": ema.state_dict()} if ema is not None else {}),
                "state": state,
                "args": args_record,
            },
        )
        (out / "history.json").write_text(json.dumps(state["history"], indent=1), encoding="utf-8")
        if state["bad_epochs"] >= args.patience:
            log.info("early stop: no validation improvement for %d epochs", args.patience)
            break

    best = torch.load(out / "best.pt", map_location="cpu", weights_only=False)
    best["meta"]["training"].update(
        wall_time_s=round(parent_wall_s + state["elapsed_s"], 1),
        stage_wall_time_s=round(state["elapsed_s"], 1),
        epochs=state["epoch"],
        history=state["history"],
    )
    _save(out / "best.pt", best)
    log.info(
        "done: best val macro AUC %.4f at epoch %s, wall time %.0f s; checkpoint %s",
        state["best"],
        state["best_epoch"],
        state["elapsed_s"],
        out / "best.pt",
    )
    return 0


def _save(path: Path, obj: dict) -> None:
    """Write via a temporary file, so an interrupted save never leaves a broken checkpoint."""
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    tmp.replace(path)
