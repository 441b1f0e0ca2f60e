"""Keyset pages of a source's faces in Triage's order: a face grid without a list of every id.

Triage lists a source's faces of readable images in catalog order (``ORDER BY source_root, name,
image id, face index``, :func:`~facecurator.services.catalog.queries.face_ids`), all of them or
those of one decision state. :class:`FacePages` reads that list a page at a time, the shape of
:mod:`~facecurator.services.catalog.pages` for images: the COUNT, the page after (or before) a
key (``WHERE (i.name, i.id, f.idx) > (?, ?, ?) ORDER BY ... LIMIT n``: the images' index
``images_by_root`` walked from that key, each image's faces by their unique index), and a sparse
sample of the keys taken once on a worker to map a row to a key. Every query here has a
``LIMIT`` or is a count, on SQLite and on PostgreSQL alike.

A decision-state view keeps the faces it showed: a face decided while a "Pending" grid shows it
stays in that grid until it is rebuilt (the operator refilters), so the rows do not move under
the cursor. The ids decided since the view was counted are :attr:`FacePages.kept` (they count as
matching), those that turned to its state meanwhile :attr:`FacePages.dropped` (they do not).

A key is ``(name, image id, face index, face id)``; its last item is the face id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Final

from facecurator.services.catalog.dialect import POSTGRESQL
from facecurator.services.catalog.pages import below, keyset, last_id, walked
from facecurator.services.catalog.rows import _ids_json

if TYPE_CHECKING:
    from facecurator.services.catalog.database import Catalog

#: One face's place in Triage's order: (image name, image id, face index, face id).
FaceKey = tuple[str, int, int, int]

#: The decision states a paged view may show (None: every face).
STATES: Final = ("pending", "accepted", "rejected")

_KEY: Final = "i.name, i.id, f.idx, f.id"
_ORDER: Final = "i.name, i.id, f.idx"
_FROM: Final = (
    "FROM images AS i CROSS JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id"
)
#: PostgreSQL's page: the walked images (``{walk}``, in order) first, then each one's faces by the
#: faces' unique index (a nested loop: ``OFFSET 0`` keeps the subquery from being flattened into a
#: join the planner estimates at one row). As ``i.id IN (walk)`` it hashed the walked ids against a
#: scan of every image, then joined every face: 1.35-1.65 s for a walk of 23 000 rows at 1M, 2.3 s
#: for 65 536, against 0.09-0.2 s.
_FROM_WALK: Final = (
    "FROM ({walk}) AS i CROSS JOIN LATERAL (SELECT fl.id, fl.idx FROM faces AS fl"
    " WHERE fl.image_id = i.id AND fl.detection_id = i.detection_id OFFSET 0) AS f"
)
#: PostgreSQL: an accepted or rejected view's page whose walk of the images reached this many
#: without a whole page is read from the decisions instead (:meth:`FacePages._decided`).
DECIDED_WALK: Final = 4096
#: PostgreSQL: a page whose walk of this many images had no whole page walks every image from
#: its key on instead (one statement, cut short by its LIMIT: the walked images sorted, each one's
#: faces read until the page is whole). Before, the walk was widened x4 and each size read twice
#: (the page, then a count of the images walked): a next pending face 300 000 faces on walked
#: 64 .. 262 144 images, 1.6-1.7 s at 200 000 images, against 0.5 s (look19).
WHOLE_WALK: Final = 4096
#: The same rows read from given face ids (their primary key first, then each one's image): the
#: images-first order above would walk every image of the source for a few ids.
_FROM_IDS: Final = (
    "FROM faces AS f CROSS JOIN images AS i ON i.id = f.image_id AND f.detection_id = i.detection_id"
)


def _whole_walk(source: str, where: str) -> str:
    """PostgreSQL: a walk of every image from a key (``LIMIT NULL``) with the view's test in each
    image's faces' read: the images sorted, then their faces read in order until the page is
    whole (an incremental sort cut short by the LIMIT). With the test outside, the plan joined
    every face walked with every decision (a hash anti-join) and was JIT-compiled: 0.8 s for a
    face 20 000 on at 200 000 images, against 0.25 s walked in widening bounded walks."""
    return (
        source.replace(" OFFSET 0) AS f", f" AND {where} OFFSET 0) AS f")
        .replace("fl.", "f.")
        .replace("faces AS fl", "faces AS f")
    )


def _in_state(state: str) -> str:
    """The faces of decision ``state`` (``:state``), as a semi- or anti-join of the decisions:
    PostgreSQL estimated the left join's ``coalesce(d.state, 'pending') = :state`` at 0.5 % of
    the faces whatever the state, and counted "Pending" at 1M by 2.9M index probes (5.0-5.6 s,
    against 1.4 s for every face); a join on the decisions it estimates from their statistics."""
    if state == "pending":
        return "NOT EXISTS (SELECT 1 FROM decisions AS d WHERE d.face_id = f.id AND d.state != 'pending')"
    return "EXISTS (SELECT 1 FROM decisions AS d WHERE d.face_id = f.id AND d.state = :state)"


def _key(row: Sequence[Any]) -> FaceKey:
    return (str(row[0]), int(row[1]), int(row[2]), int(row[3]))


@dataclass
class FacePages:
    """The faces of ``source_root`` (of decision ``state``; None: all) in Triage's order."""

    source_root: str
    state: str | None = None
    #: faces decided since the view was counted: still shown (a "Pending" grid keeps them)
    kept: set[int] = field(default_factory=set)
    #: faces that turned to ``state`` since: not shown until the view is counted again
    dropped: set[int] = field(default_factory=set)
    #: a far page is read from a key whose row :meth:`rank_far` counts (an OFFSET walk of the
    #: join costs seconds: 1.4 s a 65 536 rows on PostgreSQL)
    counted_far: ClassVar[bool] = True

    @property
    def sparse(self) -> bool:
        """Whether the view's faces may lie far apart in the images walked (an accepted or
        rejected view: 30 000 of 3M faces), so no page of it is read on the GUI thread (a
        PgDown's too: up to 1.24 s at 1M on PostgreSQL)."""
        return self.state in ("accepted", "rejected")

    def __post_init__(self) -> None:
        if self.state is not None and self.state not in STATES:
            raise ValueError(f"not a decision state: {self.state!r}")

    def _where(self, params: dict[str, Any]) -> tuple[str, str]:
        """(joins, where) of the view's faces; fills ``params``."""
        params["root"] = self.source_root
        where = "i.source_root = :root AND i.status = 'ok'"
        if self.state is None:
            return "", where
        if self.state != "pending":
            params["state"] = self.state
        matching = _in_state(self.state)
        if self.dropped:
            matching += " AND f.id NOT IN (SELECT value FROM json_each(:dropped))"
            params["dropped"] = _ids_json(sorted(self.dropped))
        if self.kept:
            matching = f"({matching}) OR f.id IN (SELECT value FROM json_each(:kept))"
            params["kept"] = _ids_json(sorted(self.kept))
        return "", f"{where} AND ({matching})"

    def count(self, catalog: Catalog, *, pending: bool = False) -> int:
        """How many faces the view shows (``pending``: of them, how many are pending now); one
        count, for a worker at a million images."""
        params: dict[str, Any] = {}
        pending_only = self.state == "pending" or (pending and self.state is None)
        if pending_only and not self.kept and not self.dropped:
            return self._pending(catalog)
        joins, where = self._where(params)
        if pending:
            where += f" AND {_in_state('pending')}"
        with catalog._reading("face count") as db:
            return int(db.execute(f"SELECT count(*) {_FROM} {joins} WHERE {where}", params).fetchone()[0])

    def _pending(self, catalog: Catalog) -> int:
        """The pending faces of the source: every face less the decided ones, two counts both
        backends plan well (the faces' join with their images is estimated at one row on
        PostgreSQL, so an anti-join of the decisions was 3M index probes: 6.6 s at 1M under load
        8-10, the left join's ``coalesce`` 10.5 s, against 2.8-3.3 + 0.27 s)."""
        params: dict[str, Any] = {"root": self.source_root}
        where = "i.source_root = :root AND i.status = 'ok'"
        with catalog._reading("face count") as db:
            every = int(db.execute(f"SELECT count(*) {_FROM} WHERE {where}", params).fetchone()[0])
            decided = db.execute(
                "SELECT count(*) FROM decisions AS d CROSS JOIN faces AS f ON f.id = d.face_id"
                " CROSS JOIN images AS i ON i.id = f.image_id AND f.detection_id = i.detection_id"
                f" WHERE {where} AND d.state != 'pending'",
                params,
            ).fetchone()[0]
        return every - int(decided)

    def page(
        self, catalog: Catalog, *, after: FaceKey | None = None, before: FaceKey | None = None,
        start: FaceKey | None = None, offset: int = 0, limit: int, backward: bool = False,
    ) -> list[FaceKey]:  # fmt: skip
        """Up to ``limit`` keys in order: after the key ``after``, or the ones just before
        ``before`` (still in order), or from the key ``start`` on skipping ``offset`` rows, or the
        rows from ``offset`` (no key: walked from the start; ``backward``: the rows before the
        last ``offset`` ones, walked from the end)."""
        bounds = {"after": after, "before": before, "start": start}
        descending = before is not None or backward
        # PostgreSQL misestimates the faces of an image (two correlated join columns: one row)
        # and sorts the whole join for a page (6-9 s at 3 000 000 faces): its pages are read
        # from the next few images in order (a walk of at most ``images`` images, widened until
        # the page is whole or the images run out). SQLite walks its index as asked.
        # (None: SQLite, or every image from the key walked, the last read: no count of the walk)
        images: int | None = max(64, offset + limit) if catalog.dialect == POSTGRESQL else None
        whole = images is None
        while True:
            params: dict[str, Any] = {"limit": limit, "offset": offset}
            joins, where = self._where(params)
            where, order = keyset(where, _ORDER, params, **bounds, backward=backward)
            source = _FROM
            if not whole and self.sparse and (images is None or images > DECIDED_WALK):
                source, whole = self._decided(params), True  # (a sparse state: from its decisions)
            elif not whole:
                whole = images is None
                source = _FROM_WALK.format(walk=self._walk(params, bounds, descending, images))
                if whole:
                    source, where = _whole_walk(source, where), "TRUE"
            sql = f"SELECT {_KEY} {source} {joins} WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset"
            with catalog._reading("a page of faces") as db:
                keys = [_key(row) for row in db.execute(sql, params).fetchall()]
            if whole or len(keys) == limit:
                break
            images = None if images is None or images >= WHOLE_WALK else images * 4
        return keys[::-1] if descending else keys

    def _decided(self, params: dict[str, Any]) -> str:
        """PostgreSQL: the view's candidate faces read from the decisions of its state (and the
        faces kept in it), each face and its image by primary key, sorted for the page: as many
        rows as the state has decided faces, whatever the source's size. An accepted or rejected
        view whose faces lie far apart (30 000 of 3M) walked the images until the page was whole:
        the End key of "Accepted" at 1M 13.6 s of a page walking every image back to the
        decided ones."""
        decided = "SELECT d.face_id AS id FROM decisions AS d WHERE d.state = :state"
        if self.kept:
            decided += " UNION SELECT value FROM json_each(:kept)"
        return (
            f"FROM ({decided} OFFSET 0) AS dd CROSS JOIN faces AS f ON f.id = dd.id"
            " CROSS JOIN images AS i ON i.id = f.image_id AND f.detection_id = i.detection_id"
        )

    def _walk(
        self, params: dict[str, Any], bounds: dict[str, Any], descending: bool, images: int | None
    ) -> str:
        """The next ``images`` readable images of the source from the bound's image on (or back),
        in order (the columns the view's test and keys read): a LIMIT-ed walk of the images'
        index; ``images`` None: every one from the bound on (``LIMIT NULL``). Fills ``params``."""
        where = "source_root = :root AND status = 'ok'"
        bound = bounds["after"] or bounds["before"] or bounds["start"]
        if bound is not None:
            where += f" AND name {'<=' if descending else '>='} :walk_name"
            params["walk_name"] = bound[0]
        params["walk_images"] = images
        order = "name DESC, id DESC" if descending else "name, id"
        columns = "id, name, source_root, status, detection_id"
        return f"SELECT {columns} FROM images WHERE {where} ORDER BY {order} LIMIT :walk_images"

    def next_pending(self, catalog: Catalog, after: FaceKey | None) -> FaceKey | None:
        """The key of the first face of the view after ``after`` (None: from the start) that is
        pending now, or None: A / R's next face beyond a paged grid's held pages, one LIMIT-ed
        read (:meth:`page`, walking the view's order from the key; a worker's: with no pending
        face after it, the walk goes to the end).

        The view's pending faces: an accepted or rejected view's are those kept in it (decided
        since it was counted) and pending again, read by their ids; else the source's pending
        faces, less, in a "Pending" view, those that turned pending since it was counted
        (dropped, unless kept: put back after a decision made in it)."""
        if self.sparse:
            return self._kept_pending(catalog, after)
        dropped = self.dropped - self.kept if self.state == "pending" else set()
        keys = FacePages(self.source_root, "pending", dropped=dropped).page(catalog, after=after, limit=1)
        return keys[0] if keys else None

    def _kept_pending(self, catalog: Catalog, after: FaceKey | None) -> FaceKey | None:
        """:meth:`next_pending` of an accepted or rejected view: among its kept faces."""
        if not self.kept:
            return None
        params: dict[str, Any] = {"root": self.source_root, "ids": _ids_json(sorted(self.kept))}
        where = (
            "i.source_root = :root AND i.status = 'ok' AND f.id IN (SELECT value FROM json_each(:ids))"
            f" AND {_in_state('pending')}"
        )
        where, order = keyset(where, _ORDER, params, after=after)
        with catalog._reading("the next pending face") as db:
            sql = f"SELECT {_KEY} {_FROM_IDS} WHERE {where} ORDER BY {order} LIMIT 1"
            row = db.execute(sql, params).fetchone()
        return None if row is None else _key(row)

    def keys_of(self, catalog: Catalog, face_ids: Sequence[int]) -> dict[int, FaceKey]:
        """``id -> key`` of those of these faces the view shows (one query, by the faces' ids:
        "go to face" and a new face's row ask it on the GUI thread)."""
        if not face_ids:
            return {}
        params: dict[str, Any] = {"ids": _ids_json(face_ids)}
        joins, where = self._where(params)
        where += " AND f.id IN (SELECT value FROM json_each(:ids))"
        with catalog._reading("face keys") as db:
            rows = db.execute(
                f"SELECT {_KEY} {_FROM_IDS} {joins} WHERE {where}",
                params,
            ).fetchall()
        return {int(row[3]): _key(row) for row in rows}

    def rank(self, catalog: Catalog, key: FaceKey, start: FaceKey | None = None) -> int:
        """The row of ``key``: how many faces of the view come before it (one count; it walks the
        faces before it: a face far down a million images' source costs a second); ``start``:
        how many from the key ``start`` on (a short walk from a sampled key)."""
        params: dict[str, Any] = {}
        joins, where = self._where(params)
        where = below(keyset(where, _ORDER, params, start=start)[0], _ORDER, params, key)
        if start is not None and catalog.dialect == POSTGRESQL:  # (its join estimate: see page)
            params.update(rank_from=start[0], rank_to=key[0])
            where += (
                " AND i.id IN (SELECT id FROM images WHERE source_root = :root AND status = 'ok'"
                " AND name >= :rank_from AND name <= :rank_to)"
            )
        with catalog._reading("a face's row") as db:
            return int(db.execute(f"SELECT count(*) {_FROM} {joins} WHERE {where}", params).fetchone()[0])

    def rank_far(self, catalog: Catalog, key: FaceKey, count: int | None = None) -> int:
        """The row of ``key`` counted in one pass over every face of the view, whatever its row:
        for a row far from the start and from every sampled key. Each face is read first, then
        its image by primary key (SQLite: the faces in id order, their images nearly so;
        PostgreSQL plans it as a hash join): 0.7-0.8 s for the face at 70 % of 3 000 000 on
        SQLite, where :meth:`rank`'s walk of the name index reads each image at random (1.7-3.6
        s), and one query on PostgreSQL where walks of 65 536 rows took 1.4 s each.

        ``count``: the view's rows, given when the key is thought to be in its second half: the
        rows from the key on are counted instead (fewer), on PostgreSQL."""
        if catalog.dialect == POSTGRESQL:
            return self._rank_by_images(catalog, key, count)
        params: dict[str, Any] = {}
        joins, where = self._where(params)
        where = below(where, _ORDER, params, key)
        with catalog._reading("a face's row") as db:
            return int(db.execute(f"SELECT count(*) {_FROM_IDS} {joins} WHERE {where}", params).fetchone()[0])

    def _rank_by_images(self, catalog: Catalog, key: FaceKey, count: int | None) -> int:
        """PostgreSQL: the row of ``key`` (with ``count``, the view's rows less those from the key
        on) without joining every face with its image. Every face before it: the faces of the
        images before its image (each image's current detection says how many: ``record_image``
        gives an image a face row for each face of its detection, ``face_count``) plus its image's
        faces before it. A decision state's: the decided faces of that state before it (from the
        decisions, by primary keys), or for "pending" every face less the decided ones, then the
        faces kept and dropped since the view was counted, by their ids. The faces' join with
        their images is estimated at one row (two correlated join columns), so its count was a
        parallel hash join whose every row went through the Gather to a plain aggregate (1.9-2.5 s
        at 70 % of 3M faces, load 8); the images' join with their detections is estimated right
        and counted in parallel parts (0.98 s)."""
        params: dict[str, Any] = {"root": self.source_root, "name": key[0], "image": key[1], "idx": key[2]}
        images, faces = ("<", "<") if count is None else (">", ">=")
        where = "i.source_root = :root AND i.status = 'ok'"
        every = (
            "(SELECT coalesce(sum(d.face_count), 0) FROM images AS i CROSS JOIN detections AS d"
            f" ON d.id = i.detection_id WHERE {where} AND (i.name, i.id) {images} (:name, :image))"
            " + (SELECT count(*) FROM images AS i CROSS JOIN faces AS f ON f.image_id = i.id"
            f" AND f.detection_id = i.detection_id WHERE i.id = :image AND f.idx {faces} :idx)"
        )
        decided = (
            "(SELECT count(*) FROM decisions AS d CROSS JOIN faces AS f ON f.id = d.face_id"
            " CROSS JOIN images AS i ON i.id = f.image_id AND f.detection_id = i.detection_id"
            f" WHERE {where} AND (i.name, i.id, f.idx) {faces} (:name, :image, :idx)"
            f" AND d.state {'!=' if self.state == 'pending' else '='} :state)"
        )
        sql = every if self.state is None else f"{every} - {decided}" if self.state == "pending" else decided
        params["state"] = self.state or ""
        with catalog._reading("a face's row") as db:
            counted = int(db.execute(f"SELECT {sql}", params).fetchone()[0])
            counted += self._moved(db, key, before=count is None)
        return counted if count is None else count - counted

    def _moved(self, db: Any, key: FaceKey, *, before: bool) -> int:
        """How many more of the view's rows than of its decision state's are before ``key`` (or
        from it on, ``before`` False): the faces kept in it and those dropped from it since it was
        counted, by their ids (their keys and states read, compared here as in SQL)."""
        ids = self.kept | self.dropped
        if not ids:
            return 0
        rows = db.execute(
            f"SELECT {_KEY}, coalesce(d.state, 'pending') {_FROM_IDS} LEFT JOIN decisions AS d"
            " ON d.face_id = f.id WHERE i.source_root = :root AND i.status = 'ok'"
            " AND f.id IN (SELECT value FROM json_each(:ids))",
            {"root": self.source_root, "ids": _ids_json(sorted(ids))},
        ).fetchall()
        moved = 0
        for row in rows:
            if (tuple(row[:3]) < tuple(key[:3])) != before:
                continue
            in_state = row[4] == self.state
            moved += ((in_state and row[3] not in self.dropped) or row[3] in self.kept) - in_state
        return moved

    def sample(
        self, catalog: Catalog, step: int, *, start: FaceKey | None = None, rows: int | None = None
    ) -> list[FaceKey]:
        """The keys of rows 0, ``step``, 2 ``step`` ... (for a worker: OFFSET walks, :func:`walked`);
        ``start``/``rows``: of the ``rows`` rows from the key ``start`` on only (a walk in chunks)."""
        return walked(lambda **bounds: self.page(catalog, **bounds), step, start, rows)

    def sample_whole(self, catalog: Catalog, step: int) -> list[FaceKey] | None:
        """PostgreSQL: :meth:`sample_counted` (3.6-4.7 s for 3M faces under load 15, the whole
        view; walked, 0.5 s a chunk of 64 keys: ~23 s, during which a far page was counted over
        half the view). None (walk instead) on SQLite, whose chunks cost 0.25 s (the view in one
        pass 7.6 s, 2.4 s of CPU, with no other query of the worker in between), and once faces
        are kept or dropped since the count (the view's rows are then not its state's)."""
        if catalog.dialect != POSTGRESQL or self.kept or self.dropped:
            return None
        return self.sample_counted(catalog, step)

    def sample_counted(self, catalog: Catalog, step: int) -> list[FaceKey]:
        """The keys of rows 0, ``step``, 2 ``step`` ... (as :meth:`sample` walks them) in one
        pass: the view's faces counted per image in order, each image's rows before it summed,
        then the faces at the multiples of ``step`` read from the few images holding them (one
        query by their ids). The view as counted (its kept and dropped faces are not)."""
        params: dict[str, Any] = {"step": step}
        sql = (
            "SELECT id, before, n FROM (SELECT id, n, CAST(sum(n) OVER (ORDER BY name, id ROWS UNBOUNDED"
            f" PRECEDING) AS BIGINT) - n AS before FROM ({self._per_image(catalog, params)}) AS c) AS r"
            " WHERE ((before + :step - 1) / :step) * :step < before + n"
        )
        with catalog._reading("the keys of a view's rows") as db:
            rungs = [(int(row[0]), int(row[1]), int(row[2])) for row in db.execute(sql, params)]
            if not rungs:
                return []
            params = {"images": _ids_json([image for image, _b, _n in rungs])}
            joins, where = self._where(params)
            where += " AND f.image_id IN (SELECT value FROM json_each(:images))"
            faces: dict[int, list[FaceKey]] = {}
            for row in db.execute(f"SELECT {_KEY} {_FROM_IDS} {joins} WHERE {where}", params):
                faces.setdefault(int(row[1]), []).append(_key(row))
        keys: list[FaceKey] = []
        for image, before, n in rungs:
            of_image = sorted(faces.get(image, ()))
            first = -(-before // step) * step
            rows = range(first, before + min(n, len(of_image)), step)
            keys += [of_image[at - before] for at in rows]
        return keys

    def _per_image(self, catalog: Catalog, params: dict[str, Any]) -> str:
        """The view's images with faces and how many each (``name, id, n``); fills ``params``.
        PostgreSQL, all faces or "pending": from the images' detections (``face_count``, as
        :meth:`_rank_by_images`; "pending" less each image's decided faces, from the decisions):
        3.6-4.7 s at 1M images / 3M faces under load 15, against 8.6 / 11.1 s for the faces joined
        with their images and grouped (that join is estimated at one row)."""
        if catalog.dialect != POSTGRESQL or self.state not in (None, "pending"):
            joins, where = self._where(params)
            return f"SELECT i.name, i.id, count(*) AS n {_FROM} {joins} WHERE {where} GROUP BY i.name, i.id"
        params["root"] = self.source_root
        n = "d.face_count"
        decided = ""
        if self.state == "pending":
            n = "d.face_count - coalesce(x.n, 0)"
            decided = (
                " LEFT JOIN (SELECT f.image_id, f.detection_id, count(*) AS n FROM decisions AS dd"
                " JOIN faces AS f ON f.id = dd.face_id WHERE dd.state != 'pending'"
                " GROUP BY f.image_id, f.detection_id) AS x"
                " ON x.image_id = i.id AND x.detection_id = i.detection_id"
            )
        return (
            f"SELECT i.name, i.id, {n} AS n FROM images AS i JOIN detections AS d ON d.id = i.detection_id"
            f"{decided} WHERE i.source_root = :root AND i.status = 'ok' AND {n} > 0"
        )

    def last_id(self, catalog: Catalog) -> int:
        """The largest face id (a go-to's row is estimated from a sample of the ids up to it)."""
        return last_id(catalog, "faces")

    def every_id(self, catalog: Catalog) -> list[int]:
        """Every face id of the view in order, in one query (a whole-view operation: a bulk
        decision's scope, not a view's page)."""
        params: dict[str, Any] = {}
        joins, where = self._where(params)
        with catalog._reading("face ids") as db:
            return [
                int(row[0])
                for row in db.execute(f"SELECT f.id {_FROM} {joins} WHERE {where} ORDER BY {_ORDER}", params)
            ]


def latest_changes(catalog: Catalog, face_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """``face id -> (old state, new state)`` of each of these faces' latest decision change, from
    the audit (one query by id on its ``audit_by_face`` index; a face never decided: absent)."""
    if not face_ids:
        return {}
    with catalog._reading("decision changes") as db:
        rows = db.execute(
            "SELECT a.face_id, a.old_state, a.new_state FROM audit AS a WHERE a.id IN ("
            "SELECT max(b.id) FROM audit AS b WHERE b.face_id IN (SELECT value FROM json_each(:ids)) "
            "GROUP BY b.face_id)",
            {"ids": _ids_json(face_ids)},
        ).fetchall()
    return {int(row[0]): (str(row[1]), str(row[2])) for row in rows}
