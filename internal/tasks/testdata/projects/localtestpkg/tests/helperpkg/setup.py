from setuptools import setup

setup(name="pyti-test-helper", version="0.1", py_modules=["_pyti_test_helper"])
