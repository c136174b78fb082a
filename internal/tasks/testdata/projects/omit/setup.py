from setuptools import setup

setup(
    name="pyti-rings",
    version="1.0.0",
    description="A single module whose coverage configuration omits *test*, as cycler's does.",
    py_modules=["pyti_rings"],
    license="MIT",
)
