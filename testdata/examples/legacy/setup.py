#!/usr/bin/env python
"""Old-style packaging: no pyproject.toml, everything in setup.py."""

from setuptools import setup

setup(
    name="pyti-example-legacy",
    version="1.0.0",
    description="A setup.py-only project in the old style.",
    long_description=open("README.txt").read(),
    author="PYTI developers",
    license="MIT",
    packages=["pyti_example_legacy"],
    python_requires=">=3.6",
    classifiers=[
        "Programming Language :: Python :: 3",
        "License :: OSI Approved :: MIT License",
    ],
)
