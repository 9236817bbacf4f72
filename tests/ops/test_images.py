"""Uploaded images are judged by their bytes, named by us, and refused with the caller's own words."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from backend.ops.errors import ServiceError
from backend.ops.images import image_kind, image_validate

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 24
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 16


@pytest.mark.parametrize(("head", "kind"), [(PNG, "png"), (JPEG, "jpeg"), (WEBP, "webp"), (b"<html><body>", None)])
def test_the_kind_comes_from_the_bytes(head, kind):
    assert image_kind(head[:16]) == kind


def _check(upload, kinds=frozenset({"png", "jpeg"}), max_bytes=1024):
    image_validate(upload, field="seal", kinds=kinds, too_big="太大", wrong_kind="格式不对", max_bytes=max_bytes)


def test_an_accepted_image_gets_our_name_with_the_extension_of_its_bytes():
    upload = SimpleUploadedFile("evil.jpg.html", PNG)
    _check(upload)
    assert upload.name.endswith(".png") and "evil" not in upload.name
    assert upload.read(8) == PNG[:8]  # read from the start again


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("seal.webp", WEBP, "格式不对"),  # a real image of a kind this caller does not take
        ("seal.png", b"<html>not an image</html>", "格式不对"),
        ("seal.png", PNG + b"\x00" * 2048, "太大"),
    ],
)
def test_a_refused_image_names_the_field_with_the_callers_words(name, content, message):
    with pytest.raises(ServiceError) as refused:
        _check(SimpleUploadedFile(name, content))
    assert (refused.value.field, refused.value.message) == ("seal", message)


@pytest.mark.django_db
def test_a_seal_that_is_no_image_is_refused_as_a_seal_in_english_too(regions, qinshui_officer):
    from backend.records.services.certificates import issuer_update

    with translation.override("en"), pytest.raises(ServiceError) as refused:
        issuer_update(
            by=qinshui_officer,
            name="沁水县妇联",
            responsible_person="王",
            handler="李",
            contact="0356-1234567",
            seal=SimpleUploadedFile("seal.png", b"<html>not an image</html>"),
        )
    assert refused.value.field == "seal"
    assert refused.value.message == "The seal image must be a PNG or JPG"
