import pytest

from tests.factories import ChildDirectorFactory


@pytest.fixture
def liuzhuang_director(regions):
    """The child director of 柳庄社区 (沁水县龙港镇)."""
    return ChildDirectorFactory(username="liuzhuang", village_codes=["140521100001"])
