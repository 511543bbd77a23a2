"""The URL segment of a tag or place label (validate.label_slug): Latin labels keep the a-z slugs they
have always had, labels in any other script keep their own letters."""
import unicodedata

import pytest

from timeline.validate import MAX_SLUG_BYTES, label_slug, label_slug_problem


@pytest.mark.parametrize("label, slug", [
    ("Provincial capitals", "provincial-capitals"),
    ("Mazār-i-Sharīf", "mazar-i-sharif"),
    ("Straße", "strae"),  # as before Unicode slugs: no published URL moves
    ("2021", "2021"),
    ("کابل", "کابل"),
    ("لشکرگاه", "لشکرگاه"),
    ("Провинция Кабул", "провинция-кабул"),
    ("د هلمند ولایت", "د-هلمند-ولایت"),
    ("Kabul کابل", "kabul-کابل"),  # one script besides Latin is enough to keep them all
    ("مزار شریف!", "مزار-شریف"),
    ("坎大哈", "坎大哈"),
    ("हेरात", "हेरात"),  # its vowel sign, a mark, stays inside the word
])
def test_label_slugs(label, slug):
    assert label_slug(label) == slug


def test_two_arabic_labels_differing_only_in_digits_get_two_urls():
    assert label_slug("ولسوالی ۲") != label_slug("ولسوالی ۳")


def test_the_same_label_composed_or_decomposed_has_one_slug():
    written = "Ёлка"
    decomposed = unicodedata.normalize("NFD", written)
    assert decomposed != written and label_slug(decomposed) == label_slug(written) == "ёлка"


def test_case_is_folded_in_every_script():
    assert label_slug("ΑΘΗΝΑ") == label_slug("αθηνα")


def test_a_label_with_nothing_to_spell_a_url_is_refused_with_the_fix():
    assert label_slug("!!! — ...") == ""
    assert "letter or digit (in any script)" in label_slug_problem("")


def test_a_slug_too_long_for_a_folder_name_is_refused():
    slug = label_slug("坎" * 100)  # a place name may have 100 characters
    assert len(slug.encode("utf-8")) > MAX_SLUG_BYTES
    assert "too long for its URL" in label_slug_problem(slug)
    assert label_slug_problem(label_slug("کابل")) is None


def test_labels_alike_once_case_and_composition_are_set_aside_share_one_slug():
    # ΐ, and Ϊ with an acute: case folding decomposes the first, not the second. Two folder names that
    # are one name on a file system that ignores composition (macOS) would be one page there, and two
    # URLs of one label for readers; so the slug is composed again after case folding.
    slug = label_slug("\u0390")
    assert slug == label_slug("\u03aa\u0301") == "\u0390"
    assert unicodedata.normalize("NFC", slug) == slug
