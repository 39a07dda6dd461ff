"""Reference model-input tensors: the training module's evaluation preprocessing (training.common.image), which
the app's TypeScript preprocessing must reproduce (main/core/inference/preprocess.test.ts).

usage: python scripts/preprocess-reference.py --input-spec SPEC.json --out OUT.f32 IMAGE...
Writes the images' 1x3xHxW float32 tensors back to back (little-endian) into OUT.f32.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from training.common.image import InputSpec, model_input


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input-spec", required=True, help="JSON file holding a manifest's `input` object")
    parser.add_argument("--out", required=True)
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()
    with open(args.input_spec, encoding="utf-8") as f:
        spec = InputSpec.from_manifest(json.load(f))
    with open(args.out, "wb") as out:
        out.writelines(model_input(path, spec).numpy().astype("<f4").tobytes() for path in args.images)


if __name__ == "__main__":
    main()
