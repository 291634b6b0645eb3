"""setuptools entry point: the metadata is in setup.cfg (why: see there)."""
from setuptools import setup

setup()
