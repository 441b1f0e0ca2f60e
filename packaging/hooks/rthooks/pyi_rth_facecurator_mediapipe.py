"""Runtime hook: import mediapipe's face solutions without matplotlib.

``mediapipe/python/solutions/__init__.py`` eagerly imports every legacy
solution *and* ``drawing_utils``, which imports ``matplotlib.pyplot``. The
bundle excludes matplotlib (tens of MB, and a font-cache rebuild costing about
a second on every detector load, since PyInstaller points ``MPLCONFIGDIR`` at a
fresh temporary directory). This hook gives ``mediapipe.python.solutions`` a
package initialiser that imports only the face solutions the local detector
uses; every submodule stays importable by name, so importing
``drawing_utils`` explicitly still fails loudly (no matplotlib), never quietly.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

_PACKAGE = "mediapipe.python.solutions"
#: What ``facecurator.detect.local`` imports (face_mesh_connections: used by face_mesh).
_FACE_SOLUTIONS = ("face_detection", "face_mesh", "face_mesh_connections")


class _FaceSolutionsLoader(importlib.abc.Loader):
    """Initialises the package by importing the face solutions only."""

    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module) -> None:
        for name in _FACE_SOLUTIONS:
            submodule = importlib.import_module(f"{_PACKAGE}.{name}")
            setattr(module, name, submodule)


class _FaceSolutionsFinder(importlib.abc.MetaPathFinder):
    """Finds ``mediapipe.python.solutions`` with the real finders, then swaps in our loader."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != _PACKAGE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            real = finder.find_spec(fullname, path, target)
            if real is not None:
                break
        else:
            return None
        spec = importlib.util.spec_from_loader(
            fullname, _FaceSolutionsLoader(), origin=real.origin, is_package=True
        )
        spec.submodule_search_locations = list(real.submodule_search_locations or [])
        spec.has_location = real.has_location
        return spec


sys.meta_path.insert(0, _FaceSolutionsFinder())
