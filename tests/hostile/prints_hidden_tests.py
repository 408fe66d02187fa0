"""A correct solution that also prints every hidden test file it can find, and stops with them if any.

Printed output of passing checks never reaches the report, so anything it could read is also put
in its exit message, which would: the judge must leave it nothing to read.
"""
import os

LEAKED = []

# Everywhere the judge could keep them (a walk of all of / would outlast the import's time limit).
for top in ("/io", "/opt/grader", "/tmp", "/dev/shm", "/root", "/home", "/etc", "/var", os.getcwd()):
    for folder, dirs, files in os.walk(top):
        for name in files:
            if name.startswith("test_") or name in ("scenarios.py", "plan.json", "conftest.py"):
                try:
                    with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as fh:
                        LEAKED.append(f"{folder}/{name}: {fh.read()}")
                        print("LEAKED", LEAKED[-1])
                except OSError as exc:
                    print("refused", folder, name, exc.strerror)
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                print("cmdline", fh.read().replace(b"\0", b" ")[:300])
        except OSError:
            pass
if LEAKED:
    raise SystemExit("\n".join(LEAKED)[:50000])
