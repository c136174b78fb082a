"""The build writes pyti_test_genversion/_version.py into the wheel, as setuptools-scm's
version_file does: the wheel ships a module that the sdist does not hold."""

import os

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPy(build_py):
    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "pyti_test_genversion", "_version.py")
        with open(target, "w", encoding="utf-8") as f:
            f.write('version = "1.0.0"\n')


setup(cmdclass={"build_py": BuildPy})
