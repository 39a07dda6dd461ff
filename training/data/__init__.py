"""Data pipeline: the in-memory dataset, COCO/VOC read and write, CSV conversion, grouped splits."""
