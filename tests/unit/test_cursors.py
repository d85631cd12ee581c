from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.cursors import decode_cursor, encode_cursor
from chalicelib.domain.errors import BadRequest

KEY = b"k" * 32
START = {"pk": {"S": "T1#CUSTOMER"}, "sk": {"S": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}}


def test_round_trip() -> None:
    cursor = encode_cursor(KEY, "T1", "customers", START)
    assert decode_cursor(KEY, "T1", "customers", cursor) == START


@pytest.mark.parametrize(
    ("key", "owner", "scope"),
    [(b"other" * 7, "T1", "customers"), (KEY, "T2", "customers"), (KEY, "T1", "tickets")],
)
def test_wrong_key_owner_or_list_is_refused(key: bytes, owner: str, scope: str) -> None:
    cursor = encode_cursor(KEY, "T1", "customers", START)
    with pytest.raises(BadRequest) as info:
        decode_cursor(key, owner, scope, cursor)
    assert info.value.code == "invalid_cursor"


@given(st.text(max_size=200))
def test_arbitrary_strings_never_crash(text: str) -> None:
    with pytest.raises(BadRequest):
        decode_cursor(KEY, "T1", "customers", text)


@given(st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=255))
def test_any_single_byte_change_is_detected(position: int, value: int) -> None:
    cursor = encode_cursor(KEY, "T1", "customers", START)
    index = position % len(cursor)
    replacement = chr(value % 128)
    if cursor[index] == replacement:
        return
    tampered = cursor[:index] + replacement + cursor[index + 1 :]
    with pytest.raises(BadRequest):
        decode_cursor(KEY, "T1", "customers", tampered)


@pytest.mark.parametrize("index", [-1, 0])
def test_non_canonical_spelling_is_refused(index: int) -> None:
    cursor = encode_cursor(KEY, "T1", "customers", START)
    body, mac = cursor.split(".")
    # Flip the unused low bits of the last character: base64 alone would decode it the same.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    target = mac if index == -1 else body
    last = alphabet.index(target[-1])
    twin = alphabet[last ^ 1]
    tampered = f"{body}.{mac[:-1]}{twin}" if index == -1 else f"{body[:-1]}{twin}.{mac}"
    with pytest.raises(BadRequest):
        decode_cursor(KEY, "T1", "customers", tampered)
