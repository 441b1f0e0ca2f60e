"""benchmarks/model_separation.py (issue 18, tenth round): the face square the model sees and
the class-balanced read-out its figures in docs/local-detector-renders.md rest on."""

from __future__ import annotations

import numpy as np

from benchmarks import model_separation as ms


def _mesh(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0, 0.0], [x1, y0, 0.0], [x0, y1, 0.0], [x1, y1, 0.0]])


def test_square_is_centred_on_the_mesh_and_edge_padded_at_the_border() -> None:
    crop = np.zeros((300, 400, 3), np.uint8)
    crop[:, :200] = (200, 0, 0)  # left half red, right half blue
    crop[:, 200:] = (0, 0, 200)
    # a mesh box 100 x 60 centred at (200, 150): the 1.2 x square is 120 px, inside the crop
    out = ms.square(crop, _mesh(150, 120, 250, 180), 1.2, side=224)
    assert out.shape == (224, 224, 3)
    assert out[112, 20, 0] == 200 and out[112, 200, 2] == 200  # red left of the centre, blue right
    # a face at the top-left corner: the square runs off the crop and is filled from its edge
    corner = ms.square(crop, _mesh(0, 0, 40, 40), 2.0, side=224)
    assert corner.shape == (224, 224, 3)
    assert (corner[:, :, 0] == 200).all()  # replicated red, never black


def test_readout_is_class_balanced() -> None:
    rng = np.random.default_rng(0)
    # 200 photos around -1, 20 not-photos around +1 on the first feature, noise on the second
    x = np.r_[rng.normal(-1, 0.5, (200, 2)), rng.normal(1, 0.5, (20, 2))]
    x[:, 1] = rng.normal(0, 1, 220)
    y = np.r_[np.zeros(200), np.ones(20)]
    w, b = ms.fit_logit(x, y, 1.0)
    assert w[0] > 3 * abs(w[1])  # the informative feature carries the weight
    # balanced: the boundary sits between the two means, not pushed onto the rare class
    assert abs(-b / w[0]) < 0.3
    score = x @ w + b
    assert (score[y == 1] > 0).mean() > 0.9 and (score[y == 0] < 0).mean() > 0.9
