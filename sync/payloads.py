"""The refugies.info API's request and response bodies, as typed models.

Requests forbid unknown fields and emit only what was set: the platform answers 422 to any
property it does not declare, and treats an absent metadata key differently from `null`.
Responses ignore extra fields, so a platform that adds one does not break the publisher.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    field_validator,
    model_serializer,
)

ContentType = Literal["dispositif", "demarche"]
FrenchLevel = Literal["alpha", "A1", "A2", "B1", "B2", "C1", "C2"]
PublicStatus = Literal["asile", "refugie", "subsidiaire", "temporaire", "apatride", "french"]
PublicGroup = Literal["family", "women", "youths", "senior", "gender"]
Condition = Literal[
    "acte naissance",
    "titre sejour",
    "cir",
    "bank account",
    "pole emploi",
    "driver license",
    "school",
]
TimeSlot = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
AgeType = Literal["lessThan", "moreThan", "between"]
PriceDetails = Literal[
    "once", "eachTime", "hour", "day", "week", "month", "trimester", "semester", "year"
]
CommitmentDetails = Literal["minimum", "maximum", "approximately", "exactly", "between"]
FrequencyDetails = Literal["minimum", "maximum", "approximately", "exactly"]
TimeUnit = Literal[
    "sessions", "hours", "half-days", "days", "weeks", "months", "trimesters", "semesters", "years"
]
FrequencyUnit = Literal["session", "day", "week", "month", "trimester", "semester", "year"]
# The platform writes départements as "21 - Côte-d'Or" (number, spaced dash, name).
Departement = Annotated[str, StringConstraints(pattern=r"^(\d{2}|2A|2B|97\d) - \S.*$")]
ObjectId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]
Number = int | float

STATUS_DRAFT = "Brouillon"
STATUS_WAITING_STRUCTURE = "En attente"
STATUS_WAITING_ADMIN = "En attente admin"
STATUS_ACCEPTED_STRUCTURE = "Accepté structure"
STATUS_REJECTED_STRUCTURE = "Rejeté structure"
STATUS_ACTIVE = "Actif"
STATUS_DELETED = "Supprimé"
# Newer platform versions: a live fiche's draft sent to the moderators, and an archived fiche.
STATUS_UPDATE_TO_VALIDATE = "Mise à jour à valider"
STATUS_ARCHIVED = "Archivé"


class RequestBody(BaseModel):
    """A body the platform validates strictly: declared fields only, absent unless set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Fields declared `name?: T` must be absent rather than null; those listed here are
    # declared `name?: T | null`, where null is a value the platform stores.
    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _drop_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {
            key: value
            for key, value in data.items()
            if value is not None or key in self.nullable_fields
        }

    def to_json(self) -> dict[str, Any]:
        """The body exactly as it goes on the wire."""
        return self.model_dump(mode="json", exclude_unset=True)


class InfoSection(RequestBody):
    title: str
    text: str


class Age(RequestBody):
    type: AgeType
    ages: list[int]


class Price(RequestBody):
    nullable_fields = frozenset({"details"})

    values: list[Number]
    details: PriceDetails | None = None


class Commitment(RequestBody):
    amountDetails: CommitmentDetails  # noqa: N815 - the platform's field name
    hours: list[Number]
    timeUnit: TimeUnit  # noqa: N815


class Frequency(RequestBody):
    amountDetails: FrequencyDetails  # noqa: N815
    hours: Number
    timeUnit: TimeUnit  # noqa: N815
    frequencyUnit: FrequencyUnit  # noqa: N815


class Metadatas(RequestBody):
    """The fiche's "C'est pour qui ?" part: every key nullable, `null` meaning "no limit"."""

    # Every key: the platform needs each one filled or explicitly null to publish.
    nullable_fields = frozenset(
        {
            "location",
            "frenchLevel",
            "publicStatus",
            "public",
            "conditions",
            "timeSlots",
            "age",
            "price",
            "commitment",
            "frequency",
        }
    )

    location: Literal["france", "online"] | list[Departement] | None = None
    frenchLevel: list[FrenchLevel] | None = None  # noqa: N815
    publicStatus: list[PublicStatus] | None = None  # noqa: N815
    public: list[PublicGroup] | None = None
    conditions: list[Condition] | None = None
    timeSlots: list[TimeSlot] | None = None  # noqa: N815
    age: Age | None = None
    price: Price | None = None
    commitment: Commitment | None = None
    frequency: Frequency | None = None


