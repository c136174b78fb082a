from pyti_test_hostpkgs import SEEN


def test_the_build_saw_only_its_build_requirements():
    assert SEEN == []
