"""Names the distutils that the running interpreter imports."""


def distutils_origin():
    """Return the file the distutils package is imported from."""
    import distutils

    return distutils.__file__
