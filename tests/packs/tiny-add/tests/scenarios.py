"""Scenarios for the tiny-add test pack."""


def two_and_three(module, probe):
    return {"sum": probe.encode(module.add(2, 3))}
