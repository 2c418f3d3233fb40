"""counter_app.ui: the PySide6 window (the only package that imports Qt).

Importing it applies the binding work-arounds of ``qt_fixes`` (a reference-count defect of
``Signal.emit`` in PySide6 6.12 that aborts a long-running process).
"""

from counter_app.ui.qt_fixes import patch_signal_emit

patch_signal_emit()
