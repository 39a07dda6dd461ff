#!/usr/bin/env bash
# The ACNE04 detector recipes on a CUDA GPU, as one prepared run:
#   1. the default two-stage recipe (training/detector/README.md: `acne04`, then `acne04-finetune` from it),
#      timed against its CPU wall time (4,326 s + 4,786 s on one thread);
#   2. the same two stages with LONGER times the epochs, to see whether the CPU's short schedule is what
#      holds ACNE04 back.
# Every stage is held to MINUTES by --time-budget-min (the log says when that lowered its epoch count).
# Each stage's validation AP@.5 per epoch is in its train.log; the final checkpoints come back without their
# optimizer state (`slim.pt`), to be exported and scored on the test split where the test images are.
#
#   scripts/gpu-detector-run.sh TRAIN_COCO VAL_COCO OUT [MINUTES] [LONGER]
# TRAIN_ARGS is appended to every training command (a dry run on the CPU: "--max-images 8 --epochs 1
# --device cpu").
set -uo pipefail
train=$1
val=$2
out=$3
minutes=${4:-2}
longer=${5:-3}
extra=${TRAIN_ARGS:-}
mkdir -p "$out"
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available() and torch.cuda.get_device_name(0))'

stage() { # NAME RECIPE INIT EPOCHS_ARGS...
  local name=$1 recipe=$2 init=$3
  shift 3
  local started
  started=$(date +%s)
  # shellcheck disable=SC2086  # TRAIN_ARGS is a list of arguments
  timeout $((${minutes%.*} * 60 + 120)) python3 -m training train-detector --recipe "$recipe" --train "$train" \
    --val "$val" --out "$out/$name" --seed 0 --threads 4 --device cuda ${init:+--init-detector "$init"} \
    --time-budget-min "$minutes" "$@" $extra >"$out/$name.out" 2>&1
  echo "$name: exit $?, $(($(date +%s) - started)) s"
  grep -h "epoch {" "$out/$name/train.log" | tail -n 3
  python3 - "$out/$name/last.pt" "$out/$name/slim.pt" <<'EOF'
import sys
import torch
ckpt = torch.load(sys.argv[1], map_location="cpu", weights_only=False)
ckpt.pop("optimizer")
torch.save(ckpt, sys.argv[2])
EOF
}

stage default acne04 ""
stage default-finetune acne04-finetune "$out/default/last.pt"
stage longer acne04 "" --epochs $((15 * longer))
stage longer-finetune acne04-finetune "$out/longer/last.pt" --epochs $((10 * longer))
