"""One module per feature; each handler turns a ``Ctx`` into a ``Reply``."""
