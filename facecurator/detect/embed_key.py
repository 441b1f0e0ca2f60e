"""The key stored with every embedding, apart from :mod:`.embed` (NumPy): asking the catalog
whether it holds embeddings (``report``, before its first byte) imports nothing heavy."""

from __future__ import annotations

from typing import Final

#: Stored with every embedding: a change of model or alignment is a new cache key.
EMBEDDER_KEY: Final = "dlib-resnet-v1;chip150;v1"
