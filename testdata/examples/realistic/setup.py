from setuptools import Extension, setup

setup(ext_modules=[Extension("pyti_example_realistic._accel", sources=["pyti_example_realistic/_accel.c"])])
