"""A backup sealed with a passphrase: Fernet under a scrypt-derived key, in 1 MiB chunks.

Chunks keep memory flat for a large database. Each chunk's plaintext starts with its index and
a last-chunk flag, so chunks cannot be reordered, dropped or cut off without the open failing.
"""

from __future__ import annotations

import base64
import os
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from hub.errors import ConfigError

MAGIC = b"ESTATE-HUB-SEALED-BACKUP-1\n"
CHUNK = 1 << 20
_HEADER = struct.Struct(">Q?")  # chunk index, is-last
_LENGTH = struct.Struct(">I")


def read_passphrase(path: Path) -> bytes:
    """The passphrase in `path`, without the trailing new line an editor adds."""
    passphrase = path.read_bytes().rstrip(b"\r\n")
    if not passphrase:
        raise ConfigError(f"passphrase file {path} is empty")
    return passphrase


def is_sealed(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(len(MAGIC)) == MAGIC


def _fernet(passphrase: bytes, salt: bytes) -> Fernet:
    key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(source: BinaryIO, target: BinaryIO, passphrase: bytes) -> None:
    salt = os.urandom(16)
    fernet = _fernet(passphrase, salt)
    target.write(MAGIC + salt)
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        token = fernet.encrypt(_HEADER.pack(index, not following) + chunk)
        target.write(_LENGTH.pack(len(token)) + token)
        if not following:
            return
        chunk, index = following, index + 1


def unseal(source: BinaryIO, target: BinaryIO, passphrase: bytes) -> None:
    """ConfigError for a wrong passphrase or a damaged or cut-off file."""
    if source.read(len(MAGIC)) != MAGIC:
        raise ConfigError("not a sealed Estate Hub backup")
    fernet = _fernet(passphrase, source.read(16))
    index = 0
    while True:
        length = source.read(_LENGTH.size)
        if len(length) < _LENGTH.size:
            raise ConfigError("the sealed backup is cut off")
        try:
            plain = fernet.decrypt(source.read(_LENGTH.unpack(length)[0]))
        except InvalidToken as exc:
            raise ConfigError("wrong passphrase, or the sealed backup is damaged") from exc
        seen, last = _HEADER.unpack_from(plain)
        if seen != index:
            raise ConfigError("the sealed backup is damaged (chunks out of order)")
        target.write(plain[_HEADER.size :])
        if last:
            return
        index += 1
