from setuptools import Extension, setup

setup(ext_modules=[Extension("pyti_test_inside._speed", sources=["pyti_test_inside/_speed.c"])])
