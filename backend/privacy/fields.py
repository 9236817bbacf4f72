from django.db import models

from backend.privacy.crypto import decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):
    """Text stored encrypted (Fernet); the database never holds the plaintext.

    The ciphertext is randomised, so the field cannot be searched: store a
    ``keyed_hash`` beside it for exact-match lookups and duplicate detection.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)

    def get_internal_type(self) -> str:
        return "TextField"
