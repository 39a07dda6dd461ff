"""DermaRead training package: data conversion, splits, training, evaluation and ONNX export."""
