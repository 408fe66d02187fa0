"""The handout's visible-only copy of a pack: which scenarios its tests may run (pure)."""

import ast

from grader.host.visible_pack import keep_only, scenarios_run

TESTS = '''
def _run(student, scenario, **kwargs):
    return student.record(scenario, **kwargs)


def test_seen(student):
    student.run("direct", n=1)
    _run(student, "through_a_helper")
    assert "a message, not a name"
'''

SCENARIOS = '''
def direct(module, probe, n):
    return {}


def through_a_helper(module, probe):
    return {}


def hidden_only(module, probe):
    return {}
'''


def test_a_scenario_named_directly_or_through_a_helper_is_kept_and_no_other():
    names = scenarios_run(ast.parse(TESTS))
    assert {"direct", "through_a_helper"} <= names
    tree = ast.parse(SCENARIOS)
    keep_only(tree, roots=names, prefix=None)
    kept = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert kept == ["direct", "through_a_helper"]
