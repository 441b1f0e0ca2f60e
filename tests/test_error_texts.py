"""Per-image error reasons are built from templates and parsed back into message id + params."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.bad_entries import bad_folder

from facecurator.domain.error_texts import ERROR_MESSAGES, error_text, parse_error_text, parse_reason
from facecurator.domain.images import decode_image
from facecurator.errors import ImageError
from facecurator.sources import open_source


def _example(message_id: str) -> dict[str, str]:
    template = ERROR_MESSAGES[message_id]
    names = [part.split("}")[0] for part in template.split("{")[1:]]
    return {name: f"{name}-value" for name in names}


@pytest.mark.parametrize("message_id", sorted(ERROR_MESSAGES))
@pytest.mark.parametrize("label", ["", "/photos/a b/img: 1.jpg", "oss://bucket/p/x.jpg", r"C:\photos\x.jpg"])
def test_every_reason_parses_back(message_id: str, label: str) -> None:
    params = _example(message_id)
    reason = error_text(message_id, **params)
    text = f"{label}: {reason}" if label else reason
    assert parse_error_text(text) == (label, message_id, params)


def test_nested_reason_and_unknown_text() -> None:
    reason = error_text(
        "image.cannot_decode", detail=error_text("image.truncated", detail="image file is truncated")
    )
    message_id, params = parse_reason(reason)
    assert message_id == "image.cannot_decode"
    assert parse_reason(params["detail"]) == ("image.truncated", {"detail": "image file is truncated"})
    assert parse_error_text("/x.jpg: something nobody wrote a template for") is None


def test_real_errors_are_built_from_the_templates(tmp_path: Path) -> None:
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "text.jpg").write_bytes(b"hello")
    for name in ("empty.jpg", "text.jpg"):
        with pytest.raises(ImageError) as caught:
            decode_image(tmp_path / name)
        assert parse_error_text(str(caught.value)) is not None, str(caught.value)
    folder = tmp_path / "bad"
    folder.mkdir()
    expected = bad_folder(folder)
    problems = {ref.name: ref.problem for ref in open_source(str(folder)).iter_images() if ref.problem}
    assert set(problems) == set(expected)
    for name, problem in problems.items():
        assert parse_reason(problem) is not None, (name, problem)
