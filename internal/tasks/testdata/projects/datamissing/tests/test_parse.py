import json
import pathlib

from pyti_test_datamissing import parse

HERE = pathlib.Path(__file__).parent


def test_parse():
    assert parse("1,2,3") == [1, 2, 3]


def test_parse_cases():
    # tests/data/cases.json is in the project's repository, not in its sdist.
    cases = json.loads((HERE / "data" / "cases.json").read_text())
    for text, want in cases:
        assert parse(text) == want
