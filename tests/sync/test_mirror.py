"""The fiches mirror against the emulated platform: what it reads and how, what it stores,
what a second run writes, and what a failure leaves behind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select

from bot.emulator.entities import parse_html
from bot.storage.listings import ListingRepository
from bot.storage.platform_fiches import PlatformFicheRepository, platform_fiches
from sync import mirror
from sync.client import Backoff, Pace, RefugiesInfoClient
from sync.mirror import FicheMirror, MirrorReport
from sync.programme import Programme
from tests.sync.conftest import FakeClock, Waits, Wiring, utc_now
from tests.sync.refugies_emulator import ACTIVE, DELETED, SITE_SECRET, RefugiesEmulator
from tests.sync.sample_fiches import (
    FRENCH_CLASSES,
    JOB_SEARCH,
    OURS,
    PARIS_ONLY,
    RIGHTS_DESK,
    SOCIAL_HOUSING,
    THEME_HOUSING,
    Seeded,
    seed_sample_fiches,
)

COUNTY = "Côte-d'Or"
UTC = ZoneInfo("UTC")


@dataclass
class Mirrors:
    refugies: RefugiesEmulator
    engine: Engine
    seeded: Seeded
    waits: Waits
    clock: FakeClock = field(default_factory=FakeClock)
    clients: list[RefugiesInfoClient] = field(default_factory=list)

    @property
    def repository(self) -> PlatformFicheRepository:
        return PlatformFicheRepository(self.engine)

    def mirror(self, *, site_secret: str = SITE_SECRET) -> FicheMirror:
        client = RefugiesInfoClient(
            self.refugies.base_url,
            site_secret=SecretStr(site_secret),
            timeout=2.0,
            backoff=Backoff(base=1.0, cap=30.0),
            sleep=self.waits,
            pace=Pace(1 / mirror.REQUESTS_PER_SECOND, clock=self.clock, sleep=self.clock.sleep),
            user_agent=mirror.USER_AGENT,
        )
        self.clients.append(client)
        listings = ListingRepository(self.engine)
        return FicheMirror(
            client,
            self.repository,
            COUNTY,
            our_fiche_ids=lambda: [item.fiche_id for item in listings.all() if item.fiche_id],
            our_structure_id=None,
            clock=utc_now,
        )

    def run(self, **options: str) -> MirrorReport:
        return self.mirror(**options).run()


@pytest.fixture
def mirrors(refugies: RefugiesEmulator, engine: Engine, waits: Waits) -> Iterator[Mirrors]:
    seeded = seed_sample_fiches(refugies)
    made = Mirrors(refugies, engine, seeded, waits)
    yield made
    for client in made.clients:
        client.close()


def _stored_at(engine: Engine) -> dict[str, object]:
    with engine.connect() as connection:
        rows = connection.execute(select(platform_fiches.c.id, platform_fiches.c.stored_at))
        return {row.id: row.stored_at for row in rows}


def test_a_run_stores_the_countys_fiches_in_each_language_they_exist_in(
    mirrors: Mirrors,
) -> None:
    report = mirrors.run()
    assert report.ok, report.error
    repository = mirrors.repository
    stored = {fiche.id: fiche for fiche in repository.all(include_ours=True)}
    # Its own département's, and those for all of France or online; not Paris's.
    assert set(stored) == {FRENCH_CLASSES, SOCIAL_HOUSING, RIGHTS_DESK, JOB_SEARCH, OURS}
    assert PARIS_ONLY not in stored

    housing = stored[SOCIAL_HOUSING]
    arabic = housing.texts["ar"]
    assert arabic.translated
    assert arabic.title == "طلب سكن اجتماعي"
    assert arabic.summary == "قدّم طلبك عبر الإنترنت، ثم جدّده كل سنة."
    assert arabic.url == f"https://refugies.info/ar/procedure/{SOCIAL_HOUSING}"
    assert [section.part for section in arabic.sections] == ["what", "how", "how", "next"]
    assert arabic.sections[1].html == "• بطاقة الإقامة\n• آخر إشعار ضريبي"
    assert housing.theme_id == THEME_HOUSING
    assert housing.kind == "demarche"
    assert housing.location == "france"
    # No Pashto translation on the platform: recorded as such, nothing in its place.
    assert housing.texts["ps"].translated is False
    assert housing.texts["ps"].title is None
    assert housing.languages == ("fr", "en", "ar", "fa", "ti", "ru", "uk")
    assert [fiche.id for fiche in repository.by_theme(THEME_HOUSING)] == [
        SOCIAL_HOUSING,
        RIGHTS_DESK,
    ]

    classes = stored[FRENCH_CLASSES]
    assert classes.languages == ("fr", "en", "ar", "fa", "ps", "ti", "ru", "uk")
    assert classes.texts["fr"].url == f"https://refugies.info/fr/dispositif/{FRENCH_CLASSES}"
    assert classes.texts["fa"].url == f"https://refugies.info/fa/program/{FRENCH_CLASSES}"
    assert classes.audience["publicStatus"] == ["refugie", "subsidiaire", "apatride", "temporaire"]
    assert classes.location == ("21 - Côte-d'Or",)
    assert classes.sponsor_name == "Association d'exemple (données de démonstration)"
    assert classes.last_modified is not None
    assert classes.last_modified.isoformat() == "2024-09-02T08:30:00+00:00"
    assert report.translated() == {
        "fr": 5, "en": 3, "ar": 2, "fa": 2, "ps": 1, "ti": 2, "ru": 3, "uk": 3,
    }  # fmt: skip


def test_it_only_reads_with_the_site_secret_never_a_token_and_says_who_it_is(
    mirrors: Mirrors,
) -> None:
    mirrors.run()
    calls = mirrors.refugies.requests
    assert calls
    assert {call.method for call in calls} == {"GET"}
    assert all(
        "x-access-token" not in c.headers and "authorization" not in c.headers for c in calls
    )
    assert {call.headers["user-agent"] for call in calls} == {mirror.USER_AGENT}
    listed = mirrors.refugies.calls_to("GET /dispositifs/getContentsForApp")
    assert len(listed) == 1
    assert "site-secret" not in listed[0].headers  # a public route: no secret sent
    fiches = mirrors.refugies.calls_to("GET /dispositifs/{id}")
    assert all(call.headers["site-secret"] == SITE_SECRET for call in fiches)
    # French for each of the 5 fiches, then only the languages each is translated into.
    assert len(fiches) == 5 + (7 + 6 + 1 + 2 + 0)


def test_requests_go_at_most_four_a_second(mirrors: Mirrors) -> None:
    mirrors.run()
    requests = len(mirrors.refugies.requests)
    assert mirrors.clock.waits == [pytest.approx(0.25)] * (requests - 1)
    assert mirrors.waits.seconds == []  # no retry was needed


def test_a_second_run_with_nothing_changed_writes_nothing(mirrors: Mirrors) -> None:
    first = mirrors.run()
    assert first.changes is not None
    assert len(first.changes.written) == 5
    before = _stored_at(mirrors.engine)

    second = mirrors.run()
    assert second.ok
    assert second.changes is not None
    assert second.changes.nothing
    assert second.changes.unchanged == 5
    assert _stored_at(mirrors.engine) == before
    assert "0 written, 0 removed, 5 unchanged" in mirror.summary_line(second, UTC)


def test_a_new_translation_rewrites_that_fiche_only_and_a_gone_fiche_is_removed(
    mirrors: Mirrors,
) -> None:
    mirrors.run()
    before = _stored_at(mirrors.engine)
    mirrors.refugies.translate_on_platform(
        SOCIAL_HOUSING,
        "ps",
        titreInformatif="د ټولنیز کور غوښتنه",
        titreMarque="",
        abstract="خپله غوښتنه آنلاین ثبت کړئ.",
        what="<p>ټولنیز کور ارزانه کرایه لري.</p>",
    )
    mirrors.refugies.delete_on_platform(JOB_SEARCH)

    report = mirrors.run()
    assert report.changes is not None
    assert report.changes.written == (SOCIAL_HOUSING,)
    assert report.changes.removed == (JOB_SEARCH,)
    after = _stored_at(mirrors.engine)
    assert after[FRENCH_CLASSES] == before[FRENCH_CLASSES]
    assert JOB_SEARCH not in after
    housing = mirrors.repository.get(SOCIAL_HOUSING)
    assert housing is not None
    assert housing.texts["ps"].title == "د ټولنیز کور غوښتنه"


def test_a_platform_failure_mid_run_leaves_the_previous_mirror_in_use(mirrors: Mirrors) -> None:
    mirrors.run()
    kept = mirrors.repository.all(include_ours=True)
    before = _stored_at(mirrors.engine)
    mirrors.refugies.translate_on_platform(FRENCH_CLASSES, "en", titreInformatif="Changed")
    mirrors.refugies.fail_after(6)  # the platform goes down after six more calls

    report = mirrors.run()
    assert not report.ok
    assert report.error is not None
    assert "500 Internal Server Error" in report.error
    assert mirrors.waits.seconds == [1.0, 2.0, 4.0]  # retried with backoff, then given up
    assert mirrors.repository.all(include_ours=True) == kept
    assert _stored_at(mirrors.engine) == before
    run = mirrors.repository.last_run(COUNTY)
    assert run is not None
    assert run.last_error == report.error
    assert run.last_success_at is not None
    line = mirror.summary_line(report, UTC)
    assert f"failed: {report.error}; the previous mirror is kept (5 fiches" in line
    assert f"last complete run: {run.last_success_at:%Y-%m-%d %H:%M})" in line

    mirrors.refugies.recover()
    assert mirrors.run().ok


def test_an_empty_list_is_taken_for_a_fault_not_for_the_end_of_every_fiche(
    mirrors: Mirrors,
) -> None:
    mirrors.run()
    for fiche_id in list(mirrors.refugies.fiches):
        mirrors.refugies.moderate(fiche_id, DELETED)
    report = mirrors.run()
    assert not report.ok
    assert report.error is not None
    assert "listed no fiche for Côte-d'Or" in report.error
    assert len(mirrors.repository.all(include_ours=True)) == 5


def test_a_fiche_gone_between_the_list_and_its_page_is_left_out(mirrors: Mirrors) -> None:
    mirrors.refugies.fail_next("GET /dispositifs/{id}", 404, message="Dispositif not found")
    report = mirrors.run()
    assert report.ok
    assert len(report.fiches) == 4
    assert any("is no longer public" in note for note in report.notes)


def test_every_fiche_listed_but_none_opened_keeps_the_mirror(mirrors: Mirrors) -> None:
    mirrors.run()
    mirrors.refugies.fail_after(0, route="GET /dispositifs/{id}", status=404)
    report = mirrors.run()
    mirrors.refugies.recover()
    assert not report.ok
    assert report.error is not None
    assert "none could be opened" in report.error
    assert len(mirrors.repository.all(include_ours=True)) == 5


def test_hostile_html_is_stored_as_safe_telegram_html(mirrors: Mirrors) -> None:
    mirrors.run()
    desk = mirrors.repository.get(RIGHTS_DESK)
    assert desk is not None
    french = desk.texts["fr"]
    assert french.brand == "Droits pour tous"
    assert french.summary == "Une aide pour vos démarches : CAF, santé, papiers."
    for section in french.sections:
        parse_html(section.html)
        for unwanted in ("script", "javascript", "onclick", "iframe", "onerror", "style"):
            assert unwanted not in section.html.lower()
    what = french.sections[0].html
    # The `<i>` left open ends with its paragraph; the nested list is indented.
    assert what.startswith("Aide pour vos <b>papiers</b> &amp; vos <i>droits.</i>\n• CAF\n   • RSA")
    assert f'<a href="https://refugies.info/fr/demarche/{SOCIAL_HOUSING}">' in what
    assert "accueil@exemple.org" in what
    assert "Texte &lt;b&gt;non balisé&lt;/b&gt; &amp; émoji 🙂" in what
    assert [s.title for s in french.sections[1:]] == [
        "Comprendre un courrier",
        "Remplir un dossier",
        "Être orienté",
        "Venir sans rendez-vous",
    ]


def test_our_own_fiches_are_marked_not_to_be_shown_twice(
    mirrors: Mirrors, wiring: Wiring, programme: Programme
) -> None:
    # The publisher's four fiches, published, then read back by the mirror: recognised by
    # the ids the publisher keeps.
    assert wiring.publisher(programme).run().ok
    published = [item.fiche_id for item in wiring.listings.all()]
    for fiche_id in published:
        mirrors.refugies.moderate(fiche_id, ACTIVE)
    report = mirrors.run()
    assert report.ok
    ours = {fiche.id for fiche in report.fiches if fiche.ours}
    assert ours == set(published)
    shown = {fiche.id for fiche in mirrors.repository.all()}
    assert not shown & ours
    assert OURS in shown  # ours by structure only: not known without the structure's id

    by_structure = mirrors.mirror()
    by_structure.our_structure_id = mirrors.seeded.our_structure
    by_structure.run()
    assert OURS not in {fiche.id for fiche in mirrors.repository.all()}
