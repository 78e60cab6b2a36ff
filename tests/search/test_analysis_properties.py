"""Properties of the search analyzer: the same words whatever the Unicode form, folding that
is idempotent, no empty words, one-letter words kept, đ folded to d."""

import string
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from shop.search import analysis
from shop.text import fold

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
LETTERS = VIETNAMESE + VIETNAMESE.upper()
MARKS = "".join(chr(c) for c in range(0x0300, 0x0370))  # combining diacritics, typed loose
SEPARATORS = " \t\n,.;:!?-_/()'\"“”–"
TEXT = LETTERS + string.digits + SEPARATORS + MARKS
PROPERTIES = settings(max_examples=300, deadline=None, derandomize=True, database=None)

shop_text = st.text(alphabet=TEXT, max_size=80)
vietnamese_word = st.text(alphabet=LETTERS, min_size=1, max_size=12)


@PROPERTIES
@given(shop_text)
def test_nfc_and_nfd_give_the_same_words_and_the_same_plan(text):
    composed, decomposed = (unicodedata.normalize(form, text) for form in ("NFC", "NFD"))
    assert analysis.words(composed) == analysis.words(decomposed) == analysis.words(text)
    assert analysis.exact_words(composed) == analysis.exact_words(decomposed)
    assert analysis.plan(composed) == analysis.plan(decomposed)


@PROPERTIES
@given(shop_text)
def test_folding_is_idempotent_through_the_analyzer(text):
    folded = analysis.words(text)
    assert analysis.words(fold(text)) == folded
    assert analysis.words(" ".join(folded)) == folded
    assert [fold(word) for word in folded] == folded


@PROPERTIES
@given(st.text(max_size=300))
def test_any_text_gives_words_that_are_never_empty_or_spaced(text):
    for word in analysis.words(text) + analysis.exact_words(text):
        assert word and not any(ch.isspace() for ch in word) and "_" not in word
    plan = analysis.plan(text)
    assert all(alternative for unit in plan.units for alternative in unit.alternatives)
    typed = unicodedata.normalize("NFC", text)[:analysis.MAX_QUERY_LENGTH]
    assert plan.text == " ".join(analysis.words(typed))


@PROPERTIES
@given(st.lists(vietnamese_word, min_size=1, max_size=8))
def test_every_typed_word_is_kept_once_folded_to_ascii_with_d_for_dd(typed):
    words = analysis.words(" ".join(typed))
    assert words == [fold(word) for word in typed]
    assert all(word.isascii() and word.isalpha() for word in words)
    assert not any("đ" in word or "Đ" in word for word in words)
    assert analysis.exact_words(" ".join(typed)) == [unicodedata.normalize("NFC", w).lower() for w in typed]


@PROPERTIES
@given(st.lists(st.sampled_from(LETTERS), min_size=1, max_size=10))
def test_one_letter_words_are_kept(letters):
    assert analysis.words(" ".join(letters)) == [fold(letter) for letter in letters]
    assert all(len(word) == 1 for word in analysis.words(" ".join(letters)))


@given(st.text(alphabet="đĐ", min_size=1, max_size=10))
def test_dd_is_always_d(text):
    assert analysis.words(text) == ["d" * len(text)]
