"""The domain: the canonical face, images, rules, normalisers and the adapter protocols (no I/O adapters)."""
