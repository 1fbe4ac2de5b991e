"""Personal data, directly (server/core/privacy.py): the display masks for phones, ID numbers,
card numbers and names, and the ID cipher (AES-GCM at rest, a keyed hash for look-up)."""

import base64
import hashlib

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from server.core.privacy import (
    IdCipher,
    mask_card_no,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_id_number,
)
from server.demo_city import id_with_check_digit

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# values as masks meet them: anything but the mask character itself
VALUES = st.text(st.characters(blacklist_characters="*", blacklist_categories=("Cs",)), min_size=1, max_size=40)
ASCII_DIGITS = st.text("0123456789", min_size=1, max_size=40)


def shown(masked: str, plain: str) -> int:
    """How many characters of `plain` the mask shows: its unmasked head and tail, checked to be
    the value's own head and tail (a mask never shows a character from the middle)."""
    head, *_, tail = masked.split("*") if "*" in masked else (masked, "")
    assert plain.startswith(head) and plain.endswith(tail), (plain, masked)
    return len(head) + len(tail)


# --------------------------------------------------------------------------- phones

def test_a_mobile_number_shows_its_first_three_and_last_four():
    assert mask_phone("13800000001") == "138****0001"
    assert mask_phone("19912345678") == "199****5678"


@pytest.mark.parametrize("empty", [None, ""])
def test_no_phone_is_none(empty):
    assert mask_phone(empty) is None


@pytest.mark.parametrize("short", ["1", "12", "123456", "1234567", "1380000000"])
def test_a_value_shorter_than_a_mobile_number_is_all_stars(short):
    """Seven to ten characters used to come back whole, with four stars added in the middle."""
    assert mask_phone(short) == "*" * len(short)


def test_full_width_digits_are_masked_like_ascii_ones():
    """Validation refuses them (tests/web/test_ascii_digits.py), but a mask works on what it is given."""
    assert mask_phone("13800000001".translate(FULL_WIDTH)) == "１３８****０００１"


@given(VALUES)
def test_a_phone_mask_never_shows_more_than_seven_characters_nor_hides_fewer_than_four(value):
    out = mask_phone(value)
    n = shown(out, value)
    assert n <= 7 and len(value) - n >= min(4, len(value)), (value, out)


@given(ASCII_DIGITS)
def test_a_phone_mask_never_leaks_more_than_seven_digits(value):
    assert sum(c.isascii() and c.isdigit() for c in mask_phone(value)) <= 7


# --------------------------------------------------------------------------- ID numbers

def test_a_resident_id_shows_its_region_and_last_four():
    assert mask_id_number("110105198001011512") == "110105******1512"  # seed 003
    assert mask_id_number("37108119800101123X") == "371081******123X"


def test_other_documents_show_two_characters_at_each_end():
    assert mask_id_number("E12345678") == "E1*****78"  # passport
    assert mask_id_number("A1234") == "A1*34"


@pytest.mark.parametrize("doc", ["H1234567801", "AB1234567890", "ABC1234567890", "C12345678901A"])
def test_an_eleven_to_fourteen_character_document_keeps_its_middle_hidden(doc):
    """These came back with ten characters shown (H12345******7801 for an 11-character 回乡证 number)."""
    assert mask_id_number(doc) == doc[:2] + "*" * (len(doc) - 4) + doc[-2:]


@pytest.mark.parametrize("short", ["1", "12", "123", "1234"])
def test_a_value_too_short_to_show_its_ends_is_all_stars(short):
    assert mask_id_number(short) == "*" * len(short)


@pytest.mark.parametrize("empty", [None, ""])
def test_no_id_number_is_none(empty):
    assert mask_id_number(empty) is None


def test_full_width_id_digits_are_masked_like_ascii_ones():
    plain = "110105198001011512".translate(FULL_WIDTH)
    assert mask_id_number(plain) == plain[:6] + "******" + plain[-4:]


@given(VALUES)
def test_an_id_mask_never_shows_a_whole_value_nor_more_than_ten_characters(value):
    out = mask_id_number(value)
    n = shown(out, value)
    assert n <= 10 and n < len(value), (value, out)
    if len(value) > 10:
        assert len(value) - n >= 5, (value, out)


@given(st.text("0123456789", min_size=17, max_size=17))
def test_every_resident_id_shows_exactly_its_first_six_and_last_four(first17):
    id_number = id_with_check_digit(first17)
    out = mask_id_number(id_number)
    assert out == id_number[:6] + "******" + id_number[-4:]
    assert sum(c.isascii() and c.isdigit() for c in out) <= 10


# --------------------------------------------------------------------------- card numbers and names

def test_a_card_number_shows_its_first_four_and_last_four():
    assert mask_card_no("WH202400000001") == "WH20******0001"
    assert mask_card_no("WH2024") == "WH**24"
    assert mask_card_no(None) is None and mask_card_no("") is None


