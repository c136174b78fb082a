from pyti_example_buildfail import answer


def test_answer():
    assert answer() == 42
