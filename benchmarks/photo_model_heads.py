"""Photograph or not? The seventeenth round (issue 18): the shipped CLIP photograph probe against
re-fits of it on today's tuning part -- its readout, block 11's patch-token mean beside it
(native18), a lambda grid, and small non-linear heads -- all on the tuning part only.

    python benchmarks/photo_model_heads.py --cache /tmp/fit19/crops.pkl \
        --extra-cache /tmp/fit19/extra.pkl --variants-cache /tmp/fit19/variants.pkl \
        --derived-cache /tmp/fit19/derived.pkl --embed-cache /tmp/fit19/emb.pkl \
        --verdicts v51-main.json [--readouts cls10+cls11 cls10+cls11+mean11] [--lams 1 10 100] \
        [--heads linear mlp kernel] [--since 27367d5] [--batch 4011cc6..94b4f92]

Faces, features and rule as ``photo_model_fit.fit``: every real tune face (render, drawing
against every photograph), crops and meshes of ``clip_probes.load_rows``, the ``head`` view at
224 px through the pinned INT8 CLIP ViT-B/16 (``photo_model_fit.embed``: class tokens and
patch-token means of blocks 1-11); held out one source at a time; threshold = the lowest over
which at most 1 % of the held-out tune clean scores fall; the 360 tune camera variants, scored
by the fit on all of tune, must stay under it (a readout that flags one breaks the rule).
Heads: ``linear`` (the shipped class-balanced L2 logistic regression), ``mlp`` (one hidden
layer of ``--hidden`` tanh units on the fold's first ``--dims`` principal components of the
standardised features, the same loss, L2 ``lam`` on
both weight layers, L-BFGS from a fixed seed), ``kernel`` (kernel logistic regression, an RBF
kernel of width the median squared distance of the fold's training faces, penalty
``lam * a'Ka``). Each fold starts from the fit on all of tune (a warm start, as ``fit``).

Printed per candidate: LOSO AUC (not-photographs against clean faces), threshold (clean over),
held-out not-photographs caught in all and among the "qualified" ones (``--verdicts``: the faces
the run let reach the CLIP check, ``clip_probes._qualified``), camera variants over, the faces
of ``--batch`` (labels added by those commits: synth18) caught held out, and the faces labelled
since ``--since`` (the shipped fit's labels) -- not-photographs caught and clean faces flagged.
The shipped probe (``--shipped``: local-v51's ``photo_model.json``, read out of git) is scored on
the same faces: its figures on faces labelled before ``--since`` are not held out. Nothing of
test or test2 is read. Figures: docs/local-detector-renders.md, "(i) Seventeenth round".
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clip_layers import features
from clip_probes import _qualified, load_rows, loso_threshold
from model_separation import CAMERA_KINDS, NOT_PHOTO, fit_logit
from photo_model_fit import REAL, VIEW, embed
from photo_separation import auc, face_class

from benchmarks.truthset.labels import LABELS_CSV, read_labels
from facecurator.detect.quality import photo_model

# A head: (standardised training features, labels, lambda, warm start) -> (parameters, scorer).
Scorer = Callable[[np.ndarray], np.ndarray]
Head = Callable[[np.ndarray, np.ndarray, float, Any], tuple[Any, Scorer]]


def _balance(y: np.ndarray) -> np.ndarray:
    return np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))


def linear(x: np.ndarray, y: np.ndarray, lam: float, start: Any = None) -> tuple[Any, Scorer]:
    w, c = fit_logit(x, y, lam, start)
    return np.r_[w, c], lambda z: z @ w + c


def mlp(hidden: int, dims: int) -> Head:
    """One hidden layer of tanh units on the fold's first ``dims`` principal components (each
    scaled to unit variance); class-balanced logistic loss, L2 on both weight layers."""

    def head(x0: np.ndarray, y: np.ndarray, lam: float, start: Any = None) -> tuple[Any, Scorer]:
        from scipy.optimize import minimize

        vt = np.linalg.svd(x0 - x0.mean(0), full_matrices=False)[2][:dims]
        proj = vt.T / ((x0 - x0.mean(0)) @ vt.T).std(0)
        x = x0 @ proj
        p = x.shape[1]
        sw = _balance(y)
        shapes = [(p, hidden), (hidden,), (hidden,), (1,)]
        sizes = [int(np.prod(s)) for s in shapes]

        def unpack(v: np.ndarray) -> list[np.ndarray]:
            out, at = [], 0
            for s, k in zip(shapes, sizes, strict=True):
                out.append(v[at : at + k].reshape(s))
                at += k
            return out

        def loss(v: np.ndarray) -> tuple[float, np.ndarray]:
            w1, b1, w2, b2 = unpack(v)
            h = np.tanh(x @ w1 + b1)
            z = h @ w2 + b2[0]
            ll = np.sum(sw * (np.logaddexp(0, z) - y * z)) + 0.5 * lam * (np.sum(w1 * w1) + w2 @ w2)
            g = sw * (1 / (1 + np.exp(-z)) - y)
            gh = np.outer(g, w2) * (1 - h * h)
            grads = [x.T @ gh + lam * w1, gh.sum(0), h.T @ g + lam * w2, np.array([g.sum()])]
            return float(ll), np.concatenate([a.ravel() for a in grads])

        if start is None:
            rng = np.random.default_rng(0)
            start = np.concatenate(
                [
                    rng.normal(0, 1 / np.sqrt(p), p * hidden),
                    np.zeros(hidden),
                    rng.normal(0, 0.1, hidden),
                    [0.0],
                ]
            )
        v = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 1000}).x
        w1, b1, w2, b2 = unpack(v)
        return v, lambda z: np.tanh(z @ proj @ w1 + b1) @ w2 + b2[0]

    return head


def kernel(x: np.ndarray, y: np.ndarray, lam: float, start: Any = None) -> tuple[Any, Scorer]:
    """Kernel logistic regression, RBF of width the median squared distance between the faces."""
    from scipy.optimize import minimize

    sq = (x * x).sum(1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * x @ x.T, 0)
    gamma = 1.0 / float(np.median(d2[np.triu_indices(len(x), 1)]))
    k = np.exp(-gamma * d2)
    sw = _balance(y)

    def loss(v: np.ndarray) -> tuple[float, np.ndarray]:
        ka = k @ v[:-1]
        z = ka + v[-1]
        g = sw * (1 / (1 + np.exp(-z)) - y)
        ll = np.sum(sw * (np.logaddexp(0, z) - y * z)) + 0.5 * lam * v[:-1] @ ka
        return float(ll), np.r_[k @ g + lam * ka, g.sum()]

    v = minimize(loss, np.zeros(len(x) + 1), jac=True, method="L-BFGS-B", options={"maxiter": 1000}).x

    def score(z: np.ndarray) -> np.ndarray:
        zd = np.maximum((z * z).sum(1)[:, None] + sq[None, :] - 2 * z @ x.T, 0)
        return np.asarray(np.exp(-gamma * zd) @ v[:-1] + v[-1])

    return v, score


def loso(
    x: np.ndarray, y: np.ndarray, src: np.ndarray, lam: float, head: Head, warm: bool = True
) -> tuple[np.ndarray, Scorer]:
    """Held-out scores (one source at a time, standardised on each fold) and the fit on all."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    whole, score = head((x - mu) / sd, y, lam, None)
    held = np.zeros(len(y))
    for s in np.unique(src):
        te = src == s
        m, d = x[~te].mean(0), x[~te].std(0) + 1e-9
        _, fs = head((x[~te] - m) / d, y[~te], lam, whole if warm else None)
        held[te] = fs((x[te] - m) / d)
    return held, lambda z: score((z - mu) / sd)


