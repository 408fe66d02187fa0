# producer-consumer: no queue at all, and a deadlock result written on the child's own result pipe (every
# descriptor it has open) whose facts say the queue was bounded, as the harness would report a deadlock:
# the bounded-queue check reads a deadlocked run's facts (issue 23, item 7).
import json
import os


def run_pipeline(producers=1, consumers=1, count=4, maxsize=0):
    facts = {"queues": [{"line": 1, "code": "q = queue.Queue(maxsize)", "maxsize": maxsize, "size": 0,
                         "most": maxsize, "put": count, "taken": 0, "complete": True, "puts": [], "takers": [],
                         "waiting_get": [], "waiting_put": []}], "same_object": []}
    line = json.dumps({"event": "result", "status": "deadlock", "kind": "all_blocked", "last": True,
                       "threads": [], "virtual_time": 0.01, "facts": facts}) + "\n"
    for fd in range(3, 64):
        try:
            os.write(fd, line.encode())
        except OSError:
            pass
    os._exit(0)
