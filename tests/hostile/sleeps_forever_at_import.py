"""Blocks forever at import in a call no instrumentation sees."""
import signal

signal.pause()
