"""Reads standard input at import: there is none, so this returns at once."""
import sys

WHAT_CAME_IN = sys.stdin.read()
