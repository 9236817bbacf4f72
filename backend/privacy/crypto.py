import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt_text(plaintext: str) -> str:
    """Encrypt text with the first key of FIELD_ENCRYPTION_KEYS."""
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS)).encrypt(plaintext.encode()).decode()


def decrypt_text(token: str) -> str:
    """Decrypt text encrypted with any key of FIELD_ENCRYPTION_KEYS."""
    try:
        return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS)).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt a field: is FIELD_ENCRYPTION_KEYS the key it was written with?") from exc


def keyed_hash(value: str, *, purpose: str) -> str:
    """Return a keyed hash (HMAC-SHA256 with FIELD_HASH_KEY) for exact-match lookups."""
    message = f"{purpose}:{value}".encode()
    return hmac.new(settings.FIELD_HASH_KEY.encode(), message, hashlib.sha256).hexdigest()
