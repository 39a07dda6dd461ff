"""Unit checks of the detector's pieces that the end-to-end quick test cannot pin down precisely."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch

from training.detector.anchors import default_anchors, generate_anchors
from training.detector.decode import DecodeConfig, Decoder, decode_boxes
from training.detector.loss import BOX_WEIGHTS, DELTA_CLAMP, decode, detection_loss, encode, match
from training.detector.model import Detector
from training.detector.transforms import TrainAugment


@pytest.mark.parametrize("size", [(224, 168), (200, 150), (97, 61)])
def test_anchor_layout_matches_the_network_outputs(size):
    width, height = size
    cfg = default_anchors(16)
    model = Detector(3, cfg).eval()
    with torch.no_grad():
        logits, deltas = model(torch.zeros(1, 3, height, width))
    assert logits.shape == (1, generate_anchors(cfg, width, height).shape[0], 3)
    assert deltas.shape[1] == logits.shape[1]


def test_anchor_order_and_shapes():
    a = generate_anchors(default_anchors(12), 64, 64)
    # First location of stride 8: centre (4, 4); first size 12, aspect ratios 0.5, 1, 2 (height / width).
    w, h = a[:3, 2] - a[:3, 0], a[:3, 3] - a[:3, 1]
    np.testing.assert_allclose(h / w, [0.5, 1.0, 2.0])
    np.testing.assert_allclose(np.sqrt(w * h), 12.0)
    np.testing.assert_allclose((a[:9, :2] + a[:9, 2:]) / 2, 4.0)
    np.testing.assert_allclose((a[9, :2] + a[9, 2:]) / 2, [12.0, 4.0])  # next column


def test_encode_then_decode_is_the_identity():
    rng = np.random.default_rng(0)
    anchors = generate_anchors(default_anchors(12), 128, 96)[:500]
    xy = rng.uniform(0, 100, (500, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(3, 60, (500, 2))], 1)
    deltas = encode(torch.from_numpy(anchors), torch.from_numpy(boxes)).numpy()
    np.testing.assert_allclose(decode_boxes(anchors, deltas, BOX_WEIGHTS, DELTA_CLAMP), boxes, atol=1e-9)


def test_training_decode_matches_the_reference_decoder():
    rng = np.random.default_rng(1)
    anchors = generate_anchors(default_anchors(16), 96, 96)[:300]
    deltas = rng.normal(0, 1.5, (300, 4))
    deltas[:5, 2:] = 9.0  # beyond the clamp
    ours = decode(torch.from_numpy(anchors), torch.from_numpy(deltas)).numpy()
    np.testing.assert_allclose(ours, decode_boxes(anchors, deltas, BOX_WEIGHTS, DELTA_CLAMP), atol=1e-9)


def test_giou_term_is_zero_for_exact_boxes_and_grows_with_the_error():
    anchors = torch.from_numpy(generate_anchors(default_anchors(16), 64, 64)).float()
    boxes = torch.tensor([[10.0, 12.0, 30.0, 31.0]])
    target = [(boxes, torch.tensor([0]))]
    exact = torch.zeros(1, anchors.shape[0], 4)
    m = match(anchors, boxes)
    exact[0, m >= 0] = encode(anchors[m >= 0], boxes[m[m >= 0]])
    logits = torch.zeros(1, anchors.shape[0], 1)
    _, l1_only = detection_loss(logits, exact + 0.1, anchors, target)
    _, with_giou = detection_loss(logits, exact + 0.1, anchors, target, giou_weight=2.0)
    _, at_truth = detection_loss(logits, exact, anchors, target, giou_weight=2.0)
    assert at_truth.item() < 1e-5
    assert with_giou.item() > l1_only.item() > 0


def test_every_box_gets_an_anchor_even_when_smaller_than_all():
    anchors = torch.from_numpy(generate_anchors(default_anchors(12), 64, 64)).float()
    boxes = torch.tensor([[30.0, 30.0, 35.0, 34.0], [2.0, 2.0, 60.0, 60.0]])
    m = match(anchors, boxes)
    assert (m == 0).any() and (m == 1).any()


def test_augment_moves_boxes_with_the_pixels():
    img = torch.zeros(3, 100, 200)
    img[:, 20:40, 50:90] = 255.0  # a white box
    boxes = np.array([[50, 20, 90, 40]], dtype=np.float32)
    aug = TrainAugment(160, 120, 160, 120, scale_jitter=(1.0, 1.0))
    for seed in range(6):
        x, out, labels = aug(img, boxes, np.array([2]), random.Random(seed))
        assert labels.tolist() == [2]
        x0, y0, x1, y1 = out[0]
        bright = (x[0] > x[0].min() + 1).nonzero()
        # scale 0.8: the box is 32 x 16 px wherever the flips put it
        assert abs((x1 - x0) - 32) < 1e-4 and abs((y1 - y0) - 16) < 1e-4
        assert abs(bright[:, 1].min().item() - x0) <= 1 and abs(bright[:, 0].min().item() - y0) <= 1


def test_decoder_rejects_outputs_of_another_layout():
    cfg = DecodeConfig(default_anchors(12), 64, 64, BOX_WEIGHTS, DELTA_CLAMP, 0.05, 1000, 0.5, 100)
    with pytest.raises(ValueError, match="anchors"):
        Decoder(cfg)(np.zeros((10, 2), np.float32), np.zeros((10, 4), np.float32), 1.0, 64, 64)


def test_predict_refuses_a_model_whose_hash_differs(tmp_path):
    from training.detector.predict import ExportedDetector

    model = tmp_path / "model"
    model.mkdir()
    (model / "model.onnx").write_bytes(b"not the exported graph")
    (model / "manifest.json").write_text(json.dumps({"task": "detection", "sha256": "0" * 64}))
    with pytest.raises(SystemExit, match="sha256"):
        ExportedDetector(model)


def test_backbone_can_come_from_a_classifier_checkpoint(tmp_path):
    from training.classifier.efficientnet_lite import EfficientNetLite
    from training.detector.train import RECIPES, build_model

    classifier = EfficientNetLite(num_classes=7, variant=0)
    torch.nn.init.normal_(classifier._blocks[15]._project_conv.weight)
    path = tmp_path / "best.pt"
    torch.save({"meta": {"task": "classification"}, "model": classifier.state_dict()}, path)
    recipe = RECIPES["quick"].__class__(
        **{**RECIPES["quick"].__dict__, "init_backbone": str(path), "frozen_blocks": 16}
    )
    model = build_model(7, recipe)
    assert torch.equal(
        model.backbone._blocks[15]._project_conv.weight, classifier._blocks[15]._project_conv.weight
    )
    assert not any(p.requires_grad for p in model.backbone.parameters())
    assert all(p.requires_grad for p in model.head.parameters())


@pytest.mark.parametrize("out", ["eval", "eval/report.json"])
def test_evaluate_writes_a_report_file_or_into_a_folder(tmp_path, out):
    from types import SimpleNamespace

    from training.detector.evaluate import main as evaluate

    gt = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}],
        "categories": [{"id": 1, "name": "papule"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 30, 30], "area": 900, "iscrowd": 0}
        ],
    }
    dets = [{"image_id": 1, "category_id": 1, "bbox": [10, 10, 30, 30], "score": 0.9}]
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    (tmp_path / "dets.json").write_text(json.dumps(dets))
    (tmp_path / "eval").mkdir()
    args = SimpleNamespace(coco=tmp_path / "gt.json", dets=tmp_path / "dets.json", out=str(tmp_path / out))
    assert evaluate(args) == 0
    report = json.loads((tmp_path / "eval/report.json").read_text())
    assert report["mAP_50"] == pytest.approx(1.0) and (tmp_path / "eval/report.png").exists()