def keys_at(rev: str, split: str = "tune") -> set[str]:
    """The keys of the ``split`` faces labelled at git revision ``rev``."""
    text = subprocess.run(
        ["git", "show", f"{rev}:benchmarks/truthset/labels.csv"],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False) as fh:
        fh.write(text)
    try:
        return {lab.key for lab in read_labels(Path(fh.name)) if lab.split == split}
    finally:
        Path(fh.name).unlink()


def report(
    name: str,
    held: np.ndarray,
    cam: np.ndarray,
    rs: list[dict[str, Any]],
    qualified: dict[str, bool],
    batch: dict[str, set[str]],
    new: set[str],
    thr: float | None = None,
    st: np.ndarray | None = None,
    drawn: np.ndarray | None = None,
) -> dict[str, Any]:
    """One candidate's tune figures (``thr``: a fixed threshold -- the shipped probe's)."""
    y = np.array([r["class"] in NOT_PHOTO for r in rs])
    clean = np.array([r["class"] == "clean" for r in rs])
    keys = [r["key"] for r in rs]
    q = np.array([qualified.get(k, False) for k in keys])
    nw = np.array([k in new for k in keys])
    drawn = np.zeros(0) if drawn is None else drawn
    t = loso_threshold(held[clean]) if thr is None else thr
    over = held > t
    out = {
        "name": name,
        "auc": auc(held[y], held[clean]),
        "threshold": t,
        "clean_over": int((over & clean).sum()),
        "clean": int(clean.sum()),
        "caught": int((over & y).sum()),
        "not_photo": int(y.sum()),
        "caught_q": int((over & y & q).sum()),
        "not_photo_q": int((y & q).sum()),
        "camera_over": int((cam > t).sum()),
        "camera": len(cam),
        "camera_max": float(cam.max()) if len(cam) else float("nan"),
        "batch": {
            n: [int((over & y & m).sum()), int((y & m).sum())]
            for n, m in ((n, np.array([k in ks for k in keys])) for n, ks in batch.items())
        },
        "new_np": [int((over & nw & y).sum()), int((nw & y).sum())],
        "new_np_q": [int((over & nw & y & q).sum()), int((nw & y & q).sum())],
        "drawn_over": [int((drawn > t).sum()), len(drawn)],
        "new_clean": [int((over & nw & clean).sum()), int((nw & clean).sum())],
        "selftest": [] if st is None else [round(float(v), 3) for v in st],
    }
    print(
        f"{name}: AUC {out['auc']:.3f}; threshold {t:.3f} (clean over {out['clean_over']}/{out['clean']});"
        f" caught {out['caught']}/{out['not_photo']} (qualified {out['caught_q']}/{out['not_photo_q']});"
        f" camera over {out['camera_over']}/{out['camera']} (max {out['camera_max']:.2f});"
        + "".join(f" {n} {a}/{b};" for n, (a, b) in out["batch"].items())
        + f" new not-photo {out['new_np'][0]}/{out['new_np'][1]}"
        f" (qualified {out['new_np_q'][0]}/{out['new_np_q'][1]}),"
        f" sketch+cartoon variants over {out['drawn_over'][0]}/{out['drawn_over'][1]},"
        f" new clean flagged {out['new_clean'][0]}/{out['new_clean'][1]};"
        f" self-test (astronaut, stylised, portrait, stylised) {out['selftest']}"
        + (
            "" if st is None else f" {'ok' if (st[[0, 2]] < t).all() and (st[[1, 3]] > t).all() else 'FAILS'}"
        ),
        flush=True,
    )
    return out


