"""Reference model-input tensors per models/README.md, computed the Python way (PIL decode, torch resize).

usage: python scripts/preprocess-reference.py --input-spec SPEC.json --out OUT.f32 IMAGE...
Writes the images' NCHW float32 tensors back to back (little-endian) into OUT.f32; the app's TypeScript
preprocessing is tested against it (main/core/inference/preprocess.test.ts).
"""

import argparse
import json

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps


def model_input(path: str, spec: dict) -> np.ndarray:
    with Image.open(path) as im:
        rgb = ImageOps.exif_transpose(im).convert("RGB")
    x = torch.from_numpy(np.asarray(rgb, dtype=np.float32)).permute(2, 0, 1)[None]  # 1x3xHxW, 0-255
    w, h = rgb.size
    tw, th = spec["width"], spec["height"]

    def resize(t, size):
        return F.interpolate(t, size=size, mode="bilinear", align_corners=False, antialias=True)

    if spec["resize"] == "stretch":
        x = resize(x, (th, tw))
    elif spec["resize"] == "letterbox":
        s = min(tw / w, th / h)
        nw, nh = max(1, round(w * s)), max(1, round(h * s))
        pad = spec.get("pad_value", 0)
        canvas = torch.empty(1, 3, th, tw)
        canvas[:] = torch.tensor(pad if isinstance(pad, list) else [pad] * 3, dtype=torch.float32)[None, :, None, None]
        canvas[:, :, :nh, :nw] = resize(x, (nh, nw))
        x = canvas
    else:  # shorter-side-center-crop
        s = max(tw / w, th / h)
        nw, nh = max(tw, round(w * s)), max(th, round(h * s))
        x = resize(x, (nh, nw))
        left, top = (nw - tw) // 2, (nh - th) // 2
        x = x[:, :, top : top + th, left : left + tw]
    mean = torch.tensor(spec["mean"], dtype=torch.float32)[None, :, None, None]
    std = torch.tensor(spec["std"], dtype=torch.float32)[None, :, None, None]
    return ((x * spec["scale"] - mean) / std).numpy().astype("<f4")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input-spec", required=True, help="JSON file holding a manifest's `input` object")
    parser.add_argument("--out", required=True)
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()
    with open(args.input_spec, encoding="utf-8") as f:
        spec = json.load(f)
    with open(args.out, "wb") as out:
        for path in args.images:
            out.write(model_input(path, spec).tobytes())


if __name__ == "__main__":
    main()
