"""DermaRead training package: data conversion, splits, classifier and detector training, evaluation, export."""
