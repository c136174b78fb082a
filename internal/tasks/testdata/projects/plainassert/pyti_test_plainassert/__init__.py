"""A package whose tests check how their module was compiled."""


def check(value):
    assert value, "a false value"
    return value


def setup(app):
    """A Sphinx extension's hook (humanfriendly.sphinx.setup is one): Sphinx calls it with its app."""
    app.connect("autodoc-skip-member", lambda *args: None)
    return {"parallel_read_safe": True}
