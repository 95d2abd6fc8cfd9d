"""Dayi (大仪): open sharing of large scientific instruments."""

__version__ = "0.1.0"
