"""The composition roots: ``skilltree`` (CLI), ``skilltree run``, the console, the dry run and
the metrics wiring.

This is the one place in ``bot`` that imports ``adapters`` and ``scheduler``: the rest of the
core knows no platform and no scheduler (an import-linter contract in CI keeps it so), and
everything is wired here, from settings, at start-up, never at import.
"""
