"""Phones and ID numbers in log lines (server/core/privacy.py, server/core/logctx.py): masked in every line whatever the code
logged, in JSON and in text, in the message, the extras and a traceback alike."""

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core.logctx import JsonFormatter, TextFormatter
from server.core.privacy import mask_text

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
ZHANG_ID = "371081198001011238"


@pytest.mark.parametrize("text,masked", [
    ("13800000001", "138****0001"),
    ("login 13800000001 ok", "login 138****0001 ok"),
    ("tel:13800000001;", "tel:138****0001;"),
    ("手机13800000001已绑定", "手机138****0001已绑定"),
    ("phone=13800000001&x=1", "phone=138****0001&x=1"),
    ("trace 4f13800000001abc", "trace 4f138****0001abc"),  # a phone among letters still is one
    ('{"phone": "13912345678"}', '{"phone": "139****5678"}'),
    ("a 13800000001 b 13900000002", "a 138****0001 b 139****0002"),
    (ZHANG_ID, "371081******1238"),
    ("id 37108119800101123X.", "id 371081******123X."),
    ("id 37108119800101123x", "id 371081******123x"),
    ("证件号371081198001011238。", "证件号371081******1238。"),
    ("13800000001/371081198001011238", "138****0001/371081******1238"),
    # with the country code, as international formats write it
    ("+8613800000001", "+86138****0001"),
    ("008613800000001", "0086138****0001"),
    ("+86 13800000001", "+86 138****0001"),
    # full-width digits, as a Chinese input method in full-width mode types them
    ("13800000001".translate(FULL_WIDTH), "１３８****０００１"),
    (ZHANG_ID.translate(FULL_WIDTH), "３７１０８１******１２３８"),
])
def test_phones_and_id_numbers_are_masked(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", [
    "order 2026112309300012345",      # a longer digit run is not a phone
    "12800000001",                    # no mobile prefix 12
    "1380000000",                     # ten digits
    "138000000012",                   # twelve
    "id 3710811980010112345",         # nineteen digits
    "no digits here",
    "",
])
def test_what_is_no_phone_or_id_number_passes_unchanged(text):
    assert mask_text(text) == text


@given(st.text(max_size=60))
def test_masking_twice_changes_nothing_more(text):
    once = mask_text(text)
    assert mask_text(once) == once


PHONES = st.from_regex(r"\A1[3-9][0-9]{9}\Z")
SEPARATORS = st.text(st.characters(blacklist_categories=("Nd", "Cs")), min_size=1, max_size=5)


@given(st.lists(st.tuples(SEPARATORS, PHONES), min_size=1, max_size=4), SEPARATORS)
def test_no_mobile_number_survives_between_non_digits(parts, tail):
    text = "".join(sep + phone for sep, phone in parts) + tail
    out = mask_text(text)
    for _, phone in parts:
        assert phone not in out
        assert phone[:3] + "****" + phone[-4:] in out


def _record(msg, args=(), **extra):
    rec = logging.LogRecord("t", logging.WARNING, __file__, 1, msg, args, None)
    rec.__dict__.update(extra)
    return rec


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter("%(levelname)s %(message)s")])
def test_both_formatters_mask_the_message_and_the_extras(formatter):
    line = formatter.format(_record("sms to %s", ("13800000001",), id_number=ZHANG_ID, phone="13912345678"))
    assert "13800000001" not in line and "13912345678" not in line and ZHANG_ID not in line
    assert "138****0001" in line and "139****5678" in line and "371081******1238" in line


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter("%(levelname)s %(message)s")])
def test_a_traceback_is_masked_too(formatter):
    try:
        raise ValueError(f"bad holder {ZHANG_ID} phone 13800000001")
    except ValueError:
        import sys

        rec = logging.LogRecord("t", logging.ERROR, __file__, 1, "unhandled", (), sys.exc_info())
    line = formatter.format(rec)
    assert "ValueError" in line and ZHANG_ID not in line and "13800000001" not in line
