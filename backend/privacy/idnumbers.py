"""Resident identity card numbers (居民身份证号码): validation, derived facts, masking."""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from backend.privacy.crypto import keyed_hash

# ASCII only: str.isdigit() also accepts Devanagari, Arabic-Indic and other digits, which
# would store a non-number and slip past the duplicate check.
ID_NUMBER_FORMAT = re.compile(r"[0-9]{17}[0-9X]")


def id_number_normalise(value: str) -> str:
    """Return an ID number as stored and hashed: NFKC (full-width digits), no spaces, upper case."""
    return ric.compact(unicodedata.normalize("NFKC", value or "")).upper()


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: datetime.date
    gender: str  # "F" or "M"

    def age_on(self, day: datetime.date) -> int:
        """Return the holder's age in whole years on a day."""
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)

    @property
    def lookup_hash(self) -> str:
        return id_number_hash(self.number)


def parse_resident_id(value: str, *, today: datetime.date | None = None) -> ResidentId:
    """Validate an 18-digit ID number and return what it says; raise ValidationError.

    The birthplace code is checked only for having existed at some time: a number
    issued under a county code that was later renamed (e.g. 1424xx in Jincheng before
    1985) is valid, and it is never compared with where the person lives now. (stdnum's
    own ``validate`` also rejects codes assigned after the birth year, which real
    numbers carry all the time, so it is not used as a whole.)
    """
    number = id_number_normalise(value)
    if not number:
        raise ValidationError(_("请填写身份证号码"), code="required")
    if len(number) != 18:
        raise ValidationError(_("身份证号码应为18位"), code="length")
    if not ID_NUMBER_FORMAT.fullmatch(number):
        raise ValidationError(_("身份证号码格式不正确：前17位为数字，最后一位为数字或X"), code="format")
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError(_("身份证号码校验位不正确"), code="checksum")
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        raise ValidationError(_("身份证号码中的出生日期不存在"), code="birth_date") from None
    today = today or datetime.date.today()
    if birth > today or birth.year < 1900:
        raise ValidationError(_("身份证号码中的出生日期不合理"), code="birth_date")
    place = {k: v for _part, props in numdb.get("cn/loc").info(number[:6]) for k, v in props.items()}
    if "county" not in place:
        raise ValidationError(_("身份证号码前6位不是有效的行政区划代码"), code="place")
    gender = "M" if int(number[16]) % 2 else "F"
    return ResidentId(number=number, birth_date=birth, gender=gender)


def id_number_compose(*, place: str, birth: datetime.date, order: int, female: bool) -> str:
    """Return a valid ID number for a birthplace code, a birth date and an order of registration (demo and test data)."""
    sequence = (order * 2 + (0 if female else 1)) % 1000  # the 17th digit is even for women
    body = f"{place}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def mask_id_number(number: str) -> str:
    """Return an ID number with the birth date and sequence hidden: 140521********1234."""
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def id_number_hash(number: str) -> str:
    """Return the keyed hash of a normalised ID number, for duplicate detection."""
    return keyed_hash(id_number_normalise(number), purpose="resident-id")
