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


# Ethiopic syllables come in rows of eight: one consonant, its seven vowels (and a
# labialised form). Tigrinya is a Semitic language: its words change their vowels as
# they inflect (« ምዝገባ », « ክምዝገብ »), so words are compared on their consonants, as
# Arabic is without its short vowels. Letters that Amharic spelling uses for the same
# sound (ሠ ኀ ፀ) meet the Tigrinya ones (ሰ ሐ ጸ).
_ETHIOPIC = range(0x1200, 0x1380)
_ETHIOPIC_SAME_SOUND = {0x1220: 0x1230, 0x1280: 0x1210, 0x1340: 0x1338}


def _consonant(character: str) -> str:
    row = 0x1200 + (ord(character) - 0x1200) // 8 * 8
    return chr(_ETHIOPIC_SAME_SOUND.get(row, row))


# One translation table, applied in C: combining marks (accents, Arabic short vowels,
# Cyrillic breves) removed, Ethiopic syllables brought to their consonant.
_BARE = str.maketrans(
    {
        **{code: None for code in range(0x0300, 0x2000) if unicodedata.combining(chr(code))},
        **{
            code: _consonant(chr(code))
            for code in _ETHIOPIC
            if unicodedata.category(chr(code)).startswith("L")
        },
    }
)


def normalise(text: str) -> str:
    """Lower case, no diacritics, one form per Arabic-script letter, Ethiopic consonants,
    ASCII digits."""
    folded = text.casefold().translate(_FOLD)
    bare = unicodedata.normalize("NFKD", folded).translate(_BARE)
    return unicodedata.normalize("NFKC", bare)


def words(text: str) -> list[str]:
    """The normalised words of a text, Arabic articles stripped."""
    found = _WORD.findall(normalise(text).replace("_", " "))
    return [_ARABIC_ARTICLE.sub("", word) for word in found]