@given(VALUES)
def test_a_card_number_mask_never_shows_the_whole_value(value):
    out = mask_card_no(value)
    n = shown(out, value)
    assert n <= 8 and n < len(value), (value, out)


@pytest.mark.parametrize("name,masked", [
    ("张三", "张*"), ("欧阳娜娜", "欧**娜"), ("李小明", "李*明"),
    ("张", "张"),  # one character: nothing to hide it behind, shown as it is
    ("", ""), (None, None),
])
def test_names_keep_their_first_and_last_character(name, masked):
    assert mask_name(name) == masked


@given(VALUES.filter(lambda v: len(v) >= 2))
def test_a_name_mask_shows_at_most_two_characters(value):
    out = mask_name(value)
    assert len(out) == len(value) and shown(out, value) <= 2


# --------------------------------------------------------------------------- the ID cipher

KEY = base64.b64encode(hashlib.sha256(b"test-id-key").digest()).decode()
OTHER_KEY = base64.b64encode(hashlib.sha256(b"another-id-key").digest()).decode()
ZHANG_ID = "371081198001011238"  # 张三's (server/demo.py), written out: the hash below is pinned to it


def cipher(key: str = KEY, hash_key: str = "test-hash-key") -> IdCipher:
    return IdCipher(key, hash_key)


@given(st.text(max_size=64))
def test_encrypt_then_decrypt_gives_the_value_back(plain):
    c = cipher()
    token = c.encrypt(plain)
    assert len(base64.b64decode(token)) == 12 + len(plain.encode()) + 16  # nonce, ciphertext, tag
    assert c.decrypt(token) == plain


@given(st.text(max_size=64), st.binary(min_size=1, max_size=16))
def test_secrets_round_trip_for_their_own_purpose_only(plain, purpose):
    c = cipher()
    token = c.encrypt_secret(plain, purpose)
    assert c.decrypt_secret(token, purpose) == plain
    with pytest.raises(InvalidTag):
        c.decrypt_secret(token, purpose + b"x")
    if purpose != b"id_number":
        with pytest.raises(InvalidTag):
            c.decrypt(token)


def test_every_encryption_draws_a_fresh_nonce():
    c = cipher()
    tokens = [c.encrypt(ZHANG_ID) for _ in range(200)]
    nonces = {base64.b64decode(t)[:12] for t in tokens}
    assert len(set(tokens)) == 200 and len(nonces) == 200
    assert {c.decrypt(t) for t in tokens} == {ZHANG_ID}


def test_a_changed_byte_anywhere_is_detected():
    c = cipher()
    raw = base64.b64decode(c.encrypt(ZHANG_ID))
    for i in range(len(raw)):  # the nonce, the ciphertext and the tag
        tampered = raw[:i] + bytes([raw[i] ^ 0x01]) + raw[i + 1:]
        with pytest.raises(InvalidTag):
            c.decrypt(base64.b64encode(tampered).decode())


@pytest.mark.parametrize("cut", [0, 12, 27, -1])
def test_a_truncated_token_is_refused(cut):
    c = cipher()
    raw = base64.b64decode(c.encrypt(ZHANG_ID))
    with pytest.raises((InvalidTag, ValueError)):
        c.decrypt(base64.b64encode(raw[:cut]).decode())


def test_another_key_cannot_decrypt():
    token = cipher(KEY).encrypt(ZHANG_ID)
    with pytest.raises(InvalidTag):
        cipher(OTHER_KEY).decrypt(token)
    assert cipher(KEY, hash_key="another-hash-key").decrypt(token) == ZHANG_ID, "the hash key plays no part"


def test_the_lookup_hash_is_stable_keyed_and_normalised():
    a, b = cipher(), cipher(OTHER_KEY)  # the encryption key plays no part in the hash
    h = a.lookup_hash(ZHANG_ID)
    # pinned: rows stored under this hash must still be found after any refactoring
    assert h == "444dff1ebef928217830f15b8af8795bde3b0b36d031019290e072f2d4c17378"
    assert b.lookup_hash(ZHANG_ID) == h
    assert cipher(hash_key="another-hash-key").lookup_hash(ZHANG_ID) != h
    assert a.lookup_hash(ZHANG_ID) != a.lookup_hash("371002198503154560")
    x = "37108119800101123X"
    assert a.lookup_hash(x.lower()) == a.lookup_hash(f"  {x} ") == a.lookup_hash(x)
    assert normalize_id_number(" 37108119800101123x\n") == x


def test_the_lookup_hash_does_not_fold_full_width_digits():
    """The API refuses them; were one to get through, it would not find the ASCII number's row."""
    c = cipher()
    assert c.lookup_hash(ZHANG_ID.translate(FULL_WIDTH)) != c.lookup_hash(ZHANG_ID)
