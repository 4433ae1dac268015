"""Sample live fiches for the refugies.info emulator: the mirror's tests and the demo's data.

Written for the tests, not taken from the platform: short texts in several languages, one
fiche with no Pashto translation, one about housing translated into Arabic, one whose HTML
is hostile (script, event attributes, javascript: and relative links, nested lists, entities,
an unclosed tag), one online, one of our own structure, and one for another département.
Ids and dates are fixed so that a recording of the mirror is the same every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.sync.refugies_emulator import RefugiesEmulator

FRENCH_CLASSES = "5a0000000000000000000001"
SOCIAL_HOUSING = "5a0000000000000000000002"
RIGHTS_DESK = "5a0000000000000000000003"
JOB_SEARCH = "5a0000000000000000000004"
OURS = "5a0000000000000000000005"
PARIS_ONLY = "5a0000000000000000000006"
EXAMPLE_STRUCTURE = "5a00000000000000000000e1"
# The structure our publisher writes under, in the demo's recording.
DEMO_OUR_STRUCTURE = "5a00000000000000000000c1"

THEME_HOUSING = "63286a015d31b2c0cad9960c"
THEME_PAPERS = "63286a015d31b2c0cad9960b"
THEME_FRENCH = "63286a015d31b2c0cad9960a"
THEME_WORK = "63286a015d31b2c0cad9960e"
THEME_LEISURE = "63286a015d31b2c0cad99615"

COTE_D_OR = ["21 - Côte-d'Or"]
HOUSING_SITE = (
    '<a href="https://www.demande-logement-social.gouv.fr">demande-logement-social.gouv.fr</a>'
)

# Section keys: the platform's uuids, fixed here.
K1 = "7f0c6c0e-6d4b-4a4e-9a43-000000000001"
K2 = "7f0c6c0e-6d4b-4a4e-9a43-000000000002"
K3 = "7f0c6c0e-6d4b-4a4e-9a43-000000000003"
K4 = "7f0c6c0e-6d4b-4a4e-9a43-000000000004"
K5 = "7f0c6c0e-6d4b-4a4e-9a43-000000000005"


def _p(text: str) -> str:
    return f"<p>{text}</p>"


def _classes(
    title: str,
    brand: str,
    abstract: str,
    what: str,
    why: tuple[tuple[str, str], tuple[str, str], tuple[str, str]],
    how: tuple[str, str],
) -> dict[str, Any]:
    return {
        "titreInformatif": title,
        "titreMarque": brand,
        "abstract": abstract,
        "what": _p(what),
        "why": {
            key: {"title": t, "text": _p(x)} for key, (t, x) in zip((K1, K2, K3), why, strict=True)
        },
        "how": {K4: {"title": how[0], "text": _p(how[1])}},
    }


FRENCH_CLASSES_TEXTS: dict[str, dict[str, Any]] = {
    "fr": _classes(
        "Cours de français pour adultes",
        "Parlons ensemble",
        "Des cours de français en petit groupe, pour débuter ou progresser.",
        "Des bénévoles donnent des cours de français aux adultes qui arrivent en France.",
        (
            (
                "Parler au quotidien",
                "Vous apprenez les mots des courses, du médecin et des transports.",
            ),
            ("Écrire", "Vous apprenez à lire et à remplir un formulaire."),
            ("Rencontrer des gens", "Les cours sont en petit groupe."),
        ),
        ("S'inscrire", "Venez à une permanence d'inscription avec une pièce d'identité."),
    ),
    "en": _classes(
        "French classes for adults",
        "Let's talk together",
        "French classes in small groups, for beginners or to improve.",
        "Volunteers teach French to adults who have just arrived in France.",
        (
            ("Everyday French", "You learn the words for shopping, the doctor and transport."),
            ("Writing", "You learn to read and to fill in a form."),
            ("Meeting people", "Classes are in small groups."),
        ),
        ("Signing up", "Come to a registration session with an identity document."),
    ),
    "ar": _classes(
        "دروس اللغة الفرنسية للبالغين",
        "لنتحدث معًا",
        "دروس في اللغة الفرنسية ضمن مجموعات صغيرة، للمبتدئين أو للتقدّم.",
        "يقدّم متطوعون دروسًا في اللغة الفرنسية للبالغين الذين وصلوا حديثًا إلى فرنسا.",
        (
            ("التحدث في الحياة اليومية", "تتعلّم كلمات التسوّق والطبيب والمواصلات."),
            ("الكتابة", "تتعلّم القراءة وملء استمارة."),
            ("التعرّف على الناس", "الدروس ضمن مجموعات صغيرة."),
        ),
        ("التسجيل", "تعال إلى موعد التسجيل ومعك وثيقة هوية."),
    ),
    "fa": _classes(
        "کلاس‌های زبان فرانسوی برای بزرگسالان",
        "با هم حرف بزنیم",
        "کلاس‌های زبان فرانسوی در گروه‌های کوچک، برای شروع یا پیشرفت.",
        "داوطلبان به بزرگسالانی که تازه به فرانسه آمده‌اند زبان فرانسوی یاد می‌دهند.",
        (
            ("صحبت در زندگی روزمره", "کلمات خرید، پزشک و حمل‌ونقل را یاد می‌گیرید."),
            ("نوشتن", "خواندن و پر کردن فرم را یاد می‌گیرید."),
            ("آشنایی با مردم", "کلاس‌ها در گروه‌های کوچک است."),
        ),
        ("ثبت‌نام", "با یک مدرک شناسایی به جلسهٔ ثبت‌نام بیایید."),
    ),
    "ps": _classes(
        "د لویانو لپاره د فرانسوي ژبې ټولګي",
        "راځئ چې یوځای خبرې وکړو",
        "په کوچنیو ډلو کې د فرانسوي ژبې ټولګي، د پیل یا پرمختګ لپاره.",
        "رضاکاران هغو لویانو ته فرانسوي ژبه ښيي چې نوي فرانسې ته راغلي دي.",
        (
            ("ورځنۍ خبرې", "تاسو د پېرود، ډاکټر او ترانسپورت کلمې زده کوئ."),
            ("لیکل", "تاسو لوستل او د فورمې ډکول زده کوئ."),
            ("له خلکو سره پېژندګلوي", "ټولګي په کوچنیو ډلو کې دي."),
        ),
        ("نوم لیکنه", "د پېژندنې سند سره د نوم لیکنې ناستې ته راشئ."),
    ),
    "ti": _classes(
        "ንዓበይቲ ትምህርቲ ቋንቋ ፈረንሳ",
        "ብሓባር ንዘራረብ",
        "ኣብ ንኣሽቱ ጉጅለታት ትምህርቲ ቋንቋ ፈረንሳ፡ ንምጅማር ወይ ንምምሕያሽ።",
        "ወለንተኛታት ንሓደሽቲ ናብ ፈረንሳ ዝመጹ ዓበይቲ ቋንቋ ፈረንሳ ይምህሩ።",
        (
            ("ናይ መዓልቲ ምዝርራብ", "ቃላት ዕድጊ፡ ሓኪምን መጓዓዝያን ትመሃሩ።"),
            ("ምጽሓፍ", "ምንባብን ቅጥዒ ምምላእን ትመሃሩ።"),
            ("ሰባት ምፍላጥ", "እቲ ትምህርቲ ኣብ ንኣሽቱ ጉጅለታት እዩ።"),
        ),
        ("ምምዝጋብ", "ምስ መንነት ሰነድ ናብ ናይ ምዝገባ እዋን ንዑ።"),
    ),
    "ru": _classes(
        "Курсы французского языка для взрослых",
        "Говорим вместе",
        "Курсы французского в небольших группах — для начинающих и продолжающих.",
        "Волонтёры преподают французский язык взрослым, которые недавно приехали во Францию.",
        (
            ("Повседневная речь", "Вы учите слова для магазина, врача и транспорта."),
            ("Письмо", "Вы учитесь читать и заполнять бланки."),
            ("Знакомства", "Занятия проходят в небольших группах."),
        ),
        ("Запись", "Приходите на запись с документом, удостоверяющим личность."),
    ),
    "uk": _classes(
        "Курси французької мови для дорослих",
        "Говорімо разом",
        "Курси французької в невеликих групах — для початківців і тих, хто хоче вдосконалитися.",
        "Волонтери викладають французьку мову дорослим, які нещодавно приїхали до Франції.",
        (
            ("Повсякденне спілкування", "Ви вивчаєте слова для магазину, лікаря і транспорту."),
            ("Письмо", "Ви вчитеся читати й заповнювати бланки."),
            ("Знайомства", "Заняття проходять у невеликих групах."),
        ),
        ("Запис", "Приходьте на запис із документом, що посвідчує особу."),
    ),
}


def _housing(
    title: str,
    abstract: str,
    what: str,
    documents: tuple[str, str, str],
    apply: tuple[str, str],
    renew: tuple[str, str],
) -> dict[str, Any]:
    heading, permit, tax = documents
    return {
        "titreInformatif": title,
        "titreMarque": "",
        "abstract": abstract,
        "what": _p(what),
        "how": {
            K1: {"title": heading, "text": f"<ul><li>{permit}</li><li>{tax}</li></ul>"},
            K2: {"title": apply[0], "text": _p(apply[1].format(site=HOUSING_SITE))},
        },
        "next": {K3: {"title": renew[0], "text": _p(renew[1])}},
    }


# No Pashto: the platform has no translation of this one in `ps`.
SOCIAL_HOUSING_TEXTS: dict[str, dict[str, Any]] = {
    "fr": _housing(
        "Demander un logement social",
        "Faire sa demande en ligne, puis la renouveler chaque année.",
        "Un logement social a un loyer moins cher. Il faut faire une demande.",
        ("Préparer vos documents", "Votre titre de séjour", "Votre dernier avis d'impôt"),
        ("Faire la demande", "En ligne sur {site}."),
        ("Renouveler chaque année", "Sans renouvellement, la demande est annulée."),
    ),
    "en": _housing(
        "Applying for social housing",
        "Apply online, then renew your application every year.",
        "Social housing has a lower rent. You need to apply.",
        ("Prepare your documents", "Your residence permit", "Your latest tax notice"),
        ("Apply", "Online at {site}."),
        ("Renew every year", "Without renewal, the application is cancelled."),
    ),
    "ar": _housing(
        "طلب سكن اجتماعي",
        "قدّم طلبك عبر الإنترنت، ثم جدّده كل سنة.",
        "إيجار السكن الاجتماعي أقل. يجب تقديم طلب.",
        ("جهّز وثائقك", "بطاقة الإقامة", "آخر إشعار ضريبي"),
        ("قدّم الطلب", "عبر الإنترنت على {site}."),
        ("جدّد كل سنة", "إذا لم تجدّد الطلب، يُلغى."),
    ),
    "fa": _housing(
        "درخواست مسکن اجتماعی",
        "درخواست خود را آنلاین ثبت کنید و هر سال آن را تمدید کنید.",
        "اجارهٔ مسکن اجتماعی ارزان‌تر است. باید درخواست بدهید.",
        ("مدارک خود را آماده کنید", "کارت اقامت", "آخرین برگهٔ مالیات"),
        ("درخواست بدهید", "به‌صورت آنلاین در {site}."),
        ("هر سال تمدید کنید", "اگر تمدید نکنید، درخواست لغو می‌شود."),
    ),
    "ti": _housing(
        "ናይ ማሕበራዊ ገዛ ምሕታት",
        "ሕቶኹም ብኢንተርነት ኣቕርቡ፡ ድሕሪኡ ኣብ ዓመት ሓደ ግዜ ኣሐድሱዎ።",
        "ማሕበራዊ ገዛ ዝሓሰረ ክራይ ኣለዎ። ሕቶ ከተቕርቡ ኣለኩም።",
        ("ሰነዳትኩም ኣዳልዉ", "ናይ መንበሪ ፍቓድኩም", "ናይ መወዳእታ ግብሪ ወረቐት"),
        ("ሕቶ ኣቕርቡ", "ብኢንተርነት ኣብ {site}።"),
        ("ኣብ ዓመት ኣሐድሱ", "እንተዘይኣሐደስኩም እቲ ሕቶ ይስረዝ።"),
    ),
    "ru": _housing(
        "Заявка на социальное жильё",
        "Подайте заявку онлайн и продлевайте её каждый год.",
        "Социальное жильё дешевле. Нужно подать заявку.",
        ("Подготовьте документы", "Вид на жительство", "Последнее налоговое уведомление"),
        ("Подайте заявку", "Онлайн на {site}."),
        ("Продлевайте каждый год", "Без продления заявка аннулируется."),
    ),
    "uk": _housing(
        "Заява на соціальне житло",
        "Подайте заяву онлайн і поновлюйте її щороку.",
        "Соціальне житло дешевше. Потрібно подати заяву.",
        ("Підготуйте документи", "Посвідка на проживання", "Останнє податкове повідомлення"),
        ("Подайте заяву", "Онлайн на {site}."),
        ("Поновлюйте щороку", "Без поновлення заяву скасовують."),
    ),
}

# What a careless editor, an old import or a malicious contributor might leave in a fiche.
HOSTILE_WHAT = (
    '<p style="color:red" onclick="steal()">Aide pour vos <b>papiers</b> &amp; vos '
    "<i>droits.</p>"
    '<script>alert("cookies")</script><style>p { display: none }</style>'
    "<ul><li>CAF<ul><li>RSA</li><li>APL</li></ul></li><li>Santé</li></ul>"
    '<p>Plus d\'infos <a href="javascript:alert(1)">ici</a> ou '
    f'<a href="/fr/demarche/{SOCIAL_HOUSING}" target="_blank">sur la fiche logement</a>. '
    'Écrivez à <a href="mailto:accueil@exemple.org">l\'accueil</a>.</p>'
    '<iframe src="https://tracker.example/"></iframe>'
    "<p>Texte &lt;b&gt;non balisé&lt;/b&gt; &amp; émoji 🙂<img src=x onerror=alert(1)></p>"
)
RIGHTS_DESK_TEXTS: dict[str, dict[str, Any]] = {
    "fr": {
        "titreInformatif": "Permanence d'accès aux droits",
        "titreMarque": "Droits <b>pour tous</b>",
        "abstract": "<p>Une aide pour vos <i>démarches</i> : CAF, santé, papiers.</p>",
        "what": HOSTILE_WHAT,
        "why": {
            K1: {
                "title": "Comprendre un courrier",
                "text": "<p>On vous lit et explique vos courriers.</p>",
            },
            K2: {
                "title": "Remplir un dossier",
                "text": "<ol><li>Apportez le dossier</li><li>On le remplit avec vous</li></ol>",
            },
            K3: {"title": "<b>Être orienté</b>", "text": '<p data-x="1">Vers le bon service.</p>'},
        },
        "how": {
            K4: {
                "title": "Venir sans rendez-vous",
                "text": "<p>Le mardi matin.<br>Apportez vos papiers.</p>",
            }
        },
    },
    "en": {
        "titreInformatif": "Rights advice desk",
        "titreMarque": "Rights for all",
        "abstract": "Help with your paperwork: CAF, health, residence papers.",
        "what": "<p>Help with your <b>papers</b> &amp; your rights.</p><script>alert(1)</script>",
        "why": {
            K1: {
                "title": "Understanding a letter",
                "text": "<p>We read and explain your letters.</p>",
            },
            K2: {"title": "Filling in a form", "text": "<p>We fill it in with you.</p>"},
            K3: {"title": "Finding the right office", "text": "<p>We tell you where to go.</p>"},
        },
        "how": {K4: {"title": "Walk in", "text": "<p>On Tuesday mornings.</p>"}},
    },
}


def _job(
    title: str, abstract: str, what: str, why: tuple[tuple[str, str], ...], how: tuple[str, str]
) -> dict[str, Any]:
    return {
        "titreInformatif": title,
        "titreMarque": "Cap emploi en ligne",
        "abstract": abstract,
        "what": _p(what),
        "why": {
            key: {"title": t, "text": _p(x)} for key, (t, x) in zip((K1, K2, K3), why, strict=True)
        },
        "how": {K4: {"title": how[0], "text": _p(how[1])}},
    }


JOB_SEARCH_TEXTS: dict[str, dict[str, Any]] = {
    "fr": _job(
        "Préparer sa recherche d'emploi",
        "Des ateliers en ligne pour écrire son CV et préparer un entretien.",
        "Des ateliers en visio, une fois par semaine.",
        (
            ("Écrire son CV", "Un CV clair, en français."),
            ("Préparer un entretien", "On s'entraîne à se présenter."),
            ("Chercher des offres", "Les bons sites pour trouver un travail."),
        ),
        ("Participer", "Il faut un téléphone ou un ordinateur."),
    ),
    "uk": _job(
        "Підготовка до пошуку роботи",
        "Онлайн-заняття: як написати резюме і підготуватися до співбесіди.",
        "Заняття по відеозв'язку, раз на тиждень.",
        (
            ("Написати резюме", "Зрозуміле резюме французькою."),
            ("Підготуватися до співбесіди", "Ми тренуємося представляти себе."),
            ("Шукати вакансії", "Корисні сайти для пошуку роботи."),
        ),
        ("Участь", "Потрібен телефон або комп'ютер."),
    ),
    "ru": _job(
        "Подготовка к поиску работы",
        "Онлайн-занятия: как написать резюме и подготовиться к собеседованию.",
        "Занятия по видеосвязи, раз в неделю.",
        (
            ("Написать резюме", "Понятное резюме на французском."),
            ("Подготовиться к собеседованию", "Мы учимся представлять себя."),
            ("Искать вакансии", "Полезные сайты для поиска работы."),
        ),
        ("Участие", "Нужен телефон или компьютер."),
    ),
}

OURS_TEXT: dict[str, Any] = {
    "titreInformatif": "Être accompagné pour s'installer dans la métropole de Dijon",
    "titreMarque": "Ensemble !",
    "abstract": "Un accompagnement pour comprendre la vie en France.",
    "what": _p(
        "« Ensemble ! » accompagne des personnes qui s'installent dans la métropole de Dijon."
    ),
    "why": {
        K1: {"title": "Préparer votre installation", "text": _p("L'équipe vous aide.")},
        K2: {"title": "Comprendre la vie en France", "text": _p("La vie de tous les jours.")},
        K3: {"title": "Savoir à qui vous adresser", "text": _p("Les bons services.")},
    },
    "how": {K4: {"title": "Joindre l'équipe", "text": _p("Voir l'annuaire de refugies.info.")}},
}

PARIS_TEXT: dict[str, Any] = {
    "titreInformatif": "Aide aux démarches à Paris",
    "titreMarque": "Paris accueil",
    "abstract": "Pour les personnes qui vivent à Paris.",
    "what": _p("Une permanence à Paris."),
    "why": {K5: {"title": "Pour qui ?", "text": _p("Les habitants de Paris.")}},
    "how": {K4: {"title": "Venir", "text": _p("Sans rendez-vous.")}},
}

SAMPLE_SPONSOR = "Association d'exemple (données de démonstration)"


@dataclass(frozen=True)
class Seeded:
    our_structure: str
    live_in_county: tuple[str, ...]


def _others(texts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {lang: text for lang, text in texts.items() if lang != "fr"}


def seed_sample_fiches(emulator: RefugiesEmulator, our_structure: str | None = None) -> Seeded:
    """The sample fiches, live on the emulated platform; `our_structure`: the structure our
    publisher writes under (one of the samples is its own), made if not given."""
    if our_structure is None:
        our_structure = DEMO_OUR_STRUCTURE
    if our_structure not in emulator.structures:
        emulator.add_structure("CESAM", our_structure)
    if EXAMPLE_STRUCTURE not in emulator.structures:
        emulator.add_structure(SAMPLE_SPONSOR, EXAMPLE_STRUCTURE)
    audience = {
        "publicStatus": ["refugie", "subsidiaire", "apatride", "temporaire"],
        "frenchLevel": ["alpha", "A1"],
        "public": None,
        "age": {"type": "moreThan", "ages": [18]},
        "price": None,
    }
    emulator.add_live_fiche(
        FRENCH_CLASSES,
        "dispositif",
        FRENCH_CLASSES_TEXTS["fr"],
        translations=_others(FRENCH_CLASSES_TEXTS),
        metadatas={**audience, "location": COTE_D_OR},
        theme=THEME_FRENCH,
        secondary_themes=[THEME_LEISURE],
        sponsor=EXAMPLE_STRUCTURE,
        last_modified="2024-09-02T08:30:00.000Z",
    )
    emulator.add_live_fiche(
        SOCIAL_HOUSING,
        "demarche",
        SOCIAL_HOUSING_TEXTS["fr"],
        translations=_others(SOCIAL_HOUSING_TEXTS),
        metadatas={"location": "france", "publicStatus": None, "public": []},
        theme=THEME_HOUSING,
        secondary_themes=[THEME_PAPERS],
        last_modified="2024-06-14T12:00:00.000Z",
    )
    emulator.add_live_fiche(
        RIGHTS_DESK,
        "dispositif",
        RIGHTS_DESK_TEXTS["fr"],
        translations=_others(RIGHTS_DESK_TEXTS),
        metadatas={"location": COTE_D_OR, "publicStatus": ["refugie", "subsidiaire"]},
        theme=THEME_PAPERS,
        secondary_themes=[THEME_HOUSING, THEME_PAPERS],
        sponsor=EXAMPLE_STRUCTURE,
        last_modified="2024-01-20T15:45:00.000Z",
    )
    emulator.add_live_fiche(
        JOB_SEARCH,
        "dispositif",
        JOB_SEARCH_TEXTS["fr"],
        translations=_others(JOB_SEARCH_TEXTS),
        metadatas={"location": "online", "age": {"type": "between", "ages": [18, 65]}},
        theme=THEME_WORK,
        sponsor=EXAMPLE_STRUCTURE,
        last_modified="2024-04-05T09:00:00.000Z",
    )
    emulator.add_live_fiche(
        OURS,
        "dispositif",
        OURS_TEXT,
        metadatas={"location": COTE_D_OR, "publicStatus": ["refugie", "subsidiaire", "apatride"]},
        theme=THEME_LEISURE,
        sponsor=our_structure,
        last_modified="2024-10-01T07:00:00.000Z",
    )
    emulator.add_live_fiche(
        PARIS_ONLY,
        "dispositif",
        PARIS_TEXT,
        metadatas={"location": ["75 - Paris"]},
        theme=THEME_PAPERS,
        sponsor=EXAMPLE_STRUCTURE,
        last_modified="2024-02-01T10:00:00.000Z",
    )
    return Seeded(our_structure, (FRENCH_CLASSES, SOCIAL_HOUSING, RIGHTS_DESK, JOB_SEARCH, OURS))
