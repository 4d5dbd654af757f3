"""Tests for azconf.model.targeting: flagd targeting rules, valid ones and broken ones.

The valid rules are shaped after flagd's documentation (flagd.dev/reference/flag-definitions,
custom-operations/*) and the positive cases of flagd's targeting schema tests.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azconf.model.targeting import MAX_DEPTH, TargetingIssue, check_targeting, returned_variants

ON_OFF = ("on", "off")
COLOURS = ("red", "blue", "green", "yellow")
BOOLEAN = ("true", "false")
EMAIL_IN_FAAS = {"in": ["@faas.com", {"var": ["email"]}]}
BY_EMAIL = {"cat": [{"var": "$flagd.flagKey"}, {"var": "email"}]}


def _if(condition: object, then: object = "on", otherwise: object = "off") -> dict[str, Any]:
    return {"if": [condition, then, otherwise]}


# (id, targeting, variants, evaluators)
VALID: list[tuple[str, object, tuple[str, ...], tuple[str, ...]]] = [
    ("empty means no targeting", {}, ON_OFF, ()),
    ("azconf docs example", _if({"in": [{"var": "email"}, ["@azora.dev"]]}), ON_OFF, ()),
    ("var with a list name", _if({"==": [{"var": ["color"]}, "yellow"]}), ON_OFF, ()),
    (
        "shared evaluator",
        {"if": [{"$ref": "emailWithFaas"}, "on", None]},
        ON_OFF,
        ("emailWithFaas",),
    ),
    (
        "shared evaluator around fractional",
        {
            "if": [
                {"$ref": "emailWithFaas"},
                {"fractional": [{"var": "email"}, *([c, 25] for c in COLOURS)]},
                None,
            ]
        },
        COLOURS,
        ("emailWithFaas",),
    ),
    (
        "fractional with weights",
        {"fractional": [BY_EMAIL, ["red", 50], ["blue", 20], ["green", 30]]},
        COLOURS,
        (),
    ),
    ("fractional without weights", {"fractional": [BY_EMAIL, ["red"], ["blue"]]}, COLOURS, ()),
    ("fractional shorthand", {"fractional": [["heads"], ["tails", 1]]}, ("heads", "tails"), ()),
    ("fractional single bucket", {"fractional": [["on", 1]]}, ON_OFF, ()),
    ("fractional weight 0", {"fractional": [["on", 0], ["off", 1]]}, ON_OFF, ()),
    ("fractional whole float weight", {"fractional": [["on", 25.0], ["off", 75]]}, ON_OFF, ()),
    (
        "fractional high precision",
        {"fractional": [{"var": "user_id"}, ["on", 1], ["off", 1_000_000]]},
        ON_OFF,
        (),
    ),
    (
        "fractional time-based weights",
        {
            "fractional": [
                ["on", {"-": [{"var": "$flagd.timestamp"}, 1743360000]}],
                ["off", {"-": [1743964800, {"var": "$flagd.timestamp"}]}],
            ]
        },
        ON_OFF,
        (),
    ),
    (
        "fractional environment-based weights",
        {
            "fractional": [
                {"var": "email"},
                ["on", _if({"==": [{"var": "environment"}, "production"]}, 10, 100)],
                ["off", _if({"==": [{"var": "environment"}, "production"]}, 90, 0)],
            ]
        },
        ON_OFF,
        (),
    ),
    (
        "fractional nested conditional variant",
        {
            "fractional": [
                [_if({"in": [{"var": "locale"}, ["us", "ca"]]}, "red", "green"), 25],
                ["blue", 25],
            ]
        },
        COLOURS,
        (),
    ),
    ("fractional null variant", {"fractional": [["on", 1], [None, 1]]}, ON_OFF, ()),
    ("sem_ver", _if({"sem_ver": [{"var": "version"}, ">=", "1.0.0"]}, "red", "green"), COLOURS, ()),
    (
        "sem_ver chain with null",
        {
            "if": [
                {"sem_ver": [{"var": "version"}, "=", "2.0.0"]},
                "red",
                _if({"sem_ver": [{"var": "version"}, ">", "2.0.0"]}, "blue", None),
            ]
        },
        COLOURS,
        (),
    ),
    ("sem_ver partial with v", _if({"sem_ver": [{"var": "app"}, "^", "v2"]}), ON_OFF, ()),
    ("sem_ver V and minor", _if({"sem_ver": ["V1.2", "~", {"var": "v"}]}), ON_OFF, ()),
    (
        "sem_ver prerelease and build",
        _if({"sem_ver": [{"var": "v"}, "<", "1.0.0-alpha.1+build.007"]}),
        ON_OFF,
        (),
    ),
    (
        "starts_with and ends_with",
        {
            "if": [
                {"starts_with": [{"var": "id"}, "abc"]},
                "on",
                _if({"ends_with": [{"var": "id"}, "xyz"]}, "off", None),
            ]
        },
        ON_OFF,
        (),
    ),
    ("boolean shorthand", {"ends_with": [{"var": "email"}, "@example.com"]}, BOOLEAN, ()),
    ("booleans select true/false", _if({"var": "beta"}, True, False), BOOLEAN, ()),
    ("if with only a condition", {"if": [{"===": [{"var": "env"}, "prod"]}]}, BOOLEAN, ()),
    ("if with a condition and then", {"if": [{"var": "beta"}, "on"]}, ON_OFF, ()),
    (
        "else-if chain",
        {
            "if": [
                {"===": [{"var": "tier"}, "enterprise"]},
                "enterprise",
                {"===": [{"var": "tier"}, "premium"]},
                "premium",
                "basic",
            ]
        },
        ("basic", "premium", "enterprise"),
        (),
    ),
    (
        "variant-like strings in conditions are data",
        _if(_if({"var": "x"}, "not-a-variant", "nor-this"), "on", "off"),
        ON_OFF,
        (),
    ),
    ("timestamp", _if({">": [{"var": "$flagd.timestamp"}, 1700000000]}), ON_OFF, ()),
    ("flag key", _if({"==": [{"var": "$flagd.flagKey"}, "x"]}), ON_OFF, ()),
    ("var with default", _if({"var": ["email", "noreply@example.com"]}), ON_OFF, ()),
    ("var array index", _if({"==": [{"var": 1}, "b"]}), ON_OFF, ()),
    ("missing", _if({"missing": ["email"]}, "off", "on"), ON_OFF, ()),
    ("missing_some", _if({"missing_some": [1, ["phone", "email"]]}, "off", "on"), ON_OFF, ()),
    ("not, bare", _if({"!": {"in": ["Spring", "Springfield"]}}), ON_OFF, ()),
    ("not, listed", _if({"!": [{"var": "x"}]}), ON_OFF, ()),
    ("between", _if({"<": [1, {"var": "n"}, 10]}), ON_OFF, ()),
    ("between inclusive", _if({"<=": [1, {"var": "n"}, 10]}), ON_OFF, ()),
    (
        "map, filter, reduce",
        _if(
            {
                ">": [
                    {
                        "reduce": [
                            {"filter": [{"var": "ints"}, {"%": [{"var": ""}, 2]}]},
                            {"+": [{"var": "current"}, {"var": "accumulator"}]},
                            0,
                        ]
                    },
                    10,
                ]
            }
        ),
        ON_OFF,
        (),
    ),
    (
        "all, some, none",
        _if(
            {
                "and": [
                    {"all": [[1, 2], {">": [{"var": ""}, 0]}]},
                    {"some": [{"var": "pies"}, {"==": [{"var": "filling"}, "apple"]}]},
                    {"none": [[-1], {">": [{"var": ""}, 0]}]},
                ]
            }
        ),
        ON_OFF,
        (),
    ),
    (
        "arithmetic and strings",
        _if(
            {
                "or": [
                    {"==": [{"*": [2, 2, 2]}, {"+": [4, 4]}]},
                    {"==": [{"-": [2]}, {"/": [-4, 2]}]},
                    {"==": [{"max": [1, 2]}, {"min": [2, 3]}]},
                    {"in": ["a", {"merge": [[1], ["a"]]}]},
                    {"==": [{"cat": ["I love", " pie"]}, {"substr": ["jsonlogic", 4]}]},
                    {"==": [{"substr": ["jsonlogic", 1, 3]}, "son"]},
                    {"!!": ["0"]},
                    {"!==": [1, "1"]},
                    {"!=": [1, 2]},
                    {">=": [1, 1]},
                ]
            }
        ),
        ON_OFF,
        (),
    ),
]


@pytest.mark.parametrize(
    ("targeting", "variants", "evaluators"),
    [case[1:] for case in VALID],
    ids=[case[0] for case in VALID],
)
def test_valid_rules_have_no_issues(
    targeting: object, variants: tuple[str, ...], evaluators: tuple[str, ...]
) -> None:
    assert check_targeting(targeting, variants, evaluators) == []


FRACTIONAL_ON_OFF = [["on", 50], ["off", 50]]

# (id, targeting, path, message fragment); variants are on/off and the only evaluator is "beta"
BROKEN: list[tuple[str, object, tuple[str | int, ...], str]] = [
    ("a list", [{"var": "x"}], (), "targeting must be an object"),
    ("null", None, (), "targeting must be an object"),
    ("a string", "on", (), "targeting must be an object"),
    ("two keys", {"==": [1, 1], "in": ["a", "b"]}, (), "exactly one key, got 2: ==, in"),
    ("empty nested object", _if({}), ("if", 0), "an empty object is not an operation"),
    ("non-string key", _if({1: [1, 2]}), ("if", 0), "operation name must be a string"),
    ("unknown operation", {"iff": [True, "on", "off"]}, ("iff",), 'did you mean "if"?'),
    ("misspelt", _if({"stars_with": [{"var": "id"}, "a"]}), ("if", 0, "stars_with"), "starts_with"),
    ("log", _if({"log": "x"}), ("if", 0, "log"), 'unknown operation "log"'),
    (
        "legacy fractionalEvaluation",
        {"fractionalEvaluation": ["email", ["on", 50], ["off", 50]]},
        ("fractionalEvaluation",),
        'did you mean "fractional"?',
    ),
    (
        "data object as argument",
        _if({"==": [{"tier": "gold"}, 1]}),
        ("if", 0, "==", 0, "tier"),
        '"tier"',
    ),
    ("== with 3", _if({"==": [1, 2, 3]}), ("if", 0, "=="), "==: takes exactly 2 arguments, got 3"),
    ("== bare", _if({"==": 1}), ("if", 0, "=="), "==: expected a list of arguments, got 1"),
    ("in with 1", _if({"in": ["a"]}), ("if", 0, "in"), "takes exactly 2 arguments, got 1"),
    ("< with 4", _if({"<": [1, 2, 3, 4]}), ("if", 0, "<"), "takes 2 or 3 arguments, got 4"),
    ("* with 1", _if({"*": [2]}), ("if", 0, "*"), "takes at least 2 arguments, got 1"),
    ("reduce with 2", _if({"reduce": [[1], 0]}), ("if", 0, "reduce"), "exactly 3 arguments"),
    ("! with 2", _if({"!": [True, False]}), ("if", 0, "!"), "!: takes exactly 1 argument, got 2"),
    ("or with none", _if({"or": []}), ("if", 0, "or"), "at least 1 argument, got 0"),
    ("if with none", {"if": []}, ("if",), "if: takes at least 1 argument, got 0"),
    ("if not a list", {"if": "on"}, ("if",), "if: expected a list of arguments"),
    (
        "var object",
        _if({"var": {"a": 1}}),
        ("if", 0, "var"),
        'var: expected a name such as "email"',
    ),
    ("var null", _if({"var": None}), ("if", 0, "var"), "var: expected a name"),
    ("var 3 items", _if({"var": ["a", 1, 2]}), ("if", 0, "var"), 'expected "name" or ["name"'),
    ("var empty list", _if({"var": []}), ("if", 0, "var"), 'expected "name" or ["name"'),
    ("var list default", _if({"var": ["a", [1]]}), ("if", 0, "var", 1), "the default must be"),
    ("var list name", _if({"var": [True]}), ("if", 0, "var", 0), "var: expected a name"),
    (
        "unknown $flagd property",
        _if({"==": [{"var": "$flagd.flagkey"}, "x"]}),
        ("if", 0, "==", 0, "var"),
        'unknown flagd property "$flagd.flagkey" (did you mean "$flagd.flagKey"?)',
    ),
    ("missing a string", _if({"missing": "email"}), ("if", 0, "missing"), "expected a list"),
    ("missing a number", _if({"missing": ["a", 2]}), ("if", 0, "missing", 1), "must be a string"),
    (
        "missing_some count",
        _if({"missing_some": ["1", ["a"]]}),
        ("if", 0, "missing_some", 0),
        "how many names",
    ),
    (
        "missing_some names",
        _if({"missing_some": [1, "a"]}),
        ("if", 0, "missing_some", 1),
        "missing_some: expected a list of names",
    ),
    ("missing_some 1", _if({"missing_some": [1]}), ("if", 0, "missing_some"), "exactly 2"),
    (
        "unknown then",
        _if({"var": "x"}, "onn"),
        ("if", 1),
        'unknown variant "onn" (did you mean "on"?)',
    ),
    ("unknown else", _if({"var": "x"}, "on", "of"), ("if", 2), 'returns unknown variant "of"'),
    (
        "unknown last else",
        {"if": [{"var": "a"}, "on", {"var": "b"}, "off", "maybe"]},
        ("if", 4),
        'returns unknown variant "maybe"',
    ),
    (
        "unknown in nested if",
        {"if": [{"var": "a"}, "on", _if({"var": "b"}, "on", "of")]},
        ("if", 2, "if", 2),
        'returns unknown variant "of"',
    ),
    ("yaml boolean", _if({"var": "x"}, True, "off"), ("if", 1), 'unknown variant "true"'),
    ("a number", _if({"var": "x"}, 1, "off"), ("if", 1), "returns 1, but a rule must return"),
    ("a list", _if({"var": "x"}, ["on"], "off"), ("if", 1), 'returns ["on"]'),
    ("fractional not a list", {"fractional": "on"}, ("fractional",), "fractional: expected ["),
    ("fractional empty", {"fractional": []}, ("fractional",), "got []"),
    (
        "fractional without buckets",
        {"fractional": [{"var": "email"}]},
        ("fractional",),
        "needs at least one [variant, weight] bucket",
    ),
    (
        "fractional literal bucketing value",
        {"fractional": ["email", *FRACTIONAL_ON_OFF]},
        ("fractional", 0),
        'bucketing value must be an expression, got "email"',
    ),
    (
        "fractional bucket not a list",
        _if({"var": "x"}, {"fractional": [{"var": "email"}, "on", ["off", 1]]}),
        ("if", 1, "fractional", 1),
        'a bucket must be [variant] or [variant, weight], got "on"',
    ),
    (
        "fractional bucket of 3",
        {"fractional": [["on", 50, 1], ["off", 50]]},
        ("fractional", 0),
        'got ["on", 50, 1]',
    ),
    ("fractional empty bucket", {"fractional": [[], ["off", 1]]}, ("fractional", 0), "got []"),
    (
        "fractional unknown variant",
        {"fractional": [BY_EMAIL, ["on", 50], ["offf", 50]]},
        ("fractional", 2, 0),
        'returns unknown variant "offf" (did you mean "off"?)',
    ),
    (
        "fractional nested if variant",
        {"fractional": [[_if({"var": "x"}, "on", "of"), 1], ["off", 1]]},
        ("fractional", 0, 0, "if", 2),
        'unknown variant "of"',
    ),
    (
        "fractional string weight",
        {"fractional": [["on", 25], ["off", "25"]]},
        ("fractional", 1, 1),
        'a weight must be a whole number from 0 to 2147483647, got "25"',
    ),
    (
        "fractional negative weight",
        {"fractional": [["on", 25], ["off", -25]]},
        ("fractional", 1, 1),
        "got -25",
    ),
    (
        "fractional decimal weight",
        {"fractional": [["on", 25], ["off", 25.5]]},
        ("fractional", 1, 1),
        "got 25.5",
    ),
    (
        "fractional boolean weight",
        {"fractional": [["on", True], ["off", 1]]},
        ("fractional", 0, 1),
        "got true",
    ),
    (
        "fractional null weight",
        {"fractional": [["on", None], ["off", 1]]},
        ("fractional", 0, 1),
        "got null",
    ),
    (
        "fractional weight too big",
        {"fractional": [["on", 2**31], ["off", 1]]},
        ("fractional", 0, 1),
        "got 2147483648",
    ),
    (
        "fractional weights add up too much",
        {"fractional": [["on", 2**31 - 1], ["off", 1]]},
        ("fractional",),
        "the weights add up to 2147483648",
    ),
    (
        "fractional all zero",
        {"fractional": [["on", 0], ["off", 0]]},
        ("fractional",),
        "every weight is 0",
    ),
    (
        "fractional computed weight",
        {"fractional": [["on", {"minus": [100, {"var": "n"}]}], ["off", 1]]},
        ("fractional", 0, 1, "minus"),
        'unknown operation "minus"',
    ),
    (
        "sem_ver 2 args",
        _if({"sem_ver": [{"var": "v"}, "1.0.0"]}),
        ("if", 0, "sem_ver"),
        "sem_ver: takes exactly 3 arguments, got 2",
    ),
    (
        "sem_ver range operator",
        _if({"sem_ver": [{"var": "v"}, "*", "2.0.0"]}),
        ("if", 0, "sem_ver", 1),
        'sem_ver: unknown operator "*"',
    ),
    (
        "sem_ver ==",
        _if({"sem_ver": [{"var": "v"}, "==", "2.0.0"]}),
        ("if", 0, "sem_ver", 1),
        'did you mean "="?',
    ),
    (
        "sem_ver four parts",
        _if({"sem_ver": [{"var": "v"}, "=", "2.0.0.0"]}),
        ("if", 0, "sem_ver", 2),
        '"2.0.0.0" is not a semantic version',
    ),
    (
        "sem_ver leading zero",
        _if({"sem_ver": ["01.2.3", "=", {"var": "v"}]}),
        ("if", 0, "sem_ver", 0),
        "is not a semantic version",
    ),
    (
        "sem_ver partial with prerelease",
        _if({"sem_ver": [{"var": "v"}, ">", "1.2-beta"]}),
        ("if", 0, "sem_ver", 2),
        "is not a semantic version",
    ),
    (
        "sem_ver number",
        _if({"sem_ver": [{"var": "v"}, ">", 1.1]}),
        ("if", 0, "sem_ver", 2),
        "expected a version string or an expression, got 1.1",
    ),
    (
        "sem_ver bad expression",
        _if({"sem_ver": [{"vars": "v"}, ">", "1.0.0"]}),
        ("if", 0, "sem_ver", 0, "vars"),
        'did you mean "var"?',
    ),
    (
        "starts_with a number",
        _if({"starts_with": [{"var": "id"}, 0]}),
        ("if", 0, "starts_with", 1),
        "starts_with: expected a string or an expression, got 0",
    ),
    (
        "ends_with 3 args",
        _if({"ends_with": [{"var": "id"}, "a", "b"]}),
        ("if", 0, "ends_with"),
        "takes exactly 2 arguments, got 3",
    ),
    ("$ref unknown", _if({"$ref": "betaa"}), ("if", 0, "$ref"), 'unknown evaluator "betaa"'),
    ("$ref not a string", _if({"$ref": ["beta"]}), ("if", 0, "$ref"), "expected the name of"),
    ("$ref with more keys", _if({"$ref": "beta", "x": 1}), ("if", 0), "exactly one key"),
    (
        "a bad operation inside a list",
        _if({"in": [{"var": "x"}, ["a", {"bogus": 1}]]}),
        ("if", 0, "in", 1, 1, "bogus"),
        'unknown operation "bogus"',
    ),
]


@pytest.mark.parametrize(
    ("targeting", "path", "fragment"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_broken_rules_report_where_and_what(
    targeting: object, path: tuple[str | int, ...], fragment: str
) -> None:
    issues = check_targeting(targeting, ON_OFF, ("beta",))
    assert [issue.path for issue in issues] == [path]
    assert fragment in issues[0].message


def test_arguments_of_an_unknown_operation_are_still_checked() -> None:
    issues = check_targeting({"iff": [{"var": "$flagd.time"}, "on"]}, ON_OFF)
    assert [(issue.path, issue.message) for issue in issues] == [
        (("iff",), 'unknown operation "iff" (did you mean "if"?)'),
        (
            ("iff", 0, "var"),
            'var: unknown flagd property "$flagd.time" (did you mean "$flagd.timestamp"?)',
        ),
    ]


def test_issue_hints() -> None:
    [boolean] = check_targeting(_if({"var": "x"}, True, "off"), ON_OFF)
    assert "YAML" in boolean.hint
    [unknown] = check_targeting(_if({"var": "x"}, "maybe"), ON_OFF)
    assert unknown.hint == "the flag's variants are: off, on"
    [ref] = check_targeting(_if({"$ref": "beta"}), ON_OFF)
    assert ref.hint == "no $evaluators are defined"
    [log] = check_targeting(_if({"log": "x"}), ON_OFF)
    assert "does not support" in log.hint


def test_all_issues_are_collected_in_order() -> None:
    rule = {
        "if": [
            {"and": [{"sem_ver": [{"var": "v"}, "=>", "1"]}, {"starts_with": [{"var": "id"}, 1]}]},
            {"fractional": [{"var": "email"}, ["on", -1], ["of", 1]]},
            "maybe",
        ]
    }
    issues = check_targeting(rule, ON_OFF)
    assert [issue.path for issue in issues] == [
        ("if", 0, "and", 0, "sem_ver", 1),
        ("if", 0, "and", 1, "starts_with", 1),
        ("if", 1, "fractional", 1, 1),
        ("if", 1, "fractional", 2, 0),
        ("if", 2),
    ]


def test_fractional_in_a_condition_does_not_return_variants() -> None:
    rule = _if({"==": [{"fractional": [["a", 1], ["b", 1]]}, "a"]})
    assert check_targeting(rule, ON_OFF) == []
    assert returned_variants(rule) == {"on", "off"}


def test_issue_is_a_frozen_value() -> None:
    issue = TargetingIssue(("if", 1), "returns unknown variant")
    assert issue.hint == ""
    with pytest.raises(AttributeError):
        issue.message = "x"  # type: ignore[misc]


def test_deep_nesting_is_an_issue_not_a_recursion_error() -> None:
    rule: object = {"var": "x"}
    for _ in range(5_000):
        rule = {"!": rule}
    issues = check_targeting(rule, ON_OFF)
    assert len(issues) == 1
    assert f"more than {MAX_DEPTH} levels" in issues[0].message
    assert issues[0].path == ("!",) * (MAX_DEPTH + 1)


def test_deep_lists_are_bounded_too() -> None:
    value: object = "on"
    for _ in range(5_000):
        value = [value]
    issues = check_targeting({"in": ["on", value]}, ON_OFF)
    assert len(issues) == 1
    assert "levels deep" in issues[0].message


def test_a_cycle_is_bounded() -> None:
    loop: list[object] = []
    loop.append(loop)
    issues = check_targeting({"in": ["on", loop]}, ON_OFF)
    assert len(issues) == 1
    assert "levels deep" in issues[0].message


@pytest.mark.parametrize(
    ("targeting", "expected"),
    [
        ({}, set()),
        ([], set()),
        ({"if": [{"var": "a"}, "x", {"var": "b"}, "y", "z"]}, {"x", "y", "z"}),
        ({"if": [{"var": "a"}, "x"]}, {"x"}),
        ({"if": [{"var": "a"}, "x", None]}, {"x"}),
        (
            {"if": [_if({"var": "a"}, "cond1", "cond2"), "x", _if({"var": "b"}, "y", "z")]},
            set("xyz"),
        ),
        (
            {"fractional": [BY_EMAIL, ["a", 1], ["b"], [_if({"var": "c"}, "c", "d"), 2]]},
            set("abcd"),
        ),
        ({"fractional": [[1, 1], [None, 1], [True, 1]]}, {"true"}),
        (_if({"var": "a"}, True, False), {"true", "false"}),
        (_if({"var": "a"}, {"$ref": "shared"}, {"var": "variant"}), set()),
        ({"ends_with": [{"var": "email"}, "@x.com"]}, set()),
        ({"iff": [{"var": "a"}, "x", "y"]}, set()),
    ],
)
def test_returned_variants(targeting: object, expected: set[str]) -> None:
    assert returned_variants(targeting) == expected


# Arbitrary JSON-like values, with operator names as keys often enough to reach every check.
OPERATORS = [
    "var", "missing", "missing_some", "if", "==", "===", "!=", "!==", "!", "!!", "or", "and",
    ">", ">=", "<", "<=", "max", "min", "+", "-", "*", "/", "%", "map", "reduce", "filter",
    "all", "none", "some", "merge", "in", "cat", "substr", "fractional", "sem_ver",
    "starts_with", "ends_with", "$ref", "log",
]  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["on", "off", "1.2.3", "v1", "=", "^", "$flagd.flagKey", "$flagd.x", ""])
    | st.text(max_size=8)
)
KEYS = st.sampled_from(OPERATORS) | st.text(max_size=6)
JSON_LIKE = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(OPERATORS), children, min_size=1, max_size=1)
        | st.dictionaries(KEYS, children, max_size=2)
    ),
    max_leaves=40,
)
RULES = st.dictionaries(st.sampled_from(OPERATORS), JSON_LIKE, min_size=1, max_size=1)


def _follow(value: object, path: tuple[str | int, ...]) -> object:
    for step in path:
        value = value[step]  # type: ignore[index]
    return value


@given(
    targeting=RULES | JSON_LIKE,
    variants=st.lists(st.text(max_size=5), max_size=4),
    evaluators=st.lists(st.text(max_size=5), max_size=2),
)
def test_never_raises_and_paths_lead_into_the_rule(
    targeting: object, variants: list[str], evaluators: list[str]
) -> None:
    issues = check_targeting(targeting, variants, evaluators)
    assert all(isinstance(issue, TargetingIssue) and issue.message for issue in issues)
    for issue in issues:
        _follow(targeting, issue.path)  # the model layer locates issues by this path
    for name in returned_variants(targeting) - set(variants):
        assert any(f'unknown variant "{name}"' in issue.message for issue in issues)
