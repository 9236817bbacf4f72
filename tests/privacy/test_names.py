from backend.privacy.names import name_clean


def test_bidi_overrides_and_zero_width_characters_are_removed_from_names():
    assert name_clean("\u202e芳王\u202c") == "芳王"
    assert name_clean("王\u200b芳\u200d\ufeff") == "王芳"
    assert name_clean("\u2067王芳\u2069 ") == "王芳"
    assert name_clean("李\u200f娜\u200e") == "李娜"


def test_ordinary_names_are_kept_as_typed():
    assert name_clean(" 欧阳 娜娜 ") == "欧阳 娜娜"
    assert name_clean("Anna-Lena O'Brien") == "Anna-Lena O'Brien"


def test_a_joiner_inside_an_emoji_sequence_is_kept():
    assert name_clean("王👩\u200d👧芳") == "王👩\u200d👧芳"
    assert name_clean("王\u200d芳") == "王芳"
