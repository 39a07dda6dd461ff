"""`python -m training train-detector`: train the anchor-based detector (EfficientNet-Lite0 + FPN + RetinaNet
head) on COCO files. Seeded; checkpoint `last.pt` every epoch (`--resume` continues from it); log in
`train.log` beside it; validation COCO metrics after each epoch."""

from __future__ import annotations

import json
import logging
import math
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import torch
from tqdm import tqdm

from training.common.image import load_rgb
from training.common.runlog import (
    command_line,
    epochs_within,
    hardware,
    resolve_device,
    seed_everything,
    setup_logging,
)
from training.data.dataset import Dataset, coco_dict, load_coco

from .anchors import default_anchors, generate_anchors
from .decode import DecodeConfig, Decoder
from .evaluate import coco_metrics
from .loss import BOX_WEIGHTS, DELTA_CLAMP, detection_loss
from .model import Detector
from .transforms import TrainAugment, boxes_of, input_spec, preprocess

log = logging.getLogger("train-detector")


@dataclass
class Recipe:
    name: str
    train: list[str]
    val: str
    width: int
    height: int
    crop_width: int
    crop_height: int
    smallest_anchor: float
    epochs: int
    batch_size: int = 8
    lr: float = 1e-3
    weight_decay: float = 1e-4
    warmup_steps: int = 100
    samples_per_epoch: int | None = None  # None: every training image once per epoch
    balanced: bool = False  # sample images with weight count(label) ** -0.5 (with replacement)
    vertical_flip: bool = True
    giou_weight: float = 0.0  # GIoU loss of the decoded boxes, added to the L1 on deltas
    frozen_blocks: int = 3  # stem + this many backbone blocks (of 16) are not trained
    init_detector: str | None = None  # start from this detector checkpoint's weights
    init_backbone: str | None = (
        None  # then take the backbone from this classifier checkpoint (training/classifier)
    )
    max_images: int | None = None  # cap on training/validation images (the quick recipe)
    val_images: int | None = None  # validate each epoch on the first N validation images only
    score_threshold: float = 0.01  # low: a lower threshold only adds to the end of each ranking (AP, AR)
    pre_nms_top_k: int = 1000
    nms_iou: float = 0.5
    max_detections: int = 100


def recipe_from_dict(d: dict) -> Recipe:
    """A recipe as stored in a checkpoint; fields this version no longer has are ignored."""
    known = {f.name for f in fields(Recipe)}
    return Recipe(**{k: v for k, v in d.items() if k in known})


DATA = Path("runs/data")
RECIPES = {
    # HAM10000: one large lesion per 200x150 image; 224x168 = 1.12x native, no padding for 4:3 images.
    "ham10000": Recipe(
        name="ham10000",
        train=[str(DATA / "ham10000/splits/train.json")],
        val=str(DATA / "ham10000/splits/val.json"),
        width=224,
        height=168,
        crop_width=224,
        crop_height=168,
        smallest_anchor=24,
        epochs=4,
        samples_per_epoch=4000,
        balanced=True,
        val_images=500,
    ),
    # ACNE04: lesions 17-43 px (10th-90th percentile) in 640x640 photos, at native scale (the box error of a
    # 512 input, not finding the lesion, is what cost AP@.5). Trained on 320x320 crops at that scale (more
    # steps for the same compute); GIoU added to the box loss; no vertical flip (faces).
    "acne04": Recipe(
        name="acne04",
        train=[str(DATA / "acne04/splits/train_plus_extra.json")],
        val=str(DATA / "acne04/splits/val.json"),
        width=640,
        height=640,
        crop_width=320,
        crop_height=320,
        smallest_anchor=16,
        epochs=15,
        giou_weight=2.0,
        vertical_flip=False,
    ),
    # HAM10000, second stage: the detector above with its backbone replaced by the HAM10000 classifier's
    # (trained on the same train split), frozen; pyramid and head re-fitted to it. The classifier's features
    # separate the 7 categories far better than 4 detector epochs on one CPU thread could teach.
    "ham10000-finetune": Recipe(
        name="ham10000-finetune",
        train=[str(DATA / "ham10000/splits/train.json")],
        val=str(DATA / "ham10000/splits/val.json"),
        width=224,
        height=168,
        crop_width=224,
        crop_height=168,
        smallest_anchor=24,
        epochs=3,
        lr=5e-4,
        warmup_steps=20,
        samples_per_epoch=4000,
        balanced=True,
        val_images=500,
        frozen_blocks=16,
        init_detector="runs/detector/ham10000/last.pt",
        init_backbone="runs/classifier/ham10000-effnet-lite0/best.pt",
    ),
    # The test suite's recipe: a few sample images, tiny input, one epoch.
    "quick": Recipe(
        name="quick",
        train=[str(DATA / "ham10000/splits/val.json")],
        val=str(DATA / "ham10000/splits/val.json"),
        width=160,
        height=120,
        crop_width=160,
        crop_height=120,
        smallest_anchor=16,
        epochs=1,
        batch_size=4,
        max_images=8,
        warmup_steps=1,
    ),
}
# ACNE04, second stage: the model above trained further with the whole backbone but the stem and first block
# unfrozen, at a lower learning rate (its validation AP@.5 was still rising at epoch 15).
RECIPES["acne04-finetune"] = replace(
    RECIPES["acne04"],
    name="acne04-finetune",
    epochs=10,
    lr=4e-4,
    warmup_steps=50,
    frozen_blocks=1,
    init_detector="runs/detector/acne04/last.pt",
)


