"""Words that frame a question without saying what it is about, in the eight languages.

« Comment faire pour… », « how do I… », « كيف… », « ከመይ… »: they are in every question and
in few entries, so a search engine would take them for rare, telling words and rank an
entry that happens to contain « comment » above the one about the subject. They are
removed from questions (never from entries). Subject words such as « aide », « help »,
« документы » are not here. Written in plain spelling; `words()` normalises them the
same way as the questions.
"""

from __future__ import annotations

QUESTION_WORDS: dict[str, str] = {
    "fr": (
        "comment cmt koman faire fait fais quoi que qu quel quelle quels quelles où ou quand "
        "pourquoi est ce je j jai ai me m moi mon ma mes il elle on faut veux voudrais veut "
        "besoin peux puis peut bonjour bonsoir svp stp merci slt salut le la les l un une des "
        "de d du à a au aux pour sur avec dans en y et c ça ca si"
    ),
    "en": (
        "how what where when why who which can could would i i'm im me my do does did get "
        "need want please pls plz hello hi thanks thank you is are am the a an to for of in "
        "on with there should it and or if"
    ),
    "ar": (
        "كيف كيفاش شلون ماذا ما شو ايش وش وين أين فين متى ليش لماذا هل انا أنا اريد أريد "
        "بدي عايز عاوز ابغى ممكن من في على عن الى إلى مع لو سمحت شكرا مرحبا السلام عليكم "
        "يا هذا هذه هاد و او أو"
    ),
    "fa": (
        "چطور چطو چگونه چی چه چیست کجا کجاست کی کدام چرا آیا من میخواهم میخوام میخایم لطفا "
        "سلام تشکر ممنون را رو ره به از در ده که این اون او هست است استم میشه میتوانم "
        "میتانم میتونم باید و یا"
    ),
    "ps": (
        "څنګه څه چیرته چېرته چرته کله ولې ولی زه زما غواړم وغواړم مهرباني مهربانی سلام "
        "مننه د په له ته او دی ده کې کی شم کولای وکړم یا"
    ),
    "ti": "ከመይ እንታይ ኣበይ መዓስ ስለምንታይ ኣነ ይደሊ ደልየ በጃኹም ሰላም የቐንየለይ ኣብ ናብ ካብ ን እዩ ድዩ ኣሎ ዘሎ እሞ",
    "ru": (
        "как что где когда почему зачем куда я мне меня мой моя мои можно нужно надо хочу "
        "пожалуйста здравствуйте привет спасибо это в на с и или для по у ли а"
    ),
    "uk": (
        "як що де коли чому навіщо куди я мені мене мій моя мої можна треба потрібно хочу "
        "будь ласка привіт вітаю дякую це в у на з і й та або для по чи а"
    ),
}
