"""Shades of Gray colour constancy: what it does to a colour cast; the graph computes it as training did."""

import numpy as np
import onnxruntime as ort
import pytest
import torch

from training.classifier.color_constancy import ShadesOfGray, color_constancy_module, shades_of_gray
from training.classifier.models import ProbabilityModel, build_backbone
from training.common.image import InputSpec, normalize

SPEC = InputSpec(width=80, height=64, mean=(127 / 255,) * 3, std=(128 / 255,) * 3)


def p_norms(pixels: torch.Tensor, p: int = 6) -> torch.Tensor:
    return pixels.pow(p).mean(dim=(2, 3)).pow(1 / p)


def test_a_colour_cast_is_removed_and_brightness_kept():
    torch.manual_seed(0)
    scene = torch.rand(1, 1, 64, 80).repeat(1, 3, 1, 1) * 120 + 40  # grey scene
    cast = scene * torch.tensor([1.3, 1.0, 0.7]).view(1, 3, 1, 1)  # a warm illuminant
    corrected = shades_of_gray(cast)
    norms = p_norms(corrected)[0]
    assert torch.allclose(norms, norms.mean().expand(3), rtol=1e-4)
    assert p_norms(corrected).mean() == pytest.approx(p_norms(cast).mean().item(), rel=1e-4)
    assert torch.allclose(corrected / corrected.mean(), scene / scene.mean(), rtol=1e-3)


def test_module_on_the_normalized_input_equals_the_pixel_function():
    pixels = torch.rand(2, 3, 64, 80) * 255 * torch.tensor([1.0, 0.8, 0.5]).view(1, 3, 1, 1)
    expected = normalize(shades_of_gray(pixels), SPEC)
    assert torch.allclose(ShadesOfGray(SPEC)(normalize(pixels, SPEC)), expected, atol=1e-4)


def test_checkpoint_meta_names_the_method():
    meta = {"input": SPEC.manifest()}
    assert color_constancy_module(meta) is None
    assert isinstance(color_constancy_module(meta | {"color_constancy": "shades-of-gray"}), ShadesOfGray)
    with pytest.raises(ValueError, match="unknown color_constancy 'grey-world'"):
        color_constancy_module(meta | {"color_constancy": "grey-world"})


def test_onnx_graph_matches_pytorch(tmp_path):
    torch.manual_seed(0)
    backbone, _ = build_backbone("efficientnet_lite0", 7, pretrained=True)  # random init ignores its input
    model = ProbabilityModel(backbone, False, True, ShadesOfGray(SPEC)).eval()
    x = normalize(torch.rand(3, 3, 64, 80) * 255 * torch.tensor([1.0, 0.9, 0.6]).view(1, 3, 1, 1), SPEC)
    path = tmp_path / "model.onnx"
    torch.onnx.export(model, (x,), str(path), dynamo=False, opset_version=17, input_names=["image"])
    onnx_out = ort.InferenceSession(str(path)).run(None, {"image": x.numpy()})[0]
    with torch.no_grad():
        torch_out = model(x).numpy()
    assert np.abs(onnx_out - torch_out).max() < 1e-5
    with torch.no_grad():
        plain = ProbabilityModel(backbone, False, True).eval()(x).numpy()
    assert np.abs(plain - torch_out).max() > 1e-3  # the correction changes what the network sees
