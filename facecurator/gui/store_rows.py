"""The reading half of :class:`~facecurator.gui.store.CurationStore`: the bounded row cache,
rows fetched a screenful at a time through the services' review, and the SQL the views ask.

A mixin over the store's state (declared here, set by ``CurationStore.__init__``),
like the main window's parts: the store stays one object for the views.
"""

from __future__ import annotations

import logging
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, MutableSequence, Sequence
from dataclasses import dataclass
from typing import Final

from facecurator.domain.filters import is_everything
from facecurator.domain.rules import RuleSet
from facecurator.errors import CatalogError
from facecurator.gui.row_reads import RowReads
from facecurator.gui.rowindex import RowIndex
from facecurator.services import browse
from facecurator.services.catalog import Catalog, pages
from facecurator.services.catalog import queries as q
from facecurator.services.catalog.dialect import POSTGRESQL
from facecurator.services.filtering import FaceFilter, face_ids_where
from facecurator.services.identity import GalleryIdentities
from facecurator.services.review import ReviewedFace, ReviewedImage, iter_review, review

log = logging.getLogger(__name__)

#: Reviewed images kept in memory (the rows on screen and around them).
ROW_CACHE_SIZE: Final = 3000
#: Rows read per catalog query when a view asks for one that is not cached: about a screenful,
#: so reading and evaluating them (~1 ms per image) stays well within an event-loop turn.
FETCH_PAGE: Final = 48
SUMMARY_CACHE_SIZE: Final = ROW_CACHE_SIZE


@dataclass(frozen=True, slots=True)
class ImageSummary:
    """What a gallery cell needs about one image (computed from its fetched row, cached)."""

    faces: int
    qualified: int
    unqualified: int
    unknown: int
    accepted: int
    rejected: int
    pending: int
    sharpest_blur: float | None  # lowest blur among its faces, on the 0-100 scale

    @property
    def decided(self) -> bool:
        return self.faces > 0 and self.pending == 0


