from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("pyti_example_realistic._speedups", sources=["csrc/speedups.c"]),
    ],
)
