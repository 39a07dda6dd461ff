"""`python -m training <command>`: each command lives in its own module with `add_arguments` and `main`."""

import argparse
import importlib
import sys

COMMANDS = {
    "convert": ("training.data.convert", "Convert a clinic CSV to COCO JSON + Pascal VOC with a report."),
    "split": ("training.data.split", "Grouped, stratified train/val/test split of a COCO file."),
    "check-leakage": ("training.data.leakage", "Fail when a group appears in two splits."),
    "train-classifier": ("training.classifier.train", "Train the lesion classifier."),
    "evaluate-classifier": ("training.classifier.evaluate", "AUC with DeLong CIs and more on a split."),
    "ensemble-classifier": ("training.classifier.ensemble", "Average trained classifiers into one model."),
    "export": ("training.export", "Export a checkpoint to ONNX with its manifest."),
    "train-detector": ("training.detector.train", "Train the anchor-based lesion detector."),
    "predict-detector": ("training.detector.predict", "Run an exported detector over a COCO file."),
    "evaluate-detector": ("training.detector.evaluate", "COCO mAP of detections against ground truth."),
}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m training")
    sub = parser.add_subparsers(dest="command", required=True)
    argv = sys.argv[1:] if argv is None else argv
    # Import only the chosen command's module, so one command's heavy imports don't slow the others.
    chosen = argv[0] if argv and argv[0] in COMMANDS else None
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        if name == chosen:
            module = importlib.import_module(module_name)
            module.add_arguments(p)
            p.set_defaults(run=module.main)
    args = parser.parse_args(argv)
    return args.run(args) or 0


if __name__ == "__main__":
    sys.exit(main())
