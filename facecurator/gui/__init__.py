"""PySide6 desktop front end: the only package of facecurator that imports Qt.

Entry point: :func:`facecurator.gui.app.run_gui`. Everything here is a thin view
over ``facecurator.services`` and ``facecurator.domain``; no curation logic lives in the GUI.
"""
