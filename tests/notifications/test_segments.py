from notifications.channels.segments import sms_encoding, sms_segments, sms_split


def test_chinese_text_is_ucs2_with_70_characters_in_one_segment():
    assert sms_encoding("您好") == "UCS-2"
    assert sms_segments("好" * 70) == 1
    assert sms_segments("好" * 71) == 2  # a long text has 67 per part (the header takes 3)
    assert sms_segments("好" * 134) == 2
    assert sms_segments("好" * 135) == 3


def test_plain_ascii_is_gsm7_with_160_in_one_segment():
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("{" * 80) == 1  # extension characters count twice
    assert sms_segments("{" * 81) == 2


def test_one_chinese_character_makes_the_whole_text_ucs2():
    assert sms_segments("a" * 69 + "好") == 1
    assert sms_segments("a" * 70 + "好") == 2


def test_split_keeps_parts_within_67_units_and_emoji_whole():
    text = "好" * 66 + "👍" + "好" * 10
    parts = sms_split(text)
    assert "".join(parts) == text
    assert all(len(p.encode("utf-16-le")) // 2 <= 67 for p in parts)
    assert len(parts) == sms_segments(text) == 2
    assert parts[1].startswith("👍")
