"""Normalising what people type so that it meets the knowledge base half-way.

Phones write the same word many ways: with or without accents, in Arabic or Persian
letter forms, with Arabic-Indic or Persian digits, stretched with tatweel, in capitals.
Both the index and the questions go through the same function.
"""

from __future__ import annotations

import re
import unicodedata

# Arabic and Persian letter variants folded onto one form each, digits onto ASCII,
# tatweel and zero-width joiners removed.
_FOLD = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ـ": None,
        "\u200c": " ",  # ZWNJ joins Persian word parts; treat the parts as words
        "\u200d": None,
        **{chr(0x0660 + digit): str(digit) for digit in range(10)},
        **{chr(0x06F0 + digit): str(digit) for digit in range(10)},
    }
)
_WORD = re.compile(r"\w+")
# The Arabic article and the prepositions glued to it: « السكن » is « سكن ».
_ARABIC_ARTICLE = re.compile(r"^(?:وال|بال|فال|كال|لل|ال)(?=\w{2,})")


def normalise(text: str) -> str:
    """Lower case, no diacritics, one form per Arabic-script letter, ASCII digits."""
    folded = text.casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", folded)
    # Combining marks carry accents (é), Arabic short vowels and Cyrillic breves alike.
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", bare)


def words(text: str) -> list[str]:
    """The normalised words of a text, Arabic articles stripped."""
    found = _WORD.findall(normalise(text).replace("_", " "))
    return [_ARABIC_ARTICLE.sub("", word) for word in found]
