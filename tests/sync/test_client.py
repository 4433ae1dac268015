"""The typed client against the emulator: headers, errors, retries, timeouts."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
import requests
from pydantic import SecretStr

from sync.client import (
    ApiError,
    InvalidRequestError,
    NotAllowedError,
    NotAuthenticatedError,
    NotFoundError,
    Pace,
    RefugiesInfoClient,
    ServerError,
    TokenUnreadableError,
    TransportError,
    ValidationFailedError,
)
from sync.payloads import CreateDispositifRequest, UpdateDispositifRequest
from tests.sync.conftest import Connector, FakeClock, Operator, Waits
from tests.sync.refugies_emulator import (
    ACTIVE,
    DELETED,
    REQUIRED_METADATAS,
    SITE_SECRET,
    WAITING_ADMIN,
    RefugiesEmulator,
    new_id,
)
from tests.sync.sample_fiches import RIGHTS_DESK, SOCIAL_HOUSING, seed_sample_fiches

THEME = "63286a015d31b2c0cad9960c"


def _draft(structure_id: str) -> CreateDispositifRequest:
    return CreateDispositifRequest(
        typeContenu="dispositif", titreInformatif="Ateliers logement", mainSponsor=structure_id
    )


def test_writes_carry_the_site_secret_and_the_raw_token(connector: Connector) -> None:
    client = connector.client()
    created = client.create_dispositif(_draft(connector.operator.structure_id))
    assert created.status == "Brouillon"
    request = connector.refugies.calls_to("POST /dispositifs")[0]
    assert request.headers["site-secret"] == SITE_SECRET
    assert request.headers["x-access-token"] == connector.operator.user.token
    assert "authorization" not in request.headers


def test_public_routes_get_no_secret(connector: Connector) -> None:
    themes = connector.client().themes()
    assert len(themes) == 10
    request = connector.refugies.calls_to("GET /themes")[0]
    assert "site-secret" not in request.headers
    assert "x-access-token" not in request.headers


def test_a_wrong_site_secret_is_a_401_with_the_servers_reason(
    refugies: RefugiesEmulator, operator: Operator, waits: Waits
) -> None:
    with (
        RefugiesInfoClient(
            refugies.base_url,
            site_secret=SecretStr("not-the-secret"),
            token=SecretStr(operator.user.token),
            sleep=waits,
        ) as client,
        pytest.raises(NotAllowedError) as caught,
    ):
        client.user_contributions()
    assert caught.value.status == 401
    assert caught.value.server_message == "Request blocked via API"
    assert "not-the-secret" not in str(caught.value)
    assert operator.user.token not in str(caught.value)
    assert waits.seconds == []  # a 4xx is never retried


@pytest.mark.parametrize("unknown_user", [False, True])
def test_no_token_or_one_of_an_unknown_user_is_a_403(
    refugies: RefugiesEmulator, operator: Operator, waits: Waits, unknown_user: bool
) -> None:
    # A well-formed token, signed by the platform, of a user that no longer exists.
    value = SecretStr(refugies.sign_token(new_id())) if unknown_user else None
    expected = "403 No user found" if unknown_user else "403 No token found"
    with (
        RefugiesInfoClient(
            refugies.base_url, site_secret=SecretStr(SITE_SECRET), token=value, sleep=waits
        ) as client,
        pytest.raises(NotAuthenticatedError, match=expected) as caught,
    ):
        client.create_dispositif(_draft(operator.structure_id))
    assert not isinstance(caught.value, TokenUnreadableError)
    assert refugies.fiches == {}


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda token: "forged", "Not enough or too many segments"),
        (lambda token: token[:-4] + "AAAA", "Signature verification failed"),
    ],
)
def test_a_token_the_platform_cannot_decode_is_an_authentication_failure_at_once(
    refugies: RefugiesEmulator,
    operator: Operator,
    waits: Waits,
    mangle: Callable[[str], str],
    message: str,
) -> None:
    # The platform's JWT library throws, and the platform answers a 500, not a 403.
    token = SecretStr(mangle(operator.user.token))
    with (
        RefugiesInfoClient(
            refugies.base_url, site_secret=SecretStr(SITE_SECRET), token=token, sleep=waits
        ) as client,
        pytest.raises(TokenUnreadableError) as caught,
    ):
        client.user_contributions()
    assert (caught.value.status, caught.value.server_message) == (500, message)
    assert isinstance(caught.value, NotAuthenticatedError)
    assert "REFUGIES_INFO_TOKEN" in str(caught.value)
    assert len(refugies.calls_to("GET /dispositifs/user-contributions")) == 1
    assert waits.seconds == []


def test_a_token_message_in_a_500_is_a_server_error_when_no_token_was_sent(
    connector: Connector, waits: Waits
) -> None:
    connector.refugies.fail_next("GET /themes", message="Signature verification failed")
    assert len(connector.client().themes()) == 10
    assert waits.seconds == [1.0]


def test_an_undeclared_field_is_a_422_naming_it_and_not_retried(
    connector: Connector, waits: Waits
) -> None:
    connector.refugies.stop_declaring("secondaryThemes")
    client = connector.client()
    fiche = client.create_dispositif(_draft(connector.operator.structure_id))
    with pytest.raises(ValidationFailedError) as caught:
        client.update_dispositif(fiche.id, UpdateDispositifRequest(secondaryThemes=[THEME]))
    assert caught.value.status == 422
    assert "secondaryThemes" in caught.value.field_errors["body"]
    assert "secondaryThemes" in str(caught.value)
    assert len(connector.refugies.calls_to("PATCH /dispositifs/{id}")) == 1
    assert waits.seconds == []


def test_a_mistyped_field_is_a_422_naming_its_path(connector: Connector) -> None:
    # Our models cannot send a wrong type, so speak to the platform directly.
    answer = requests.post(
        connector.refugies.base_url + "/dispositifs",
        json={"typeContenu": "dispositif", "titreInformatif": 3, "metadatas": {"age": "18+"}},
        headers={"site-secret": SITE_SECRET, "x-access-token": connector.operator.user.token},
        timeout=5,
    )
    assert answer.status_code == 422
    fields = answer.json()["data"]
    assert fields["body.titreInformatif"]["message"] == "invalid string value"
    assert fields["body.metadatas.age"]["message"] == "invalid object"
    assert connector.refugies.fiches == {}


def test_publishing_an_incomplete_fiche_is_refused(connector: Connector) -> None:
    client = connector.client()
    draft = client.create_dispositif(_draft(connector.operator.structure_id))
    with pytest.raises(InvalidRequestError, match="400 The content is incomplete"):
        client.publish_dispositif(draft.id)
    assert connector.refugies.fiches[draft.id].main["status"] == "Brouillon"


def test_server_errors_are_retried_with_backoff(connector: Connector, waits: Waits) -> None:
    connector.refugies.fail_next("GET /dispositifs/user-contributions")
    connector.refugies.fail_next("GET /dispositifs/user-contributions", 503)
    assert connector.client().user_contributions().fiches == []
    assert len(connector.refugies.calls_to("GET /dispositifs/user-contributions")) == 3
    assert waits.seconds == [1.0, 2.0]


def test_server_errors_end_in_a_server_error_after_the_retries(
    connector: Connector, waits: Waits
) -> None:
    for _ in range(4):
        connector.refugies.fail_next("GET /themes", message="database down")
    with pytest.raises(ServerError, match="500 database down"):
        connector.client().themes()
    assert waits.seconds == [1.0, 2.0, 4.0]


def test_creating_is_never_retried_blindly(connector: Connector, waits: Waits) -> None:
    connector.refugies.fail_next("POST /dispositifs", after=True)
    with pytest.raises(ServerError):
        connector.client().create_dispositif(_draft(connector.operator.structure_id))
    assert len(connector.refugies.calls_to("POST /dispositifs")) == 1
    assert waits.seconds == []


def test_a_timeout_is_retried(connector: Connector, waits: Waits) -> None:
    client = connector.client()
    fiche = client.create_dispositif(_draft(connector.operator.structure_id))
    gate = connector.refugies.hold_next("GET /dispositifs/{id}")
    slow = connector.client(timeout=0.2)
    assert slow.dispositif(fiche.id).status == "Brouillon"
    gate.set()
    assert waits.seconds == [1.0]
    assert [call.status for call in slow.calls] == [None, 200]


def test_an_unreachable_platform_is_a_transport_error(waits: Waits) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        RefugiesInfoClient(
            f"http://127.0.0.1:{port}", site_secret=SecretStr(SITE_SECRET), retries=2, sleep=waits
        ) as client,
        pytest.raises(TransportError, match="connection failed after 3 attempt") as caught,
    ):
        client.create_dispositif(
            CreateDispositifRequest(typeContenu="dispositif", titreInformatif="x")
        )
    # Refused connections never reached a server: even a create may be sent again.
    assert caught.value.request_sent is False
    assert waits.seconds == [1.0, 2.0]


def test_a_missing_fiche_is_not_found(connector: Connector) -> None:
    with pytest.raises(NotFoundError):
        connector.client().dispositif("0123456789abcdef01234567")
    with pytest.raises(NotFoundError, match="Invalid dispostif ID"):
        connector.client().dispositif("not-an-id")


def test_publishing_a_live_fiche_with_no_draft_sends_it_back_to_review(
    connector: Connector,
) -> None:
    # The late-2024 platform: only a live fiche's draft is published at once.
    client = connector.client()
    fiche = client.create_dispositif(_draft(connector.operator.structure_id))
    connector.refugies.fiches[fiche.id].main.update(_complete_content())
    connector.refugies.moderate(fiche.id, ACTIVE)
    client.publish_dispositif(fiche.id)
    assert connector.refugies.fiches[fiche.id].main["status"] == WAITING_ADMIN


def _complete_content() -> dict[str, object]:
    section = {"title": "Titre", "text": "<p>Texte</p>"}
    return {
        "titreMarque": "Ensemble !",
        "abstract": "Résumé",
        "what": "<p>Quoi</p>",
        "theme": THEME,
        "why": {str(n): section for n in range(3)},
        "how": {"0": section},
        "metadatas": dict.fromkeys(REQUIRED_METADATAS),
    }


def test_a_structures_fiches_are_all_listed_to_its_members_and_only_live_ones_to_others(
    connector: Connector,
) -> None:
    refugies, operator = connector.refugies, connector.operator
    member = connector.client()
    made = [member.create_dispositif(_draft(operator.structure_id)).id for _ in range(3)]
    refugies.moderate(made[1], ACTIVE)
    refugies.delete_on_platform(made[2])

    listed = member.structure_fiches(operator.structure_id)
    assert {(fiche.id, fiche.status) for fiche in listed.fiches} == {
        (made[0], "Brouillon"),
        (made[1], ACTIVE),
    }
    assert listed.skipped == []
    request = refugies.calls_to("GET /structures/{id}")[0]
    assert "site-secret" not in request.headers
    assert request.headers["x-access-token"] == operator.user.token

    outsider = refugies.add_user("autre@example.org")
    seen = connector.client(token=outsider.token).structure_fiches(operator.structure_id)
    assert [fiche.id for fiche in seen.fiches] == [made[1]]
    assert DELETED not in {fiche.status for fiche in seen.fiches}
    with pytest.raises(NotFoundError, match="404 No structure"):
        member.structure_fiches(new_id())


def test_odd_items_in_a_list_of_fiches_are_read_or_skipped_never_fatal(
    connector: Connector,
) -> None:
    structure = connector.operator.structure_id
    odd: list[object] = [
        {"_id": "a" * 24, "status": "Brouillon", "mainSponsor": structure},
        {"_id": "b" * 24, "status": "Actif", "mainSponsor": None},
        {"_id": "c" * 24, "status": "Actif", "mainSponsor": {"nom": "CESAM"}},
        {"_id": "d" * 24, "titreInformatif": "sans statut"},
        "not a fiche",
    ]
    connector.refugies.odd_contributions.extend(odd)

    listed = connector.client().user_contributions()
    sponsors = {fiche.id: fiche.mainSponsor for fiche in listed.fiches}
    assert set(sponsors) == {"a" * 24, "b" * 24, "c" * 24}
    assert sponsors["a" * 24] is not None
    assert sponsors["a" * 24].id == structure
    assert sponsors["b" * 24] is None
    assert sponsors["c" * 24] is not None
    assert sponsors["c" * 24].id is None
    assert len(listed.skipped) == 2
    assert f"item 3 ({'d' * 24}) skipped, unreadable status" in listed.skipped[0]
    assert "item 4 (no id) skipped" in listed.skipped[1]


def test_a_platform_error_that_echoes_a_secret_never_carries_it_further(
    connector: Connector,
) -> None:
    """Redacting logs is not enough: the error's text is printed and stored in last_error."""
    token = connector.operator.user.token
    connector.refugies.fail_next(
        "GET /dispositifs/user-contributions",
        status=400,
        message=f"bad request for token {token} with site-secret {SITE_SECRET}",
    )
    with pytest.raises(ApiError) as caught:
        connector.client().user_contributions()
    text = str(caught.value)
    assert token not in text
    assert SITE_SECRET not in text
    assert "bad request for token [secret] with site-secret [secret]" in text


