"""Small data sets from the seed documents."""

from ._alien import load_alien_moods

__all__ = ["load_alien_moods"]
