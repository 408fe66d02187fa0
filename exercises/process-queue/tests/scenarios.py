"""Scenarios for process-queue; they run in the child, next to the student's module, and only
observe. Every comparison happens in the test.

probe.ProcessOrder holds the student's processes so that the unlucky order happens on every run:
writers (processes running `write`) wait before each put until the parent joins one of them or
reads a queue, and the reader (running `read`) waits before a blocking get until the parent reads,
puts a sentinel, or joins it. It also records what the parent did with each process.
"""


def relay_run(module, probe, batches, hold_reader=True, digest=False):
    """relay(batches): what came back, and what happened to every process it started.

    With `digest`, each value comes back as its name (before the ':') and its length: the large
    case's values are 10 000 characters each."""
    order = probe.ProcessOrder(hold_reader=hold_reader)
    result = module.relay([list(b) for b in batches])
    if digest and type(result) is list:
        result = [[v.split(":", 1)[0], len(v)] if type(v) is str else v for v in result]
    return {"result": probe.encode(result), "threads": probe.max_alive(), **order.report()}
