"""Identity checks of an enrollment gallery, from face embeddings (pure, Qt-free).

A gallery is one folder (group) per person. From each face's descriptor (see
``facecurator.detect.embed``) this module answers, without I/O:

* **identity_consistent** — is the face within ``threshold`` of its folder's
  identity? The identity is a robust centre: the largest set of the folder's
  faces that match each other (the densest face and its neighbours), averaged.
  An outlier is reported with its distance and the face it most resembles in
  another folder. With no majority (e.g. two photos of two people) the check is
  ``unknown``: the folder does not say who the person is.
* **enrolled_face** — in a photo with several faces, the face nearest the
  folder's identity (within the threshold) is the enrolled one; the others are
  "not this person".
* **no_duplicate** — near-identical photos of one folder (perceptual hashes a
  few bits apart, or descriptors almost equal) are grouped; the best by
  quality is kept, the rest are duplicates of it.
* **double enrollment** — two folders whose identities match are probably the
  same person enrolled twice.

Distances are Euclidean on dlib's scale: on this project's photos the same
person measured ≤ 0.61 and different people ≥ 0.64 (benchmarks/identity.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Protocol

import numpy as np

from facecurator.domain.face import Face
from facecurator.domain.rules.identity import DEFAULT_THRESHOLD

#: Two photos are near-identical when their 64-bit perceptual hashes differ in at most this many bits...
DUPLICATE_HASH_BITS: Final = 6
#: ...or when their face descriptors are this close (a re-encoded or resized copy measures < 0.1).
DUPLICATE_DISTANCE: Final = 0.12


class Embedder(Protocol):
    """What a scan needs of a face embedder (``facecurator.detect.embed.FaceEmbedder``)."""

    @property
    def key(self) -> str:
        """What identifies the embedder and its model (part of the embeddings' cache key)."""
        ...

    def embed_image(
        self, data: bytes, faces: Sequence[Face], *, name: str, long_side: int | None = None
    ) -> Any:
        """One descriptor (or None) per face; raises ImageError / DetectorError naming the image."""
        ...

    def embed_decoded(self, rgb: Any, faces: Sequence[Face], *, scale: float, name: str) -> Any:
        """The same from the upright RGB pixels a detector decoded (``scale``: to full-image pixels)."""
        ...

    def clone(self) -> Embedder: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class FaceVector:
    """One embedded face of the gallery.

    ``key`` identifies the face (a face id), ``image`` its photo, ``person`` its
    folder; ``label`` is how to name it in reasons (e.g. "obama/obama2.jpg");
    ``quality`` ranks duplicates (higher is better); ``phash`` is the photo's
    64-bit perceptual hash, or None.
    """

    key: Hashable
    image: Hashable
    person: str
    label: str
    vector: np.ndarray
    quality: float = 0.0
    phash: int | None = None


@dataclass(frozen=True, slots=True)
class FaceIdentity:
    """The identity checks' findings for one face (None where a check does not apply)."""

    key: Hashable
    person: str
    #: distance to the folder's identity, None when the folder has no identity
    distance: float | None
    #: True within the threshold, False outside, None when the folder has no majority
    consistent: bool | None
    #: the nearest face in another folder: (label, person, distance), or None
    nearest: tuple[str, str, float] | None
    #: in a photo of several faces: True for the face enrolled for the folder, False for the others
    enrolled: bool | None
    #: the label of the photo this one duplicates (the kept one), or None
    duplicate_of: str | None
    threshold: float
    #: the near-identical group the face's photo is in (1-based, the report's order), or None
    duplicate_group: int | None = None
    #: other folders whose identity matches this face's folder (probable double enrollment)
    double_enrollment: tuple[str, ...] = ()

    @property
    def outlier(self) -> bool:
        """Outside the threshold from its folder's identity (False when not measured)."""
        return self.consistent is False

    @property
    def duplicate_kept(self) -> bool | None:
        """In a near-identical group: True for the photo kept, False for the others; else None."""
        return None if self.duplicate_group is None else self.duplicate_of is None

    def to_json(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "distance": None if self.distance is None else round(self.distance, 4),
            "consistent": self.consistent,
            "nearest_elsewhere": None
            if self.nearest is None
            else {"face": self.nearest[0], "person": self.nearest[1], "distance": round(self.nearest[2], 4)},
            "enrolled": self.enrolled,
            "duplicate_of": self.duplicate_of,
            "threshold": self.threshold,
            "outlier": self.outlier,
            "duplicate_group": self.duplicate_group,
            "duplicate_kept": self.duplicate_kept,
            "double_enrollment": list(self.double_enrollment),
        }


@dataclass(frozen=True, slots=True)
class PersonSummary:
    """One folder: how many faces, how many consistent, the outliers (worst first)."""

    person: str
    faces: int
    images: int
    consistent: int
    outliers: tuple[Hashable, ...]
    #: faces sorted by distance from the centre, farthest (outliers) first
    order: tuple[Hashable, ...]
    has_identity: bool


@dataclass(frozen=True, slots=True)
class DoubleEnrollment:
    """Two folders whose identities match: probably one person enrolled twice."""

    person_a: str
    person_b: str
    distance: float
    #: the closest pair of faces across the two folders: (label a, label b, distance)
    closest: tuple[str, str, float]

    def to_json(self) -> dict[str, Any]:
        return {
            "persons": [self.person_a, self.person_b],
            "distance": round(self.distance, 4),
            "closest": {"faces": [self.closest[0], self.closest[1]], "distance": round(self.closest[2], 4)},
        }


@dataclass(frozen=True, slots=True)
class IdentityReport:
    """Every check over one gallery."""

    threshold: float
    faces: dict[Hashable, FaceIdentity]
    persons: dict[str, PersonSummary]
    centres: dict[str, np.ndarray]
    duplicates: list[list[Hashable]] = field(default_factory=list)
    double_enrollments: list[DoubleEnrollment] = field(default_factory=list)

    def to_json(self, labels: dict[Hashable, str] | None = None) -> dict[str, Any]:
        """JSON summary (persons, duplicate groups by label, double enrollments)."""
        name = (lambda k: labels.get(k, str(k))) if labels else str
        return {
            "threshold": self.threshold,
            "persons": [
                {
                    "person": p.person,
                    "faces": p.faces,
                    "images": p.images,
                    "consistent": p.consistent,
                    "has_identity": p.has_identity,
                    "outliers": [name(k) for k in p.outliers],
                }
                for p in self.persons.values()
            ],
            "duplicates": [[name(k) for k in group] for group in self.duplicates],
            "double_enrollments": [d.to_json() for d in self.double_enrollments],
        }


# --------------------------------------------------------------------------- geometry


def distances(vectors: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Euclidean distance of each row of ``vectors`` to ``point``."""
    return np.linalg.norm(np.asarray(vectors, dtype=np.float64) - np.asarray(point, dtype=np.float64), axis=1)


def pairwise(vectors: np.ndarray) -> np.ndarray:
    """Matrix of Euclidean distances between the rows of ``vectors``."""
    v = np.asarray(vectors, dtype=np.float64)
    sq = (v * v).sum(axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * v @ v.T, 0.0)
    np.fill_diagonal(d2, 0.0)
    return np.sqrt(d2)


def robust_centre(
    vectors: np.ndarray, threshold: float = DEFAULT_THRESHOLD, groups: Sequence[Hashable] | None = None
) -> tuple[np.ndarray | None, np.ndarray]:
    """The folder's identity: the mean of its largest mutually matching set.

    The densest face (most others within ``threshold``; ties: the smallest sum
    of distances) and its neighbours are averaged. ``groups`` (e.g. the photo of
    each face) makes support count photos, not faces: three faces of one group
    photo are not three votes.

    Returns:
        (centre or None, member mask). None when there is no majority: the set
        holds no more than half the photos (of two or more).
    """
    v = np.asarray(vectors, dtype=np.float64)
    n = len(v)
    if n == 0:
        return None, np.zeros(0, dtype=bool)
    if n == 1:
        return v[0].copy(), np.ones(1, dtype=bool)
    d = pairwise(v)
    near = d <= threshold
    photo = list(groups) if groups is not None else list(range(n))
    if len(set(photo)) == n:  # one face per photo (the usual case): count neighbours
        support = near.sum(axis=1)
    else:
        support = np.array([len({photo[j] for j in np.flatnonzero(near[i])}) for i in range(n)])
    best = max(range(n), key=lambda i: (support[i], -d[i].sum()))
    members = near[best]
    photos = len(set(photo))
    if support[best] * 2 <= photos:
        return None, members
    return v[members].mean(axis=0), members


# --------------------------------------------------------------------------- the checks


def check_gallery(
    faces: Sequence[FaceVector],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    hash_bits: int = DUPLICATE_HASH_BITS,
    duplicate_distance: float = DUPLICATE_DISTANCE,
) -> IdentityReport:
    """Run every identity check over the embedded faces of a gallery."""
    by_person: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(faces):
        by_person[f.person].append(i)
    all_vectors = np.array([f.vector for f in faces], dtype=np.float64) if faces else np.zeros((0, 0))
    person_ids = {p: n for n, p in enumerate(by_person)}
    person_of = np.array([person_ids[f.person] for f in faces], dtype=np.int64)

    centres: dict[str, np.ndarray] = {}
    enrolled: dict[int, bool] = {}
    for person, idx in by_person.items():
        centre = _person_centre(faces, idx, threshold)
        if centre is not None:
            centres[person] = centre
            enrolled.update(_enrolled_faces(faces, idx, centre, threshold))

    results: dict[Hashable, FaceIdentity] = {}
    summaries: dict[str, PersonSummary] = {}
    for person, idx in by_person.items():
        centre = centres.get(person)
        dist = distances(all_vectors[idx], centre) if centre is not None else None
        for pos, i in enumerate(idx):
            face_dist = None if dist is None else float(dist[pos])
            nearest = None
            if len(by_person) > 1 and (face_dist is None or face_dist > threshold):
                # Only for outliers (few): the nearest face of every other folder.
                others = np.flatnonzero(person_of != person_ids[person])
                d_other = distances(all_vectors[others], all_vectors[i])
                j = int(others[int(np.argmin(d_other))])
                nearest = (faces[j].label, faces[j].person, float(d_other.min()))
            results[faces[i].key] = FaceIdentity(
                key=faces[i].key,
                person=person,
                distance=face_dist,
                consistent=None if face_dist is None else face_dist <= threshold,
                nearest=nearest,
                enrolled=enrolled.get(i),
                duplicate_of=None,
                threshold=threshold,
            )
        order = (
            [faces[i].key for _, i in sorted(zip(dist, idx, strict=True), key=lambda t: -t[0])]
            if dist is not None
            else [faces[i].key for i in idx]
        )
        outliers = tuple(k for k in order if results[k].consistent is False)
        summaries[person] = PersonSummary(
            person=person,
            faces=len(idx),
            images=len({faces[i].image for i in idx}),
            consistent=sum(1 for i in idx if results[faces[i].key].consistent),
            outliers=outliers,
            order=tuple(order),
            has_identity=centre is not None,
        )

    duplicates = _duplicate_groups(faces, by_person, hash_bits, duplicate_distance, enrolled)
    label_of = {f.key: f.label for f in faces}
    for number, group in enumerate(duplicates, start=1):
        kept = label_of[group[0]]
        for n, key in enumerate(group):
            results[key] = replace(results[key], duplicate_group=number, duplicate_of=kept if n else None)
    doubles = double_enrollments(faces, centres, threshold)
    twins: dict[str, list[str]] = defaultdict(list)
    for pair in doubles:
        twins[pair.person_a].append(pair.person_b)
        twins[pair.person_b].append(pair.person_a)
    if twins:
        for key, found in results.items():
            if found.person in twins:
                results[key] = replace(found, double_enrollment=tuple(sorted(twins[found.person])))
    return IdentityReport(
        threshold=threshold,
        faces=results,
        persons=summaries,
        centres=centres,
        duplicates=duplicates,
        double_enrollments=doubles,
    )


def face_quality(face: Face) -> float:
    """How good a photo of the face is, to keep the best of near-identical photos.

    The face's short side in pixels, halved for a blur at the top of its scale
    (IMM sharpness, when measured, counts the same way).
    """
    score = float(min(face.box.w, face.box.h))
    if face.sharpness is not None:
        score *= 0.5 + 0.5 * max(0.0, min(1.0, face.sharpness))
    elif face.blur is not None:
        top = 20.0 if face.blur.scale == "0-20" else 100.0
        score *= 1.0 - 0.5 * max(0.0, min(1.0, face.blur.value / top))
    return score


def _person_centre(faces: Sequence[FaceVector], idx: list[int], threshold: float) -> np.ndarray | None:
    """Centre from single-face photos when there are any, else from every face (one vote per photo)."""
    per_image: dict[Hashable, list[int]] = defaultdict(list)
    for i in idx:
        per_image[faces[i].image].append(i)
    singles = [ids[0] for ids in per_image.values() if len(ids) == 1]
    chosen = singles if singles else idx
    vectors = np.array([faces[i].vector for i in chosen])
    centre, _ = robust_centre(vectors, threshold, [faces[i].image for i in chosen])
    if centre is None or not singles or len(singles) == len(per_image):
        return centre
    # Refine with the best face of each group photo.
    picked = list(singles)
    for ids in per_image.values():
        if len(ids) > 1:
            d = distances(np.array([faces[i].vector for i in ids]), centre)
            if d.min() <= threshold:
                picked.append(ids[int(np.argmin(d))])
    refined, _ = robust_centre(np.array([faces[i].vector for i in picked]), threshold)
    return refined if refined is not None else centre


def _enrolled_faces(
    faces: Sequence[FaceVector], idx: list[int], centre: np.ndarray, threshold: float
) -> dict[int, bool]:
    """For each photo with several faces: the one nearest the centre (within threshold) is enrolled."""
    per_image: dict[Hashable, list[int]] = defaultdict(list)
    for i in idx:
        per_image[faces[i].image].append(i)
    out: dict[int, bool] = {}
    for ids in per_image.values():
        if len(ids) < 2:
            continue
        d = distances(np.array([faces[i].vector for i in ids]), centre)
        best = int(np.argmin(d))
        for pos, i in enumerate(ids):
            out[i] = bool(pos == best and d[best] <= threshold)
    return out


def hamming(a: int, b: int) -> int:
    """Bits that differ between two perceptual hashes."""
    return (a ^ b).bit_count()


def _duplicate_groups(
    faces: Sequence[FaceVector],
    by_person: dict[str, list[int]],
    hash_bits: int,
    duplicate_distance: float,
    enrolled: dict[int, bool],
) -> list[list[Hashable]]:
    """Groups of near-identical photos within each person (face keys, the kept one first)."""
    groups: list[list[Hashable]] = []
    for idx in by_person.values():
        # One representative face per photo: the enrolled one, else the only/first one.
        rep: dict[Hashable, int] = {}
        for i in idx:
            img = faces[i].image
            if img not in rep or enrolled.get(i):
                rep[img] = i
        reps = list(rep.values())
        if len(reps) < 2:
            continue
        parent = list(range(len(reps)))

        def root(a: int, parent: list[int] = parent) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        d = pairwise(np.array([faces[i].vector for i in reps]))
        for a in range(len(reps)):
            for b in range(a + 1, len(reps)):
                fa, fb = faces[reps[a]], faces[reps[b]]
                same_hash = (
                    fa.phash is not None and fb.phash is not None and hamming(fa.phash, fb.phash) <= hash_bits
                )
                if same_hash or d[a, b] <= duplicate_distance:
                    parent[root(a)] = root(b)
        clusters: dict[int, list[int]] = defaultdict(list)
        for a in range(len(reps)):
            clusters[root(a)].append(reps[a])
        for members in clusters.values():
            if len(members) > 1:
                members.sort(key=lambda i: (-faces[i].quality, faces[i].label))
                groups.append([faces[i].key for i in members])
    return groups


def double_enrollments(
    faces: Sequence[FaceVector], centres: dict[str, np.ndarray], threshold: float = DEFAULT_THRESHOLD
) -> list[DoubleEnrollment]:
    """Pairs of folders that hold the same person (closest first).

    Two folders match when their centres are within ``threshold`` and so is the
    median distance between their faces (centres alone come closer than any
    two faces: averaging shrinks them).
    """
    names = sorted(centres)
    if len(names) < 2:
        return []
    members: dict[str, list[FaceVector]] = defaultdict(list)
    for f in faces:
        members[f.person].append(f)
    c = np.array([centres[n] for n in names], dtype=np.float64)
    sq = (c * c).sum(axis=1)
    out: list[DoubleEnrollment] = []
    for start in range(0, len(names), 512):  # 512 x folders distances at a time (10k folders: 40 MB)
        rows = c[start : start + 512]
        d2 = sq[start : start + 512, None] + sq[None, :] - 2.0 * rows @ c.T
        block = np.sqrt(np.maximum(d2, 0.0))
        for a, b in np.argwhere(block <= threshold):
            a = int(a) + start
            b = int(b)
            if b <= a:
                continue
            fa, fb = members[names[a]], members[names[b]]
            va = np.array([f.vector for f in fa], dtype=np.float64)
            vb = np.array([f.vector for f in fb], dtype=np.float64)
            cross = np.linalg.norm(va[:, None, :] - vb[None, :, :], axis=2)
            if float(np.median(cross)) > threshold:
                continue
            i, j = np.unravel_index(int(np.argmin(cross)), cross.shape)
            closest = (fa[i].label, fb[j].label, float(cross[i, j]))
            out.append(DoubleEnrollment(names[a], names[b], float(block[a - start, b]), closest))
    out.sort(key=lambda e: e.distance)
    return out