def add_arguments(p):
    p.add_argument("--recipe", choices=sorted(RECIPES), default="ham10000")
    p.add_argument("--train", nargs="+", help="training COCO file(s); default: the recipe's")
    p.add_argument("--val", help="validation COCO file; default: the recipe's")
    p.add_argument("--out", help="output folder (default runs/detector/<recipe>)")
    p.add_argument("--epochs", type=int)
    p.add_argument(
        "--time-budget-min",
        type=float,
        help="after the first epoch, lower the epoch count so the run fits this many minutes (logged)",
    )
    p.add_argument(
        "--max-images",
        type=int,
        help="use only the first N training and validation images",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads (default 1: the machine is shared)",
    )
    p.add_argument("--device", default="auto", help="auto (CUDA when PyTorch sees a GPU), cpu, cuda, cuda:N")
    p.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    p.add_argument(
        "--init-detector",
        help="detector checkpoint to start from (default: the recipe's)",
    )
    p.add_argument(
        "--init-backbone",
        help="classifier checkpoint whose backbone to use (default: the recipe's)",
    )


def load_sets(paths: list[str], max_images: int | None) -> Dataset:
    sets = []
    for p in paths:
        if not Path(p).is_file():
            raise SystemExit(f"train-detector: COCO file not found: {p} (see training/README.md to make it)")
        sets.append(load_coco(p))
    cats = sets[0].categories
    for p, ds in zip(paths[1:], sets[1:], strict=True):
        if ds.categories != cats:
            raise SystemExit(f"train-detector: {p} has categories {ds.categories}, {paths[0]} has {cats}")
    images = [im for ds in sets for im in ds.images]
    return Dataset(list(cats), images[:max_images] if max_images else images)


def sample_epoch(ds: Dataset, recipe: Recipe, rng: random.Random) -> list[int]:
    n = len(ds.images)
    if not recipe.balanced:
        order = list(range(n))
        rng.shuffle(order)
        return order[: recipe.samples_per_epoch] if recipe.samples_per_epoch else order
    counts: dict[str, int] = {}
    for im in ds.images:
        for label in im.labels():
            counts[label] = counts.get(label, 0) + 1
    weights = [
        max(
            (counts[lb] ** -0.5 for lb in im.labels()),
            default=min(counts.values()) ** -0.5,
        )
        for im in ds.images
    ]
    return rng.choices(range(n), weights=weights, k=recipe.samples_per_epoch or n)


def training_images(ds: Dataset, device: torch.device):
    """`pixels_of(indices)`: the decoded training images (float 0-255) on `device`. On a GPU every image is
    decoded once and kept there as uint8 (ACNE04 + extras: 1.7 GB), so that decoding and augmenting on the
    CPU do not starve it; on the CPU each batch is decoded as it comes (HAM10000 alone would be 5.7 GB)."""
    if device.type == "cpu":
        return lambda indices: [load_rgb(ds.images[i].path) for i in indices]
    with ThreadPoolExecutor(max_workers=8) as pool:  # JPEG decoding releases the GIL
        decoded = pool.map(lambda im: load_rgb(im.path).to(device, torch.uint8), ds.images)
        cache = list(tqdm(decoded, total=len(ds.images), desc="decode train", mininterval=10, leave=False))
    return lambda indices: [cache[i].float() for i in indices]


def lr_at(step: int, total: int, recipe: Recipe) -> float:
    if step < recipe.warmup_steps:
        return recipe.lr * (step + 1) / recipe.warmup_steps
    t = (step - recipe.warmup_steps) / max(1, total - recipe.warmup_steps)
    return recipe.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, t)))


