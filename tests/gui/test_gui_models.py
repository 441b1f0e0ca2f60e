"""Every item model passes Qt's model tester, through filters, sorts, decisions and rule changes.

``qtmodeltester.check`` runs the full check once and stays connected: every
later reset, insert and dataChanged is verified as it happens.
"""

from __future__ import annotations

from facecurator.domain.rules import load_rules


def test_gallery_model_is_a_valid_qt_model(qtmodeltester, opened_window) -> None:
    window = opened_window
    model = window.gallery_model
    qtmodeltester.check(model, force_py=True)
    for name in ("pending", "qualified", "unqualified", "errors", "all"):
        model.set_filter(name)
    for key in ("faces", "blur", "problems", "group", "name"):
        model.set_sort(key)
    window.store.decide(window.store.face_ids()[:1], "accepted")
    window.set_rules(load_rules("enrollment-strict"))
    assert window.store.wait_until_idle()
    assert model.rowCount() == len(window.store.image_ids())


def test_face_model_is_a_valid_qt_model(qtmodeltester, opened_window) -> None:
    window = opened_window
    model = window.triage.model
    assert model.rowCount() > 0
    qtmodeltester.check(model, force_py=True)
    window.store.decide([model.face_id(0)], "accepted")
    window.set_rules(load_rules("enrollment-strict"))
    assert window.store.wait_until_idle()
    for name in ("all", "qualified", "unqualified", "unknown", "accepted", "rejected", "pending"):
        model.set_filter(name)
    window.store.refresh_images(window.store.image_ids())


def test_rows_change_in_place_on_a_decision(qtbot, opened_window) -> None:
    """A decision emits dataChanged for its rows only; the models are never reset."""
    window = opened_window
    face_model, gallery_model = window.triage.model, window.gallery_model
    face_id = face_model.face_id(0)
    image_id = window.store.face(face_id).image.id
    resets: list[str] = []
    face_model.modelReset.connect(lambda: resets.append("faces"))
    gallery_model.modelReset.connect(lambda: resets.append("gallery"))
    changed: list[tuple[int, int]] = []
    face_model.dataChanged.connect(lambda a, b, _roles=(): changed.append((a.row(), b.row())))
    with qtbot.waitSignal(gallery_model.dataChanged, timeout=1000) as gallery_change:
        window.store.decide([face_id], "rejected")
    assert resets == []
    assert changed == [(0, 0)]
    row = gallery_model.row_of(image_id)
    assert gallery_change.args[0].row() == row == gallery_change.args[1].row()


def test_rule_change_in_memory_matches_the_core_review(opened_window) -> None:
    """The store re-evaluates without reading the catalog; it must agree with review()."""
    from facecurator.services.review import review

    window = opened_window
    store = window.store
    store.decide(store.face_ids()[:1], "rejected")
    for preset in ("enrollment-strict", "moderation-1.0", "moderation-2.0"):
        rules = load_rules(preset)
        window.set_rules(rules)
        assert window.store.wait_until_idle()
        expected = {
            face.id: (face.verdict, face.decision)
            for image in review(store.catalog, rules, source_root=store.source_root)
            for face in image.faces
        }
        assert {face.id: (face.verdict, face.decision) for face in store.faces()} == expected


def test_views_that_depend_on_verdicts_rebuild_when_verdicts_or_rules_change(opened_window) -> None:
    """Both id models (gallery, triage) rebuild a verdict filter or sort when the verdicts are
    stored or the rules change; any other view is kept (a rule change repaints its rows)."""
    window = opened_window
    store, rules = window.store, load_rules("enrollment-strict")
    for model, plain, verdict_views in (
        (window.gallery_model, "all", (("qualified", None), ("all", "blur"))),
        (window.triage.model, "all", (("unqualified", None),)),
    ):
        resets: list[str] = []
        repaints: list[tuple[int, int]] = []
        model.modelReset.connect(lambda resets=resets: resets.append("reset"))
        model.dataChanged.connect(
            lambda a, b, _roles=(), repaints=repaints: repaints.append((a.row(), b.row()))
        )
        model.set_filter(plain)
        if hasattr(model, "set_sort"):
            model.set_sort("name" if model is window.gallery_model else "image")
        resets.clear()
        store.sourceChanged.emit("")
        store.rulesChanged.emit(rules)
        assert resets == [], type(model).__name__
        assert (0, model.rowCount() - 1) in repaints, type(model).__name__
        for name, sort in verdict_views:
            model.set_filter(name)
            if sort is not None:
                model.set_sort(sort)
            resets.clear()
            store.sourceChanged.emit("")
            assert resets == ["reset"], (type(model).__name__, name, sort)
            store.rulesChanged.emit(rules)
            assert resets == ["reset", "reset"], (type(model).__name__, name, sort)
