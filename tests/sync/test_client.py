"""The typed client against the emulator: headers, errors, retries, timeouts."""

from __future__ import annotations

import socket

import pytest
import requests
from pydantic import SecretStr

from sync.client import (
    InvalidRequestError,
    NotAllowedError,
    NotAuthenticatedError,
    NotFoundError,
    RefugiesInfoClient,
    ServerError,
    TransportError,
    ValidationFailedError,
)
from sync.payloads import CreateDispositifRequest, UpdateDispositifRequest
from tests.sync.conftest import Connector, Operator, Waits
from tests.sync.refugies_emulator import SITE_SECRET, RefugiesEmulator

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


@pytest.mark.parametrize("token", [None, "Bearer {token}", "forged"])
def test_no_token_or_a_bad_one_is_a_403(
    refugies: RefugiesEmulator, operator: Operator, waits: Waits, token: str | None
) -> None:
    value = None if token is None else SecretStr(token.format(token=operator.user.token))
    with (
        RefugiesInfoClient(
            refugies.base_url, site_secret=SecretStr(SITE_SECRET), token=value, sleep=waits
        ) as client,
        pytest.raises(NotAuthenticatedError, match=r"403 No (token|user) found"),
    ):
        client.create_dispositif(_draft(operator.structure_id))
    assert refugies.fiches == {}


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
    assert connector.client().user_contributions() == []
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