def build_model(num_classes: int, recipe: Recipe) -> Detector:
    model = Detector(num_classes, default_anchors(recipe.smallest_anchor))
    model.backbone.load_pretrained()
    if recipe.init_detector:
        model.load_state_dict(
            torch.load(recipe.init_detector, map_location="cpu", weights_only=False)["model"]
        )
    if recipe.init_backbone:
        state = torch.load(recipe.init_backbone, map_location="cpu", weights_only=False)["model"]
        own = model.backbone.state_dict()
        model.backbone.load_state_dict({k: v for k, v in state.items() if k in own}, strict=True)
    frozen = [
        model.backbone._conv_stem,
        model.backbone._bn0,
        *model.backbone._blocks[: recipe.frozen_blocks],
    ]
    for module in frozen:
        for p in module.parameters():
            p.requires_grad_(False)
    return model


def set_train_mode(model: Detector) -> None:
    model.train()
    # Backbone batch norm keeps its ImageNet statistics: batches of 8 are too small to re-estimate them.
    for m in model.backbone.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.eval()


def decode_config(recipe: Recipe) -> DecodeConfig:
    return DecodeConfig(
        anchors=default_anchors(recipe.smallest_anchor),
        input_width=recipe.width,
        input_height=recipe.height,
        box_weights=BOX_WEIGHTS,
        clamp=DELTA_CLAMP,
        score_threshold=recipe.score_threshold,
        pre_nms_top_k=recipe.pre_nms_top_k,
        nms_iou=recipe.nms_iou,
        max_detections=recipe.max_detections,
    )


@torch.no_grad()
def predict_dataset(model: Detector, ds: Dataset, recipe: Recipe, desc: str = "val") -> list[dict]:
    """COCO results (category ids 1..C in ds.categories order) from the PyTorch model, on its device."""
    model.eval()
    device = next(model.parameters()).device
    decoder = Decoder(decode_config(recipe))
    spec = input_spec(recipe.width, recipe.height)
    dets = []
    for n, im in enumerate(tqdm(ds.images, desc=desc, leave=False, mininterval=10), start=1):
        x, s, _, _ = preprocess(im.path, spec)
        logits, deltas = model(x[None].to(device))
        scores, deltas = torch.sigmoid(logits)[0].cpu().numpy(), deltas[0].cpu().numpy()
        d = decoder(scores, deltas, s, im.width, im.height)
        for box, score, label in zip(d.boxes, d.scores, d.labels, strict=True):
            x0, y0, x1, y1 = (float(v) for v in box)
            dets.append(
                {
                    "image_id": n,
                    "category_id": int(label) + 1,
                    "bbox": [x0, y0, x1 - x0, y1 - y0],
                    "score": float(score),
                }
            )
    return dets


