"""The README preprocessing: decoding with EXIF orientation, the antialiased bilinear resampler, the three
geometry modes and normalization, on real images."""

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from training.common.image import (
    ImageDecodeError,
    InputSpec,
    load_rgb,
    model_input,
    normalize,
    preprocess_geometry,
    resize,
)

SAMPLE = sorted((Path(__file__).resolve().parents[2] / "samples" / "ham10000" / "images").glob("*.jpg"))[0]


def test_identity_size_is_exactly_the_interpolation():
    x = load_rgb(SAMPLE)
    assert x.shape == (3, 150, 200) and x.dtype == torch.float32 and x.min() >= 0 and x.max() <= 255
    same = F.interpolate(x[None], size=(150, 200), mode="bilinear", align_corners=False, antialias=True)[0]
    assert torch.equal(resize(x, 200, 150), x)
    assert torch.allclose(same, x, atol=1e-4)


def test_resize_is_torch_bilinear_antialias_without_rounding():
    x = load_rgb(SAMPLE)
    out = resize(x, 97, 61)
    ref = F.interpolate(x[None], size=(61, 97), mode="bilinear", align_corners=False, antialias=True)[0]
    assert torch.equal(out, ref)
    assert not torch.equal(out, out.round())  # stays float: no rounding back to uint8


def test_exif_orientation_is_applied(tmp_path):
    array = np.zeros((20, 40, 3), dtype=np.uint8)
    array[:, :20] = 255  # white left half
    im = Image.fromarray(array)
    exif = im.getexif()
    exif[0x0112] = 6  # orientation 6: display rotated 90 degrees clockwise
    path = tmp_path / "rotated.jpg"
    im.save(path, exif=exif, quality=100)
    x = load_rgb(path)
    assert x.shape == (3, 40, 20)  # portrait after transpose
    assert x[:, :10].mean() > 200 and x[:, 30:].mean() < 50  # the white half is now on top


def test_alpha_is_dropped_and_grey_becomes_rgb(tmp_path):
    Image.new("RGBA", (8, 6), (10, 20, 30, 0)).save(tmp_path / "a.png")
    Image.new("L", (8, 6), 77).save(tmp_path / "g.png")
    assert load_rgb(tmp_path / "a.png")[:, 0, 0].tolist() == [10, 20, 30]
    assert load_rgb(tmp_path / "g.png").shape == (3, 6, 8)


def test_corrupt_image_error_names_the_file(tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not a jpeg")
    with pytest.raises(ImageDecodeError, match="broken.jpg"):
        load_rgb(bad)


def test_letterbox_places_scaled_image_top_left_on_padding():
    x = torch.full((3, 100, 200), 200.0)
    spec = InputSpec(width=64, height=64, resize="letterbox", pad_value=(1, 2, 3))
    out = preprocess_geometry(x, spec)
    assert out.shape == (3, 64, 64)
    assert torch.allclose(out[:, :32, :], torch.tensor(200.0))
    assert out[:, 32:, :].flatten(1).unique(dim=1).tolist() == [[1], [2], [3]]


def test_shorter_side_center_crop_takes_the_middle():
    x = torch.zeros(3, 100, 300)
    x[:, :, 100:200] = 255.0  # bright middle third
    out = preprocess_geometry(x, InputSpec(width=50, height=50, resize="shorter-side-center-crop"))
    assert out.shape == (3, 50, 50)
    # only the border columns blend with the dark sides
    assert out[:, :, 2:-2].min() == 255 and out.min() > 200


def test_normalize_and_full_pipeline():
    spec = InputSpec(width=200, height=150, mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    x = load_rgb(SAMPLE)
    expected = (x / 255 - 0.5) / 0.25
    assert torch.allclose(normalize(x, spec), expected, atol=1e-6)
    assert torch.allclose(model_input(SAMPLE, spec), expected, atol=1e-6)


def test_unknown_resize_mode_is_rejected():
    with pytest.raises(ValueError, match="resize must be one of"):
        InputSpec(width=10, height=10, resize="crop")
