from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("pyti_example_cext._fastmath", sources=["csrc/fastmath.c"]),
    ],
)