def test_the_fiche_route_needs_the_site_secret_a_known_locale_and_a_real_id(
    refugies: RefugiesEmulator, waits: Waits
) -> None:
    seed_sample_fiches(refugies)
    with RefugiesInfoClient(refugies.base_url, site_secret=None, sleep=waits) as anonymous:
        with pytest.raises(NotAllowedError, match="401 Request blocked via API"):
            anonymous.fiche_in(SOCIAL_HOUSING, "ar")
        assert anonymous.contents_for_app("ar", "Côte-d'Or")  # the list is public
    with RefugiesInfoClient(
        refugies.base_url, site_secret=SecretStr(SITE_SECRET), sleep=waits
    ) as client:
        # Dari and Persian are one locale on the platform: `fa`; `prs` is refused.
        with pytest.raises(ValidationFailedError, match="locale: should be one of"):
            client.fiche_in(SOCIAL_HOUSING, "prs")
        with pytest.raises(NotFoundError, match="Dispositif not found"):
            client.fiche_in("5a00000000000000000000ff", "fr")
        with pytest.raises(NotFoundError, match="Invalid dispostif ID"):
            client.fiche_in("not-an-id", "fr")
        arabic = client.fiche_in(SOCIAL_HOUSING, "ar")
        assert arabic["titreInformatif"] == "طلب سكن اجتماعي"
        # No Pashto translation: the platform shows French, and says which languages exist.
        pashto = client.fiche_in(SOCIAL_HOUSING, "ps")
        assert pashto["titreInformatif"] == "Demander un logement social"
        assert "ps" not in pashto["availableLanguages"]
        assert pashto["lastModificationDate"] == "2024-06-14T12:00:00.000Z"
    assert waits.seconds == []
    response = requests.get(f"{refugies.base_url}/dispositifs/getContentsForApp", timeout=5)
    assert response.status_code == 422
    assert "locale" in response.json()["data"]


def test_the_apps_list_titles_each_fiche_in_the_language_it_has(
    refugies: RefugiesEmulator, waits: Waits
) -> None:
    seed_sample_fiches(refugies)
    with RefugiesInfoClient(refugies.base_url, site_secret=None, sleep=waits) as client:
        arabic = {item["_id"]: item for item in client.contents_for_app("ar", "Côte-d'Or")}
        french = client.contents_for_app("fr", "Côte-d'Or")
    assert arabic[SOCIAL_HOUSING]["locale"] == "ar"
    assert arabic[SOCIAL_HOUSING]["titreInformatif"] == "طلب سكن اجتماعي"
    assert arabic[RIGHTS_DESK]["locale"] == "fr"  # not translated into Arabic
    assert [item["_id"] for item in french] == list(arabic)
    assert len(french) == 5


def test_a_pace_spaces_requests_on_its_own_clock() -> None:
    clock = FakeClock()
    pace = Pace(0.25, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        pace.wait()
    assert clock.waits == [0.25] * 4
    clock.now += 10  # a pause longer than the interval: no wait after it
    pace.wait()
    assert clock.waits == [0.25] * 4
