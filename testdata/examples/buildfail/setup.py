from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("pyti_example_buildfail._broken", sources=["csrc/broken.c"]),
    ],
)
