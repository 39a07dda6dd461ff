#!/usr/bin/env bash
# The classifier recipe on a CUDA GPU, as one prepared run:
#   1. the default recipe (training/classifier/README.md), alone on the GPU, timed against its CPU wall time;
#   2. candidate ensemble members (all layers trained, weight EMA, whole epochs, three input sizes), trained side
#      by side on the same GPU within a time budget, each evaluated on the validation split.
# Members come back as float16 checkpoints (what `ensemble-classifier --half-weights` would store anyway).
#
#   scripts/gpu-classifier-run.sh COCO OUT [MINUTES_PER_CANDIDATE]
# TRAIN_ARGS is appended to every training command (a dry run on the CPU: "--epochs 1 --steps-per-epoch 2
# --device cpu"); EVAL_DEVICE (default cuda) is where the validation predictions run; SPLIT_FILE replaces the
# official split file; CANDIDATES lists WIDTHxHEIGHT:SEED (default: the six of the session-4 run; six processes
# share one GPU badly, two side by side do well).
set -uo pipefail
coco=$1
out=$2
minutes=${3:-2.8}
split=${SPLIT_FILE:-training/splits/ham10000.json}
extra=${TRAIN_ARGS:-}
eval_device=${EVAL_DEVICE:-cuda}
mkdir -p "$out"
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available() and torch.cuda.get_device_name(0))'

started=$(date +%s)
# shellcheck disable=SC2086  # TRAIN_ARGS is a list of arguments
timeout 120 python3 -m training train-classifier --coco "$coco" --split-file $split --out "$out/default" \
  --epochs 20 --steps-per-epoch 110 --time-budget-min 88 --patience 6 --seed 1 --threads 1 --device cuda \
  $extra >"$out/default.out" 2>&1
echo "default recipe: exit $?, $(($(date +%s) - started)) s"
tail -n 2 "$out/default/train.log"

read -r -a candidates <<<"${CANDIDATES:-200x150:11 200x150:12 256x192:21 256x192:22 320x240:31 320x240:32}"
started=$(date +%s)
for candidate in "${candidates[@]}"; do
  size=${candidate%%:*}
  seed=${candidate##*:}
  name=full-ema-$size-s$seed
  # shellcheck disable=SC2086
  timeout 220 python3 -m training train-classifier --coco "$coco" --split-file $split --out "$out/$name" \
    --width "${size%x*}" --height "${size#*x}" --freeze-blocks 0 --ema-decay 0.999 --epochs 30 \
    --time-budget-min "$minutes" --patience 8 --seed "$seed" --threads 2 --device cuda \
    $extra >"$out/$name.out" 2>&1 &
done
wait
echo "candidates: $(($(date +%s) - started)) s"

for candidate in "${candidates[@]}"; do
  size=${candidate%%:*}
  name=full-ema-$size-s${candidate##*:}
  timeout 70 python3 -m training evaluate-classifier --checkpoint "$out/$name/best.pt" --coco "$coco" \
    --split-file $split --split val --out "$out/$name/val" --device "$eval_device" --bootstrap 200 \
    >"$out/$name/val.out" 2>&1 &
done
wait
for candidate in "${candidates[@]}"; do
  name=full-ema-${candidate%%:*}-s${candidate##*:}
  echo "$name: $(tail -n 1 "$out/$name/train.log")"
  grep -h "macro" "$out/$name/val.out"
  python3 - "$out/$name/best.pt" "$out/$name.half.pt" <<'EOF'
import sys
import torch
ckpt = torch.load(sys.argv[1], map_location="cpu", weights_only=False)
ckpt["model"] = {k: v.half() if v.dtype == torch.float32 else v for k, v in ckpt["model"].items()}
torch.save(ckpt, sys.argv[2])
EOF
done
