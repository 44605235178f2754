"""Only what pyproject.toml cannot say: ladobench/data/ (the checkout's schema/, reference/, site_src/ and mkdocs.yml,
mapped in pyproject.toml) ships as data, without the scripts that sit beside it (build.py, reference/derive.py)."""
from setuptools import setup
from setuptools.command.build_py import build_py


class DataWithoutScripts(build_py):
    def find_package_modules(self, package, package_dir):
        if package == "ladobench.data" or package.startswith("ladobench.data."):
            return []
        return super().find_package_modules(package, package_dir)


setup(cmdclass={"build_py": DataWithoutScripts})
