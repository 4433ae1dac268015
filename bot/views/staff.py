"""The staff's space: sessions, registrants (by number, never by name), attendance, seats,
cancelling, the session's link and QR code, CSV exports. Staff read it in their own language
like everyone else."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import segno

from bot.domain.workshops import Offer, Reason, SessionLine
from bot.i18n import Translator
from bot.knowledge.workshops import Place, Workshop
from bot.storage import Registrant
from bot.views.screen import (
    RECORDS_COHOSTED_PREFIX,
    RECORDS_HOME,
    STAFF_ATTENDANCE_PREFIX,
    STAFF_CANCEL_CONFIRMED_PREFIX,
    STAFF_CANCEL_PREFIX,
    STAFF_CAPACITY_CONFIRMED_PREFIX,
    STAFF_CAPACITY_PREFIX,
    STAFF_CREATE,
    STAFF_EXPORT_ALL,
    STAFF_EXPORT_PREFIX,
    STAFF_HOME,
    STAFF_LINK_PREFIX,
    STAFF_NEW,
    STAFF_NEW_PLACE_PREFIX,
    STAFF_NEW_WORKSHOP_PREFIX,
    STAFF_NO_PLACE,
    STAFF_SESSION_PREFIX,
    STAFF_TOGGLE_PREFIX,
    Button,
    Screen,
    bold,
    escape,
    in_rows,
    keyboard,
)
from bot.views.workshops import MAX_LISTED, short_label, when

EXAMPLE = "03/12/2026 14:00-16:00 12"


def number(t: Translator, value: int) -> str:
    """A registration as staff and the person both see it: « N° 12 »."""
    return t.fill(t.gettext("N° {number}"), number=value)


def _session_label(t: Translator, offer: Offer, zone: ZoneInfo) -> str:
    session = offer.session
    mark = "❌ " if session.cancelled_at is not None else ""
    return f"{mark}{short_label(t, offer, zone)} ({session.registered}/{session.capacity})"


def home(t: Translator, offers: Sequence[Offer], zone: ZoneInfo, now: datetime) -> Screen:
    """Sessions of the last weeks and to come; the ones to come first."""
    title = "🧑‍💼 " + bold(t.gettext("Espace équipe"))
    if offers:
        lines = [title, escape(t.gettext("Séances à venir et des 30 derniers jours :"))]
    else:
        lines = [title, escape(t.gettext("Aucune séance pour le moment."))]
    coming = [o for o in offers if o.session.starts_at > now]
    past = [o for o in offers if o.session.starts_at <= now][::-1]
    shown = (coming + past)[:MAX_LISTED]
    rows: list[list[Button]] = [
        [(_session_label(t, o, zone), f"{STAFF_SESSION_PREFIX}{o.session.id}")] for o in shown
    ]
    rows.append([("➕ " + t.gettext("Nouvelle séance"), STAFF_NEW)])
    if offers:
        rows.append([("⬇️ " + t.gettext("Tout exporter (CSV)"), STAFF_EXPORT_ALL)])
    rows.append([("📋 " + t.gettext("Suivi et rapport"), RECORDS_HOME)])
    return Screen(t.finish("\n\n".join(lines)), keyboard(rows))


def _place_line(t: Translator, place: Place | None) -> str:
    if place is None:
        return "📍 " + escape(t.gettext("Lieu à préciser"))
    where = t.gettext(place.name) + (f", {place.address}" if place.address else "")
    return "📍 " + escape(where)


def session(
    t: Translator,
    offer: Offer,
    registrants: Sequence[Registrant],
    zone: ZoneInfo,
    *,
    is_open: bool,
    notice: str | None = None,
    cohosted: bool | None = None,
) -> Screen:
    """One session for staff: its facts, who holds a seat and who waits, and the tools.
    `cohosted`: whether a volunteer co-hosts it (fiche 3), None to leave that out."""
    s = offer.session
    facts = [
        "📅 " + bold(t.gettext(offer.workshop.title)),
        "🗓 " + t.fill("{moment}", moment=when(t, offer, zone)),
        _place_line(t, offer.place),
        "🪑 "
        + t.fill(
            t.gettext("Places : {registered} sur {capacity} · liste d'attente : {waiting}"),
            registered=s.registered,
            capacity=s.capacity,
            waiting=s.waiting,
        ),
    ]
    if s.cancelled_at is not None:
        facts.append("❌ " + escape(t.gettext("Séance annulée.")))
    parts = ["\n".join(facts)]
    if notice:
        parts.insert(0, notice)
    seated = [r for r in registrants if r.status == "registered"]
    waiting = [r for r in registrants if r.status == "waiting"]
    if seated:
        parts.append(
            "<b>"
            + escape(t.gettext("Inscrits"))
            + "</b>\n"
            + "\n".join(f"{'✅' if r.attended else '▫️'} {number(t, r.number)}" for r in seated)
        )
    if waiting:
        parts.append(
            "<b>"
            + escape(t.gettext("Liste d'attente"))
            + "</b>\n"
            + "\n".join(f"{r.position}. {number(t, r.number)}" for r in waiting)
        )
    if not registrants:
        parts.append(escape(t.gettext("Personne n'est inscrit pour le moment.")))
    session_id = s.id
    rows: list[list[Button]] = [
        [
            ("🙋 " + t.gettext("Présences"), f"{STAFF_ATTENDANCE_PREFIX}{session_id}"),
            ("⬇️ " + t.gettext("Exporter (CSV)"), f"{STAFF_EXPORT_PREFIX}{session_id}"),
        ],
        [("🔗 " + t.gettext("Lien et QR code"), f"{STAFF_LINK_PREFIX}{session_id}")],
    ]
    if cohosted is not None:
        # The wanted state, like attendance: a double press changes nothing more.
        mark = "✅" if cohosted else "▫️"
        rows.append(
            [
                (
                    f"{mark} " + t.gettext("Co-animée par un bénévole"),
                    f"{RECORDS_COHOSTED_PREFIX}{session_id}:{0 if cohosted else 1}",
                )
            ]
        )
    if is_open:
        rows[1].insert(0, ("🪑 " + t.gettext("Places"), f"{STAFF_CAPACITY_PREFIX}{session_id}"))
        rows.append(
            [("❌ " + t.gettext("Annuler la séance"), f"{STAFF_CANCEL_PREFIX}{session_id}")]
        )
    rows.append([("⬅️ " + t.gettext("Séances"), STAFF_HOME)])
    return Screen(t.finish("\n\n".join(parts)), keyboard(rows))


def attendance(
    t: Translator, offer: Offer, registrants: Sequence[Registrant], zone: ZoneInfo
) -> Screen:
    """A toggle per person: ✅ present, ▫️ not (yet). People waiting can come too."""
    text = "\n\n".join(
        [
            "🙋 " + bold(t.gettext(offer.workshop.title)),
            t.fill("{moment}", moment=when(t, offer, zone)),
            escape(t.gettext("Touchez un numéro pour marquer la personne présente ou absente.")),
        ]
    )
    if not registrants:
        text += "\n\n" + escape(t.gettext("Personne n'est inscrit pour le moment."))
    toggles: list[Button] = [
        (
            f"{'✅' if r.attended else '▫️'} {number(t, r.number)}"
            + (" ⏳" if r.status == "waiting" else ""),
            # The wanted state, not « toggle »: a double press then changes nothing more.
            f"{STAFF_TOGGLE_PREFIX}{r.number}:{0 if r.attended else 1}",
        )
        for r in registrants
    ]
    rows = in_rows(toggles, 3)
    rows.append([("⬅️ " + t.gettext("Retour"), f"{STAFF_SESSION_PREFIX}{offer.session.id}")])
    return Screen(t.finish(text), keyboard(rows))


def ask_capacity(t: Translator, offer: Offer) -> Screen:
    text = t.fill(
        t.gettext(
            "Combien de places pour « {title} » ? Places occupées : {registered}. "
            "Envoyez un nombre."
        ),
        title=t.gettext(offer.workshop.title),
        registered=offer.session.registered,
    )
    return Screen(
        t.finish(text),
        keyboard([[(t.gettext("Annuler"), f"{STAFF_SESSION_PREFIX}{offer.session.id}")]]),
    )


def confirm_capacity(
    t: Translator, offer: Offer, capacity: int, moved: Sequence[Registrant]
) -> Screen:
    """Fewer seats than people holding one: who would go back to the waiting list."""
    text = t.fill(
        t.ngettext(
            "Si le nombre de places passe à {capacity}, {count} personne passerait sur la "
            "liste d'attente : {numbers}. Elle sera prévenue dans sa langue.",
            "Si le nombre de places passe à {capacity}, {count} personnes passeraient sur la "
            "liste d'attente : {numbers}. Elles seront prévenues dans leur langue.",
            len(moved),
        ),
        capacity=capacity,
        count=len(moved),
        numbers=t.join([number(t, r.number) for r in moved]),
    )
    session_id = offer.session.id
    return Screen(
        t.finish("⚠️ " + text),
        keyboard(
            [
                [
                    (
                        t.gettext("Confirmer"),
                        f"{STAFF_CAPACITY_CONFIRMED_PREFIX}{session_id}:{capacity}",
                    ),
                    (t.gettext("Annuler"), f"{STAFF_SESSION_PREFIX}{session_id}"),
                ]
            ]
        ),
    )


def capacity_changed(t: Translator, capacity: int, moved: int, promoted: int) -> str:
    """The notice on top of the session page after a change of seats."""
    lines = [t.fill(t.gettext("C'est fait. Nombre de places : {capacity}."), capacity=capacity)]
    if moved:
        lines.append(
            t.fill(
                t.ngettext(
                    "{count} personne est passée sur la liste d'attente (prévenue).",
                    "{count} personnes sont passées sur la liste d'attente (prévenues).",
                    moved,
                ),
                count=moved,
            )
        )
    if promoted:
        lines.append(
            t.fill(
                t.ngettext(
                    "{count} personne de la liste d'attente a reçu une place (prévenue).",
                    "{count} personnes de la liste d'attente ont reçu une place (prévenues).",
                    promoted,
                ),
                count=promoted,
            )
        )
    return "✅ " + " ".join(lines)


def not_a_capacity(t: Translator) -> str:
    return t.finish(t.gettext("Envoyez un nombre de places, 1 ou plus."))


def confirm_cancel(t: Translator, offer: Offer, zone: ZoneInfo) -> Screen:
    people = offer.session.registered + offer.session.waiting
    nobody = t.gettext(
        "Annuler la séance « {title} », {moment} ? Personne n'y est inscrit ni en attente."
    )
    text = t.fill(
        nobody
        if people == 0
        else t.ngettext(
            "Annuler la séance « {title} », {moment} ? {count} personne inscrite ou en attente "
            "sera prévenue dans sa langue.",
            "Annuler la séance « {title} », {moment} ? {count} personnes inscrites ou en "
            "attente seront prévenues dans leur langue.",
            people,
        ),
        title=t.gettext(offer.workshop.title),
        moment=when(t, offer, zone),
        count=people,
    )
    session_id = offer.session.id
    return Screen(
        t.finish(text),
        keyboard(
            [
                [
                    (
                        t.gettext("Oui, annuler la séance"),
                        f"{STAFF_CANCEL_CONFIRMED_PREFIX}{session_id}",
                    ),
                    (t.gettext("Non"), f"{STAFF_SESSION_PREFIX}{session_id}"),
                ]
            ]
        ),
    )


def session_cancelled(t: Translator) -> str:
    return "✅ " + escape(
        t.gettext("Séance annulée. Les personnes inscrites ou en attente sont prévenues.")
    )


def closed(t: Translator) -> str:
    return "⚠️ " + escape(t.gettext("Cette séance a commencé ou a été annulée : rien à changer."))


# ---- a new session -------------------------------------------------------------------
def choose_workshop(t: Translator, workshops: Sequence[Workshop]) -> Screen:
    text = "➕ " + escape(t.gettext("Nouvelle séance : quel atelier ?"))
    rows: list[list[Button]] = [
        [(t.gettext(w.title), f"{STAFF_NEW_WORKSHOP_PREFIX}{w.slug}")] for w in workshops
    ]
    rows.append([(t.gettext("Annuler"), STAFF_HOME)])
    return Screen(t.finish(text), keyboard(rows))


def choose_place(t: Translator, workshop: Workshop, places: Sequence[Place]) -> Screen:
    text = "➕ " + t.fill(
        t.gettext("Nouvelle séance « {title} » : où ?"), title=t.gettext(workshop.title)
    )
    rows: list[list[Button]] = [
        [(t.gettext(p.name), f"{STAFF_NEW_PLACE_PREFIX}{p.slug}")] for p in places
    ]
    rows.append([("📍 " + t.gettext("Lieu à préciser"), STAFF_NO_PLACE)])
    rows.append([(t.gettext("Annuler"), STAFF_HOME)])
    return Screen(t.finish(text), keyboard(rows))


def ask_moment(t: Translator, workshop: Workshop) -> Screen:
    text = "\n\n".join(
        [
            "➕ "
            + t.fill(
                t.gettext(
                    "Nouvelle séance « {title} » : envoyez le jour, l'heure et le nombre de "
                    "places. L'heure de fin est facultative (sinon : durée habituelle, "
                    "{minutes} min)."
                ),
                title=t.gettext(workshop.title),
                minutes=workshop.duration,
            ),
            t.gettext("Par exemple :") + f" <code>{EXAMPLE}</code>",
        ]
    )
    return Screen(t.finish(text), keyboard([[(t.gettext("Annuler"), STAFF_HOME)]]))


def not_a_session(t: Translator, reason: Reason) -> str:
    """Why a typed session was refused, and what to send instead."""
    reasons = {
        "format": t.gettext("Je n'ai pas compris."),
        "past": t.gettext("Ce moment est déjà passé."),
        "end": t.gettext("L'heure de fin doit venir après le début."),
        "capacity": t.gettext("Il faut au moins une place."),
        "clock-change": t.gettext(
            "Cette heure tombe au changement d'heure : choisissez-en une autre."
        ),
        "workshop": t.gettext("Cet atelier ou ce lieu n'existe plus."),
        "place": t.gettext("Cet atelier ou ce lieu n'existe plus."),
        "session": t.gettext("Cet atelier ou ce lieu n'existe plus."),
    }
    return t.finish(reasons[reason] + " " + t.gettext("Par exemple :") + f" <code>{EXAMPLE}</code>")


def confirm_new(
    t: Translator,
    workshop: Workshop,
    place: Place | None,
    line: SessionLine,
    ends_at: datetime,
    zone: ZoneInfo,
) -> Screen:
    text = "\n".join(
        [
            "➕ " + escape(t.gettext("Créer cette séance ?")),
            "",
            "📅 " + bold(t.gettext(workshop.title)),
            "🗓 " + t.fill("{moment}", moment=t.time_span(line.starts_at, ends_at, zone)),
            _place_line(t, place),
            "🪑 "
            + t.fill(
                t.ngettext("{count} place", "{count} places", line.capacity), count=line.capacity
            ),
        ]
    )
    return Screen(
        t.finish(text),
        keyboard(
            [[("✅ " + t.gettext("Créer"), STAFF_CREATE), (t.gettext("Annuler"), STAFF_HOME)]]
        ),
    )


def session_created(t: Translator) -> str:
    return "✅ " + escape(t.gettext("Séance créée. « Lien et QR code » donne de quoi l'annoncer."))


# ---- files ----------------------------------------------------------------------------
def link_caption(t: Translator, offer: Offer, link: str) -> str:
    return t.finish(
        t.fill(
            t.gettext(
                "« {title} » : ce lien ouvre la séance dans le bot, dans la langue de chacun. "
                "Le QR code mène au même lien, pour une affiche : {link}"
            ),
            title=t.gettext(offer.workshop.title),
            link=link,
        )
    )


def qr_png(link: str) -> bytes:
    """A QR code of the link, big enough to print on a poster."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=12, border=4)
    return out.getvalue()


