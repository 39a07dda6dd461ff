"""Run bookkeeping for the training commands: a log to file and console, seeding, hardware description."""

from __future__ import annotations

import logging
import os
import platform
import random
import shlex
import sys
from pathlib import Path

import numpy as np
import torch


def setup_logging(log_file: Path, name: str) -> logging.Logger:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.handlers.clear()
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
    for handler in (logging.FileHandler(log_file, encoding="utf-8"), logging.StreamHandler(sys.stderr)):
        handler.setFormatter(fmt)
        logger.addHandler(handler)
    logger.propagate = False
    return logger


def seed_everything(seed: int) -> torch.Generator:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def hardware() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = f", GPU {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ", no GPU"
    return f"{cpu}, {os.cpu_count()} logical CPUs, {torch.get_num_threads()} torch threads{gpu}"


def command_line() -> str:
    """This process's command, quoted so that it can be pasted into a shell."""
    return "python -m training " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def epochs_within(budget_min: float, epoch_s: float, spent_s: float = 0.0) -> int:
    """How many epochs of `epoch_s` seconds fit in `budget_min` minutes after `spent_s` (at least 1): the
    `--time-budget-min` rule of the training commands, applied after their first epoch."""
    return max(1, int((budget_min * 60 - spent_s) // epoch_s))


def resolve_device(name: str) -> torch.device:
    """`auto`: the first CUDA GPU when PyTorch sees one, else the CPU."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(name)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(f"--device {name}: PyTorch sees no CUDA GPU")
        torch.backends.cudnn.benchmark = True
    return device