def shipped(
    x_of: dict[str, np.ndarray], rs: list[dict[str, Any]], cam: list[dict[str, Any]], path: Path
) -> tuple:
    """The probe of ``path`` (local-v51's readout: cls10+cls11) on the tune faces and variants."""
    p = json.loads(path.read_text(encoding="utf-8"))["probe"]
    c, s, w = (np.array(p[k], float) for k in ("centre", "scale", "weights"))

    def score(items: list[dict[str, Any]]) -> np.ndarray:
        x = np.array([x_of[r["key"]] for r in items], float).reshape(len(items), len(c))
        return np.asarray(((x - c) / s) @ w + p["bias"])

    return score(rs), score(cam), float(p["threshold"])


def selftest_rows(corpus: Path) -> list[dict[str, Any]]:
    """The photographs and stylised copies ``tests/test_quality_photo_model.py`` reads: the
    committed astronaut (2 x) and the corpus portrait's working image, each as it is and through
    ``cv2.stylization`` -- crop and mesh as ``collect`` takes them."""
    import cv2
    from PIL import Image
    from quality_faces import faces_of

    from facecurator import paths
    from facecurator.detect.local import LocalDetector
    from facecurator.domain.protocols import ImageRef

    det = LocalDetector()
    with Image.open(paths.resource_path("selftest", "astronaut.jpg")) as img:
        astro = cv2.resize(np.asarray(img.convert("RGB")), None, fx=2, fy=2, interpolation=cv2.INTER_LANCZOS4)
    data = corpus.joinpath("people", "deepface_p01", "img2.jpg").read_bytes()
    ref = ImageRef(uri="/t/img2.jpg", name="img2.jpg", group="t", size=len(data), mtime_ns=0)
    portrait = np.ascontiguousarray(det.detect(ref, data).pixels)
    out = []
    for name, rgb in (("astronaut", astro), ("portrait", portrait)):
        for kind, im in (("photo", rgb), ("stylised", cv2.stylization(rgb, sigma_s=60, sigma_r=0.45))):
            png = cv2.imencode(".png", cv2.cvtColor(np.ascontiguousarray(im), cv2.COLOR_RGB2BGR))[1].tobytes()
            f = faces_of(det, png, f"{name}.png")[0]
            crop = cv2.imencode(".png", cv2.cvtColor(f["crop"], cv2.COLOR_RGB2BGR))[1].tobytes()
            out.append({"key": f"selftest:{name}#{kind}", "png": crop, "mesh": f["mesh"], "kind": kind})
    det.close()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name in ("cache", "extra-cache", "variants-cache", "derived-cache", "embed-cache"):
        ap.add_argument(f"--{name}", type=Path, required=True)
    ap.add_argument("--verdicts", type=Path, default=None, help="verdict_quality.py --json (qualified)")
    ap.add_argument("--readouts", nargs="+", default=["cls10+cls11", "cls10+cls11+mean11"])
    ap.add_argument("--lams", nargs="+", type=float, default=[10.0])
    ap.add_argument("--heads", nargs="+", default=["linear"], choices=["linear", "mlp", "kernel"])
    ap.add_argument("--hidden", type=int, default=16)
    ap.add_argument("--dims", type=int, default=128, help="the MLP's principal components")
    ap.add_argument("--since", default="27367d5", help="the shipped fit's labels (git revision)")
    ap.add_argument(
        "--batch",
        nargs="+",
        default=["synth18=4011cc6..94b4f92"],
        help="NAME=REV1..REV2: the tune faces labelled between (caught held out, per batch)",
    )
    ap.add_argument(
        "--fit-drawn",
        action="store_true",
        help="fit on the tune sketch / cartoon variants too (as not-photographs; held out by source)",
    )
    ap.add_argument(
        "--shipped",
        type=Path,
        default=photo_model.PROBE_FILE,
        help="the probe to compare with (a cls10+cls11 photo_model.json: local-v51's)",
    )
    ap.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    ap.add_argument("--json", type=Path, default=None, help="write every candidate's figures here")
    args = ap.parse_args(argv)
    rows = load_rows(args)
    labels = {lab.key: lab for lab in read_labels(LABELS_CSV)}
    for r in rows:
        if r["kind"] == "real":
            r["class"] = face_class(labels[r["key"]])
            r["split"] = labels[r["key"]].split
    drawn_kinds = ("sketch", "cartoon")  # not-photo variants of tune clean faces: scored, never fitted
    rows = [r for r in rows if r["split"] == "tune" and (r["kind"] in ("real", *CAMERA_KINDS, *drawn_kinds))]
    need = "+".join(dict.fromkeys(p for ro in args.readouts for p in ro.split("+")))
    emb = embed(rows, args.embed_cache, need if "mean" in need else need + "+mean11")
    selftest = selftest_rows(args.corpus)
    emb |= embed(selftest, args.embed_cache.with_suffix(".selftest.pkl"), "cls11+mean11")
    rs = [r for r in rows if r["kind"] == "real" and r["class"] in REAL]
    cam = [r for r in rows if r["kind"] in CAMERA_KINDS]
    drawn = [r for r in rows if r["kind"] in drawn_kinds]
    batch = {}
    for item in args.batch:
        name, _, revs = item.partition("=")
        rev1, rev2 = revs.split("..")
        batch[name] = keys_at(rev2) - keys_at(rev1)
    new = {r["key"] for r in rs} - keys_at(args.since)
    qualified = _qualified(args.verdicts)
    y = np.array([1.0 if r["class"] in NOT_PHOTO else 0.0 for r in rs])
    src = np.array([r["source"] for r in rs])
    print(
        f"tune: {len(rs)} faces ({int(y.sum())} not-photographs), {len(np.unique(src))} sources,"
        f" {len(cam)} camera variants, {len(drawn)} sketch / cartoon variants"
    )
    results = []
    x_of = {r["key"]: features(emb[f"{r['key']}|{VIEW}"], "cls10+cls11", (np.zeros(0), 0.0)) for r in rows}
    held, cam_s, thr = shipped(x_of, rs, cam, args.shipped)
    x_of |= {
        r["key"]: features(emb[f"{r['key']}|{VIEW}"], "cls10+cls11", (np.zeros(0), 0.0)) for r in selftest
    }
    _, st_s, _ = shipped(x_of, rs, selftest, args.shipped)
    _, dr_s, _ = shipped(x_of, rs, drawn, args.shipped)
    results.append(report("shipped (local-v51)", held, cam_s, rs, qualified, batch, new, thr, st_s, dr_s))
    heads: dict[str, Head] = {"linear": linear, "mlp": mlp(args.hidden, args.dims), "kernel": kernel}
    for readout in args.readouts:
        x = np.array([features(emb[f"{r['key']}|{VIEW}"], readout, (np.zeros(0), 0.0)) for r in rs])
        xc = np.array([features(emb[f"{r['key']}|{VIEW}"], readout, (np.zeros(0), 0.0)) for r in cam])
        xc = xc.reshape(len(cam), x.shape[1])
        xs = np.array([features(emb[f"{r['key']}|{VIEW}"], readout, (np.zeros(0), 0.0)) for r in selftest])
        xd = np.array([features(emb[f"{r['key']}|{VIEW}"], readout, (np.zeros(0), 0.0)) for r in drawn])
        for head in args.heads:
            for lam in args.lams:
                if args.fit_drawn:  # the drawn variants as not-photographs, held out with their source
                    xa, ya = np.r_[x, xd], np.r_[y, np.ones(len(drawn))]
                    sa = np.r_[src, [r["source"] for r in drawn]]
                    held_a, score = loso(xa, ya, sa, lam, heads[head], warm=head == "linear")
                    held, drawn_s = held_a[: len(rs)], held_a[len(rs) :]
                else:
                    held, score = loso(x, y, src, lam, heads[head], warm=head == "linear")
                    drawn_s = score(xd)
                name = f"{readout} {head} lambda {lam:g}" + (" +drawn fitted" if args.fit_drawn else "")
                res = report(name, held, score(xc), rs, qualified, batch, new, None, score(xs), drawn_s)
                results.append(res)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