class Poi(RequestBody):
    """A point on the fiche's map: only ever built from a sourced address."""

    nullable_fields = frozenset({"city"})

    title: str
    address: str
    city: str | None = None
    lat: float
    lng: float
    description: str | None = None
    email: str | None = None
    phone: str | None = None


class Contact(RequestBody):
    name: str
    email: str | None = None
    phone: str | None = None
    comments: str | None = None
    isMember: bool  # noqa: N815
    isMe: bool  # noqa: N815


class DispositifRequest(RequestBody):
    """The fields of a fiche the publisher writes (a subset of what the platform declares)."""

    nullable_fields = frozenset({"mainSponsor", "map"})

    titreInformatif: str | None = None  # noqa: N815
    titreMarque: str | None = None  # noqa: N815
    abstract: str | None = None
    what: str | None = None
    why: dict[str, InfoSection] | None = None
    how: dict[str, InfoSection] | None = None
    mainSponsor: ObjectId | None = None  # noqa: N815
    contact: Contact | None = None
    theme: ObjectId | None = None
    secondaryThemes: list[ObjectId] | None = None  # noqa: N815
    metadatas: Metadatas | None = None
    map: list[Poi] | None = None


class CreateDispositifRequest(DispositifRequest):
    typeContenu: ContentType  # noqa: N815


class UpdateDispositifRequest(DispositifRequest):
    """PATCH body: only the fields that changed are set, so only they are sent."""


class PublishRequest(RequestBody):
    keepTranslations: bool | None = None  # noqa: N815


class PasswordCredentials(RequestBody):
    email: str
    password: str


class LoginRequest(RequestBody):
    authPassword: PasswordCredentials  # noqa: N815


class CheckCodeRequest(RequestBody):
    email: str
    code: str
    mfaCode: str  # noqa: N815


class SendCodeRequest(RequestBody):
    email: str


# Responses: lenient, because the platform adds fields over time.


class ResponseBody(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class WriteResult(ResponseBody):
    """What `POST /dispositifs` and `PATCH /dispositifs/{id}` answer."""

    id: str = Field(validation_alias=AliasChoices("id", "_id"))
    # Read back with a GET when absent.
    status: str = ""
    hasDraftVersion: bool = False  # noqa: N815
    typeContenu: str | None = None  # noqa: N815


class SponsorRef(ResponseBody):
    # None: the platform showed the structure without its id (it cannot be compared).
    id: str | None = Field(default=None, alias="_id")
    nom: str | None = None


class Contribution(ResponseBody):
    """A fiche as the platform lists it: a line of `GET /dispositifs/user-contributions`
    (the fiches the user created) or of a structure's `dispositifsAssocies`."""

    id: str = Field(alias="_id")
    titreInformatif: str = ""  # noqa: N815
    titreMarque: str = ""  # noqa: N815
    typeContenu: str | None = None  # noqa: N815
    mainSponsor: SponsorRef | None = None  # noqa: N815
    status: str
    hasDraftVersion: bool = False  # noqa: N815

    @field_validator("mainSponsor", mode="before")
    @classmethod
    def _sponsor_as_id(cls, value: Any) -> Any:
        # Depending on the route and the platform's version: the structure, its id, or null.
        return {"_id": value} if isinstance(value, str) else value


class Theme(ResponseBody):
    id: str = Field(alias="_id")
    name: dict[str, str] = Field(default_factory=dict)
    short: dict[str, str] = Field(default_factory=dict)


class RemoteFiche(ResponseBody):
    """`GET /dispositifs/{id}`: the status, plus every field as the platform shows it.

    For a member of the structure, a live fiche with pending edits shows its draft copy.
    """

    id: str
    status: str
    hasDraftVersion: bool = False  # noqa: N815
    fields: dict[str, Any]

    @classmethod
    def from_data(cls, data: dict[str, Any], fiche_id: str) -> RemoteFiche:
        return cls(
            id=str(data.get("_id") or data.get("id") or fiche_id),
            status=str(data.get("status", "")),
            hasDraftVersion=bool(data.get("hasDraftVersion", False)),
            fields=data,
        )