class StoreRows(RowReads):
    """Rows on demand and the views' queries (see the module docstring)."""

    catalog: Catalog
    ruleset: RuleSet
    source_root: str | None
    _ruleset_id: int
    _identities: GalleryIdentities | None
    _image_order: MutableSequence[int]
    #: while a paged gallery's source was shown from its count and its image ids are not read
    #: yet: (images, largest image id) at the open; None once they are
    _deferred_images: tuple[int, int] | None
    #: the source's face ids in catalog order (compact: an ``array('q')`` when listed by an open)
    _face_order: MutableSequence[int]
    _image_set: RowIndex
    _face_set: RowIndex
    _rows: OrderedDict[int, ReviewedImage]
    _face_rows: dict[int, ReviewedFace]
    _summaries: OrderedDict[int, ImageSummary]
    _lists: dict[tuple[str, str, str | None], tuple[MutableSequence[int], RowIndex]]
    #: how many faces pass a Triage filter, counted by the open's listing (until a row changes)
    _face_counts: dict[str, int]
    #: ... and the ids of every SAMPLE_STEP-th of them (a paged Triage's sample), as long
    _face_samples: dict[str, Sequence[int]]
    _handed: tuple[MutableSequence[int], RowIndex] | None

    # -- the row cache -------------------------------------------------------------

    def _forget_rows(self, image_ids: Iterable[int] | None = None) -> None:
        self._lists.clear()  # any change of rows may change a filter's membership
        self._face_counts.clear()
        self._face_samples.clear()
        self._unread.clear()
        if image_ids is not None:
            image_ids = list(image_ids)
        for read in self._row_reads:  # (read before the change: what it answers for them is old)
            if image_ids is None:
                read.void = True
            else:
                read.stale.update(image_ids)
        if image_ids is None:
            self._rows.clear()
            self._face_rows.clear()
            self._summaries.clear()
            return
        for image_id in image_ids:
            old = self._rows.pop(image_id, None)
            if old is not None:
                for face in old.faces:
                    self._face_rows.pop(face.id, None)
            self._summaries.pop(image_id, None)

    def _forget_rows_but(self, keep: Callable[[ReviewedImage], bool]) -> None:
        """:meth:`_forget_rows` of every row but those ``keep`` answers True for (read under
        what still holds: an open's rows painted before its listing, read again otherwise)."""
        kept = [image for image in self._rows.values() if keep(image)]
        reads, self._row_reads = self._row_reads, []  # (their answers hold as the kept rows do)
        self._forget_rows()
        self._row_reads = reads
        for image in kept:
            self._rows[image.row.id] = image
            for face in image.faces:
                self._face_rows[face.id] = face

    def _keep(self, images: Sequence[ReviewedImage]) -> None:
        """Cache rows read together: their old rows forgotten in one :meth:`_forget_rows` (it
        clears every listed filter's ids and counts, and marks the reads in flight: once per
        batch, not once per row), then the least recently used beyond ROW_CACHE_SIZE evicted."""
        if not images:
            return
        self._forget_rows([image.row.id for image in images])
        for image in images:
            self._rows[image.row.id] = image
            for face in image.faces:
                self._face_rows[face.id] = face
        while len(self._rows) > ROW_CACHE_SIZE:
            _, evicted = self._rows.popitem(last=False)
            for face in evicted.faces:
                self._face_rows.pop(face.id, None)

    def _read(self, image_ids: Sequence[int]) -> list[ReviewedImage]:
        """Read and evaluate images through the services' review (present ones, catalog order)."""
        return review(
            self.catalog,
            self.ruleset,
            source_root=self.source_root,
            image_ids=image_ids,
            identities=self._identities,
        )

    def prefetch(self, image_ids: Sequence[int]) -> None:
        """Read the rows of these images that are not cached yet, in one query (a page of a view)."""
        if self.closed:
            return
        wanted = [i for i in image_ids if i not in self._rows]
        for start in range(0, len(wanted), FETCH_PAGE):
            self._keep(self._read(wanted[start : start + FETCH_PAGE]))

    def prefetch_faces(self, face_ids: Sequence[int]) -> None:
        """Read the rows of the images of these faces that are not cached yet."""
        missing = [i for i in face_ids if i not in self._face_rows]
        if missing and not self.closed:
            self.prefetch(sorted(set(q.image_of_faces(self.catalog, missing).values())))

    def rows_now(
        self, *, image_ids: Sequence[int] = (), face_ids: Sequence[int] = (), later: bool = False
    ) -> bool:
        """Read the rows of these images / faces' images here, now (True: cached, those the
        catalog has), unless ``later`` (a large grid on a server) or the catalog's reads fail (a
        server gone: no connection tried on the GUI thread at each paint): then, and when this
        read fails too, they are asked of the row worker (False: ``rowsRead`` says when they are
        in; its failure is said and asked again until answered). What a paint or a slot reads:
        nothing is raised into Qt."""
        if not later and self.row_failure is None:
            try:
                self.prefetch(image_ids)
                self.prefetch_faces(face_ids)
                return True
            except CatalogError as exc:
                log.warning("reading rows failed (asked of the row worker): %s", exc)
        self.read_later(image_ids=image_ids, face_ids=face_ids)
        return False

    # -- reading -----------------------------------------------------------------

    @property
    def identities(self) -> GalleryIdentities | None:
        """The identity checks of the open source (None: the rules have none, or not loaded)."""
        return self._identities

    @property
    def ruleset_version(self) -> int:
        """The catalog's id of the rule set version shown (its verdicts are stored under it)."""
        return self._ruleset_id

    def image_ids(self) -> list[int]:
        return list(self._image_order)

    def image_count(self) -> int:
        """How many images the open source has (no list copied)."""
        deferred = self._deferred_images
        return len(self._image_order) + (deferred[0] if deferred is not None else 0)

    def _knows_image(self, image_id: int) -> bool:
        """Whether the image is one of the store's (while an open's ids are not read yet: one
        the catalog had at the open, by its id)."""
        deferred = self._deferred_images
        return image_id in self._image_set or (deferred is not None and image_id <= deferred[1])

    def face_count(self) -> int:
        """How many faces the open source has (no list copied)."""
        return len(self._face_order)

    def listed_face_sample(self, filter_name: str) -> Sequence[int] | None:
        """The ids of every SAMPLE_STEP-th face passing a Triage filter, as the open's listing
        read them (None: not read, or a row changed since)."""
        return self._face_samples.get(filter_name)

    def listed_face_count(self, filter_name: str) -> int | None:
        """How many faces pass a Triage filter, as the open's listing counted them (None: not
        counted, or a row changed since)."""
        return self._face_counts.get(filter_name)

    def face_ids(self) -> list[int]:
        return list(self._face_order)

    def image(self, image_id: int) -> ReviewedImage:
        row = self._rows.get(image_id)
        if row is None:
            self.prefetch([image_id])
            row = self._rows.get(image_id)
            if row is None:
                raise KeyError(image_id)
        else:
            self._rows.move_to_end(image_id)
        return row

    @property
    def rows_later(self) -> bool:
        """Whether the large grids ask their rows of the row worker (:meth:`read_later`): on
        PostgreSQL, where a read by id is a round trip or two (see LazyIdModel.reads_later)."""
        return self.catalog.dialect == POSTGRESQL

    @property
    def closed(self) -> bool:
        """The catalog was closed (the window is closing): queries answer empty."""
        return self.catalog._conn is None

    def cached(self, image_id: int) -> bool:
        """Whether the row of this image is in memory (else :meth:`image` reads it)."""
        return image_id in self._rows

    def face_cached(self, face_id: int) -> bool:
        return face_id in self._face_rows

    def has_image(self, image_id: int) -> bool:
        # A closed catalog (the window is closing) has nothing more to show.
        if self.closed:
            return False
        if image_id in self._image_set:
            return True
        root = self.source_root  # an open's ids not read yet: asked of the catalog (one image)
        return (
            self._deferred_images is not None
            and root is not None
            and bool(pages.keys_of(self.catalog, root, [image_id]))
        )

    def face(self, face_id: int) -> ReviewedFace:
        face = self._face_rows.get(face_id)
        if face is None:
            self.prefetch_faces([face_id])
            face = self._face_rows.get(face_id)
            if face is None:
                raise KeyError(face_id)
        return face

    def has_face(self, face_id: int) -> bool:
        return not self.closed and face_id in self._face_set

    def images(self) -> list[ReviewedImage]:
        """Every image of the source, read and evaluated now (a whole-source job, not a view)."""
        return list(self.iter_images())

    def iter_images(self) -> Iterator[ReviewedImage]:
        """Every image of the source, a page in memory at a time."""
        return iter_review(
            self.catalog,
            self.ruleset,
            source_root=self.source_root,
            # an open's ids not read yet: the catalog's pages of the source, in catalog order
            image_ids=None if self._deferred_images is not None else self._image_order,
            identities=self._identities,
        )

    def faces(self, face_ids: Iterable[int] | None = None) -> list[ReviewedFace]:
        """These faces (None: every face of the source), read and evaluated now."""
        if self.closed:
            return []
        if face_ids is None:
            return [face for image in self.iter_images() for face in image.faces]
        ids = self._face_set.known(list(face_ids))
        found: dict[int, ReviewedFace] = {i: self._face_rows[i] for i in ids if i in self._face_rows}
        missing = [i for i in ids if i not in found]
        if missing:
            image_ids = sorted(set(q.image_of_faces(self.catalog, missing).values()))
            wanted = set(missing)
            for image in iter_review(
                self.catalog, self.ruleset, image_ids=image_ids, identities=self._identities
            ):
                found.update((face.id, face) for face in image.faces if face.id in wanted)
        return [found[i] for i in ids if i in found]

    def summary(self, image_id: int) -> ImageSummary:
        """Counts for one image, computed from its row on first use and kept in a bounded LRU."""
        cached = self._summaries.get(image_id)
        if cached is not None:
            self._summaries.move_to_end(image_id)
            return cached
        faces = self.image(image_id).faces
        statuses = [browse.verdict_status(face.verdict) for face in faces]
        decisions = [face.decision for face in faces]
        blurs = [value for face in faces if (value := browse.blur_100(face.face)) is not None]
        summary = ImageSummary(
            faces=len(faces),
            qualified=statuses.count("qualified"),
            unqualified=statuses.count("unqualified"),
            unknown=statuses.count("unknown"),
            accepted=decisions.count("accepted"),
            rejected=decisions.count("rejected"),
            pending=decisions.count("pending"),
            sharpest_blur=min(blurs) if blurs else None,
        )
        self._summaries[image_id] = summary
        if len(self._summaries) > SUMMARY_CACHE_SIZE:
            self._summaries.popitem(last=False)
        return summary

    def image_matches(self, image_id: int, filter_name: str) -> bool:
        """One image against a gallery filter (for a few rows; whole lists: :meth:`gallery_ids`)."""
        image = self.image(image_id)
        if filter_name == "all":
            return True
        if filter_name == "errors":
            return image.row.status == "error"
        summary = self.summary(image_id)
        return {
            "pending": summary.pending,
            "qualified": summary.qualified,
            "unqualified": summary.unqualified,
            "accepted": summary.accepted,
            "rejected": summary.rejected,
        }.get(filter_name, 0) > 0

    def gallery_ids(self, filter_name: str, sort: str) -> MutableSequence[int]:
        """Image ids of the source passing a gallery filter, in a gallery sort order (SQL)."""
        if self.closed:  # a late filter or timer after the window closed its catalog
            return []
        listed = self._lists.pop(("images", filter_name, sort), None)
        if listed is not None:
            self._handed = listed
            return listed[0]
        return q.image_ids(
            self.catalog,
            source_root=self.source_root,
            filter_name=filter_name,
            sort=sort,
            ruleset=self._ruleset_id,
        )

    def matching_face_ids(self, filter_name: str) -> MutableSequence[int]:
        """Face ids (catalog order) passing a triage filter (SQL)."""
        if self.closed:
            return []
        if filter_name == "all":
            return self.face_ids()
        listed = self._lists.pop(("faces", filter_name, None), None)
        if listed is not None:
            self._handed = listed
            return listed[0]
        return q.face_ids(
            self.catalog, source_root=self.source_root, filter_name=filter_name, ruleset=self._ruleset_id
        )

    def gallery_ids_later(self, filter_name: str, sort: str, callback: Callable[[list[int]], None]) -> None:
        """:meth:`gallery_ids` read on the query worker, answered on the GUI thread (a listed
        folder's thousands of images: their order comes from SQL, not a sort on the GUI thread)."""
        root, ruleset = self.source_root, self._ruleset_id
        self.query(
            lambda c: q.image_ids(c, source_root=root, filter_name=filter_name, sort=sort, ruleset=ruleset),
            callback,  # type: ignore[arg-type]
        )

    def order_keys(self, sort: str, image_ids: Sequence[int]) -> dict[int, tuple[object, ...]]:
        """Each image's key in a name sort, from the catalog's stored natural keys (one query)."""
        return {} if self.closed else q.order_keys(self.catalog, sort, list(image_ids))

    def names_of(self, image_ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
        """``image id -> (name, source root, group)`` in one query (no row is read)."""
        return {} if self.closed else q.image_names(self.catalog, list(image_ids))

    def group_sizes(self, image_ids: Sequence[int]) -> dict[str, int]:
        """How many of these images each person (group) has (one query)."""
        sizes: dict[str, int] = {}
        for _name, _root, group in self.names_of(image_ids).values():
            sizes[group] = sizes.get(group, 0) + 1
        return sizes

    def faces_passing(self, face_ids: Sequence[int], face_filter: FaceFilter) -> list[int]:
        """The faces among ``face_ids`` (order kept) the filter bar's expression selects: its SQL
        part in the catalog, the rest (verdict terms) on the faces it leaves, read in pages."""
        if face_filter.everything or self.closed:
            return list(face_ids)
        found, residual = face_ids_where(
            self.catalog, face_filter.node, source_root=self.source_root, ruleset=self._ruleset_id
        )
        wanted = set(found).intersection(face_ids)
        if not is_everything(residual):  # the rest (not the terms SQL answered, e.g. assigned:)
            rest = face_filter.narrowed(residual)
            wanted = {face.id for face in self.faces(sorted(wanted)) if rest.matches(face)}
        return [i for i in face_ids if i in wanted]

    def images_with_matching_face(self, image_ids: Sequence[int], face_filter: FaceFilter) -> list[int]:
        """The images among ``image_ids`` (order kept) with a face the filter selects."""
        if face_filter.everything or self.closed:
            return list(image_ids)
        found, residual = face_ids_where(
            self.catalog, face_filter.node, source_root=self.source_root, ruleset=self._ruleset_id
        )
        if not is_everything(residual):
            rest = face_filter.narrowed(residual)
            found = [face.id for face in self.faces(found) if rest.matches(face)]
        with_face = set(q.image_of_faces(self.catalog, found).values())
        return [i for i in image_ids if i in with_face]

    def row_index(self, ids: Sequence[int]) -> RowIndex:
        """The row index of an id list this store just handed out (built on the worker when it
        was listed), or a new lazy one."""
        handed, self._handed = self._handed, None
        if handed is not None and handed[0] is ids:
            return handed[1]
        return RowIndex(ids)

    def face_matches(self, face_id: int, filter_name: str) -> bool:
        face = self.face(face_id)
        if filter_name == "all":
            return True
        if filter_name in ("pending", "accepted", "rejected"):
            return face.decision == filter_name
        return browse.verdict_status(face.verdict) == filter_name

    def sorted_image_ids(self, ids: Sequence[int], key: str) -> list[int]:
        """``ids`` ordered by a gallery sort key (the SQL order of :meth:`gallery_ids`)."""
        wanted = set(ids)
        return [i for i in self.gallery_ids("all", key) if i in wanted]

    def query(self, run: Callable[[Catalog], object], callback: Callable[[object], None]) -> None:
        """Run ``run(catalog)`` off the GUI thread; ``callback(result)`` on it (CurationStore)."""
        raise NotImplementedError

    def count_source(self, run: Callable[[Catalog], object], callback: Callable[[object], None]) -> None:
        """:meth:`query` on the worker of the source's counts (CurationStore)."""
        raise NotImplementedError

    def error_rows_later(self, callback: Callable[[list[tuple[int, str, str, str | None]]], None]) -> None:
        """The source's failed images as (id, name, uri, error), answered on the GUI thread (SQL)."""
        root = self.source_root
        self.query(lambda c: q.error_images(c, source_root=root), callback)  # type: ignore[arg-type]

    def problems_later(
        self,
        image_ids: Sequence[int],
        callback: Callable[[dict[int, tuple[str, str, str, str | None]]], None],
    ) -> None:
        """``queries.image_problems`` of these images, answered on the GUI thread (SQL, no row read)."""
        ids = list(image_ids)
        self.query(lambda c: q.image_problems(c, ids), callback)  # type: ignore[arg-type]

    def counts_later(self, callback: Callable[[dict[str, int]], None]) -> None:
        """The header's counts (images, faces, pending: ``queries.header_counts``, no verdicts
        read), answered on the GUI thread by ``callback`` without blocking it."""
        root = self.source_root
        self.count_source(lambda c: q.header_counts(c, source_root=root), callback)  # type: ignore[arg-type]

    def pending_count_later(self, face_ids: Sequence[int], callback: Callable[[int], None]) -> None:
        """:meth:`pending_count`, answered on the GUI thread by ``callback``."""
        # a snapshot: a compact list is copied in one memcpy (no million ints made here)
        ids = array("q", face_ids) if isinstance(face_ids, array) else list(face_ids)
        self.query(lambda c: q.pending_among(c, ids), callback)  # type: ignore[arg-type]

    def counts(self) -> dict[str, int]:
        """Images, errors, faces, qualified, accepted, rejected and pending of the source (SQL)."""
        if self.closed:  # a deferred recount after the window closed
            return dict.fromkeys(
                ("images", "errors", "faces", "qualified", "accepted", "rejected", "pending"), 0
            )
        return q.counts(self.catalog, source_root=self.source_root, ruleset=self._ruleset_id)

    def pending_count(self, face_ids: Sequence[int]) -> int:
        """How many of these faces are pending now (SQL)."""
        if self.closed:
            return 0
        return q.pending_among(self.catalog, face_ids)
