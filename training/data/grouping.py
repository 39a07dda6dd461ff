"""How images are grouped (patient, lesion, source photo) and stratified (category or a metadata field)."""

from __future__ import annotations

from training.data.dataset import ImageRecord

NO_BOX = "(no lesion)"


def group_of(im: ImageRecord, key: str = "group") -> str:
    """The image's group under `key`: "group" (ImageRecord.group) or "metadata:<field>".

    An image without a group id is its own group, so it can never be in two splits.
    """
    if key == "group":
        value = im.group
    elif key.startswith("metadata:"):
        value = im.metadata.get(key.removeprefix("metadata:"))
    else:
        raise ValueError(f"group key must be 'group' or 'metadata:<field>', got {key!r}")
    return f"image:{im.image_id}" if value in (None, "") else str(value)


def strata_of(im: ImageRecord, key: str = "category") -> set[str]:
    """The image's strata: its box categories ("category"), or one value of "metadata:<field>"."""
    if key == "category":
        return im.labels() or {NO_BOX}
    if key.startswith("metadata:"):
        return {str(im.metadata.get(key.removeprefix("metadata:")))}
    raise ValueError(f"stratify key must be 'category' or 'metadata:<field>', got {key!r}")