def save_atomic(obj, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main(args) -> int:
    recipe = RECIPES[args.recipe]
    recipe = replace(
        recipe,
        train=args.train or recipe.train,
        val=args.val or recipe.val,
        epochs=args.epochs or recipe.epochs,
        max_images=args.max_images or recipe.max_images,
        init_detector=args.init_detector or recipe.init_detector,
        init_backbone=args.init_backbone or recipe.init_backbone,
    )
    for path in (recipe.init_detector, recipe.init_backbone):
        if path and not Path(path).is_file():
            raise SystemExit(f"train-detector: checkpoint not found: {path}")
    if recipe.max_images:
        recipe = replace(recipe, samples_per_epoch=None)
    out = Path(args.out or f"runs/detector/{recipe.name}")
    setup_logging(out / "train.log", log.name)
    torch.set_num_threads(args.threads)
    try:
        device = resolve_device(args.device)
    except RuntimeError as e:
        raise SystemExit(f"train-detector: {e}") from None
    seed_everything(args.seed)

    train_ds = load_sets(recipe.train, recipe.max_images)
    val_ds = load_sets([recipe.val], recipe.max_images or recipe.val_images)
    if val_ds.categories != train_ds.categories:
        raise SystemExit(f"train-detector: {recipe.val} categories differ from the training set's")
    val_gt = coco_dict(val_ds, out)
    model = build_model(len(train_ds.categories), recipe).to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=recipe.lr, weight_decay=recipe.weight_decay)
    augment = TrainAugment(
        recipe.width,
        recipe.height,
        recipe.crop_width,
        recipe.crop_height,
        vertical_flip=recipe.vertical_flip,
    )
    anchors = (
        torch.from_numpy(
            generate_anchors(default_anchors(recipe.smallest_anchor), recipe.crop_width, recipe.crop_height)
        )
        .float()
        .to(device)
    )
    steps_per_epoch = math.ceil((recipe.samples_per_epoch or len(train_ds.images)) / recipe.batch_size)
    total_steps = steps_per_epoch * recipe.epochs

    start_epoch, history, wall = 0, [], 0.0
    command = command_line()
    ckpt_path = out / "last.pt"
    if args.resume and ckpt_path.is_file():
        ckpt = torch.load(ckpt_path, map_location=device, weights_only=False)
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        start_epoch, history, wall = (
            ckpt["epoch"] + 1,
            ckpt["history"],
            ckpt["wall_time_s"],
        )
        command = ckpt["command"]
        if not args.epochs:  # keep the epoch count the run settled on (a time budget may have lowered it)
            recipe = replace(recipe, epochs=ckpt["recipe"]["epochs"])
            total_steps = steps_per_epoch * recipe.epochs
        log.info("resumed from %s at epoch %d", ckpt_path, start_epoch)
    log.info(
        "recipe %s; %d train images, %d val images, categories %s; seed %d; device %s",
        json.dumps(asdict(recipe)),
        len(train_ds.images),
        len(val_ds.images),
        train_ds.categories,
        args.seed,
        device,
    )
    pixels_of = training_images(train_ds, device)

    epoch = start_epoch
    while epoch < recipe.epochs:
        t0 = time.time()
        rng = random.Random(args.seed * 1000 + epoch)
        torch.manual_seed(args.seed * 1000 + epoch)
        order = sample_epoch(train_ds, recipe, rng)
        set_train_mode(model)
        sums = {"cls": 0.0, "box": 0.0}
        bar = tqdm(
            range(0, len(order), recipe.batch_size),
            desc=f"epoch {epoch + 1}/{recipe.epochs}",
            mininterval=10,
        )
        for b, start in enumerate(bar):
            step = epoch * steps_per_epoch + b
            for g in optimizer.param_groups:
                g["lr"] = lr_at(step, total_steps, recipe)
            images, targets = [], []
            batch = order[start : start + recipe.batch_size]
            for i, pixels in zip(batch, pixels_of(batch), strict=True):
                xyxy, labels = boxes_of(train_ds.images[i], train_ds.categories)
                x, boxes, labels = augment(pixels, xyxy, labels, rng)
                images.append(x)
                targets.append((torch.from_numpy(boxes).to(device), torch.from_numpy(labels).to(device)))
            logits, deltas = model(torch.stack(images).to(device))
            cls_loss, box_loss = detection_loss(
                logits, deltas, anchors, targets, giou_weight=recipe.giou_weight
            )
            loss = cls_loss + box_loss
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 10.0)
            optimizer.step()
            sums["cls"] += cls_loss.item()
            sums["box"] += box_loss.item()
            bar.set_postfix(
                cls=f"{sums['cls'] / (b + 1):.3f}",
                box=f"{sums['box'] / (b + 1):.3f}",
                refresh=False,
            )
        train_time = time.time() - t0
        metrics = coco_metrics(val_gt, predict_dataset(model, val_ds, recipe))
        metrics.pop("_precision_50", None)
        wall += time.time() - t0
        n_batches = max(1, b + 1)
        entry = {
            "epoch": epoch + 1,
            "cls_loss": sums["cls"] / n_batches,
            "box_loss": sums["box"] / n_batches,
            "train_s": round(train_time, 1),
            "epoch_s": round(time.time() - t0, 1),
            "val_mAP_50": metrics["mAP_50"],
            "val_mAP": metrics["mAP"],
            "val_class_agnostic_AP_50": metrics["class_agnostic_AP_50"],
        }
        history.append(entry)
        log.info("epoch %s", json.dumps(entry))
        if epoch == 0 and args.time_budget_min:
            fitting = epochs_within(args.time_budget_min, entry["epoch_s"])
            if fitting < recipe.epochs:
                budget = args.time_budget_min
                log.info("time budget %.1f min: epochs %d -> %d", budget, recipe.epochs, fitting)
                recipe = replace(recipe, epochs=fitting)  # the cosine schedule ends at the new last step
                total_steps = steps_per_epoch * recipe.epochs
        save_atomic(
            {
                "meta": {"task": "detection"},
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "epoch": epoch,
                "recipe": asdict(recipe),
                "categories": train_ds.categories,
                "counts_per_category": {
                    c: sum(1 for im in train_ds.images for bx in im.boxes if bx.label == c)
                    for c in train_ds.categories
                },
                "num_train_images": len(train_ds.images),
                "seed": args.seed,
                "command": command,
                "history": history,
                "val_metrics": metrics,
                "wall_time_s": wall,
                "threads": args.threads,
                "device": str(device),
                "hardware": hardware(),
            },
            ckpt_path,
        )
        epoch += 1
    log.info("done: %s", ckpt_path)
    return 0