def qr_name(offer: Offer) -> str:
    return f"seance-{offer.session.id}-qr.png"


def csv_name(offer: Offer | None) -> str:
    return f"seance-{offer.session.id}.csv" if offer else "seances.csv"


def registrants_csv(
    t: Translator,
    sessions: Sequence[tuple[Offer, Sequence[Registrant]]],
    zone: ZoneInfo,
) -> bytes:
    """Registrants and attendance, one row per person and session: for a spreadsheet
    (UTF-8 with a byte order mark, so that Excel reads the accents)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            t.gettext("séance"),
            t.gettext("atelier"),
            t.gettext("début"),
            t.gettext("fin"),
            t.gettext("lieu"),
            t.gettext("séance annulée"),
            t.gettext("numéro d'inscription"),
            t.gettext("statut"),
            t.gettext("place en liste d'attente"),
            t.gettext("inscrit le"),
            t.gettext("présent"),
        ]
    )
    yes, no = t.gettext("oui"), t.gettext("non")
    for offer, registrants in sessions:
        s = offer.session
        facts = [
            s.id,
            t.gettext(offer.workshop.title),
            _local(s.starts_at, zone),
            _local(s.ends_at, zone),
            t.gettext(offer.place.name) if offer.place else "",
            yes if s.cancelled_at is not None else no,
        ]
        for r in registrants:
            status = t.gettext("inscrit") if r.status == "registered" else t.gettext("en attente")
            writer.writerow(
                [
                    *facts,
                    r.number,
                    status,
                    r.position or "",
                    _local(r.registered_at, zone),
                    yes if r.attended else no,
                ]
            )
    return ("\ufeff" + out.getvalue()).encode()


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
