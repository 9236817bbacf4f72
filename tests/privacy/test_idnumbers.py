import datetime

import pytest
from django.core.exceptions import ValidationError

from backend.privacy.crypto import decrypt_text, encrypt_text, keyed_hash
from backend.privacy.idnumbers import id_number_compose, id_number_hash, mask_id_number, parse_resident_id


def test_valid_number_gives_birth_date_gender_and_age():
    rid = parse_resident_id("140521198001010021")
    assert rid.birth_date == datetime.date(1980, 1, 1)
    assert rid.gender == "F"
    assert rid.age_on(datetime.date(2026, 1, 1)) == 46
    assert rid.age_on(datetime.date(2025, 12, 31)) == 45


def test_old_county_code_from_before_1985_is_valid():
    # 1424xx were Jincheng's county codes before 1985; such numbers are still in use
    assert parse_resident_id("142425198001010023").number == "142425198001010023"


def test_current_code_for_someone_born_before_it_existed_is_valid():
    # stdnum's own validate() rejects this; real people carry such numbers
    assert parse_resident_id("140521198001010021").birth_date.year == 1980


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("", "required"),
        ("14052119800101002", "length"),
        ("14052119800101002A", "format"),
        ("140521198001010022", "checksum"),
        ("99999919800101002X", "place"),
    ],
)
def test_invalid_numbers_are_rejected_with_a_reason(number, code):
    with pytest.raises(ValidationError) as info:
        parse_resident_id(number)
    assert info.value.code == code
    assert "身份证" in info.value.messages[0]


def test_impossible_birth_date_is_rejected():
    from stdnum.cn import ric

    base = "14052119801301002"  # month 13
    number = base + ric.calc_check_digit(base + "0")
    with pytest.raises(ValidationError) as info:
        parse_resident_id(number)
    assert info.value.code == "birth_date"


@pytest.mark.parametrize("female", [True, False])
def test_a_composed_number_parses_back_to_its_birth_date_and_gender(female):
    birth = datetime.date(2014, 2, 28)
    number = id_number_compose(place="140521", birth=birth, order=617, female=female)
    parsed = parse_resident_id(number, today=datetime.date(2026, 11, 30))
    assert number.startswith("14052120140228")
    assert (parsed.birth_date, parsed.gender) == (birth, "F" if female else "M")


def test_mask_hides_birth_date_and_sequence():
    assert mask_id_number("140521198001010021") == "140521********0021"


def test_lowercase_x_and_spaces_are_normalised_for_the_hash():
    assert id_number_hash("14052119800101002x") == id_number_hash("14052119800101002X")


def test_encryption_round_trips_and_hides_the_plaintext():
    token = encrypt_text("140521198001010021")
    assert "140521" not in token
    assert decrypt_text(token) == "140521198001010021"
    assert keyed_hash("a", purpose="x") != keyed_hash("a", purpose="y")


DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("digits", [DEVANAGARI, ARABIC_INDIC])
def test_non_ascii_digits_in_an_id_number_are_a_format_error(digits):
    number = "140521198001010021"
    spoofed = number[:6] + number[6:17].translate(digits) + number[17]
    with pytest.raises(ValidationError) as exc:
        parse_resident_id(spoofed)
    assert exc.value.code == "format"


def test_full_width_digits_are_the_same_number_and_the_same_hash():
    number = "140521198001010021"
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert parse_resident_id(full_width).number == number
    assert id_number_hash(full_width) == id_number_hash(number)
