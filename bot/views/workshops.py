"""Workshops as people see them: upcoming sessions, a session's page, their places."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.domain.workshops import Offer
from bot.i18n import Translator
from bot.storage import Registration
from bot.views.menu import back_to_menu
from bot.views.screen import (
    CANCEL_CONFIRMED_PREFIX,
    CANCEL_PREFIX,
    MY_WORKSHOPS,
    REGISTER_PREFIX,
    SESSION_PREFIX,
    WORKSHOPS,
    Button,
    Screen,
    bold,
    escape,
    keyboard,
)

MAX_LISTED = 20


def theme(t: Translator, action: int) -> str:
    """The funded action a workshop belongs to, as people understand it."""
    themes = {
        1: t.gettext("Vie en France"),
        2: t.gettext("Sorties et rencontres"),
        3: t.gettext("Bénévolat"),
        4: t.gettext("Logement"),
    }
    return themes[action]


def when(t: Translator, offer: Offer, zone: ZoneInfo) -> str:
    """« jeudi 3 décembre 2026, 14:00 – 16:00 » in the reader's locale and the local time."""
    return t.time_span(offer.session.starts_at, offer.session.ends_at, zone)


def _about(t: Translator, template: str, offer: Offer, zone: ZoneInfo, **values: object) -> str:
    """A translated template filled with the session's {title} and {moment} (and more)."""
    return t.fill(
        template, title=t.gettext(offer.workshop.title), moment=when(t, offer, zone), **values
    )


def seats(t: Translator, offer: Offer) -> str:
    left = offer.session.seats_left
    if left == 0:
        return t.gettext("complet")
    return t.ngettext("{count} place libre", "{count} places libres", left).format(
        count=t.number(left)
    )


def short_label(t: Translator, offer: Offer, zone: ZoneInfo) -> str:
    """« jeu. 3 déc. 14:00 · Atelier logement », for a button."""
    start = offer.session.starts_at
    return f"{t.short_date(start, zone)} {t.time(start, zone)} · {t.gettext(offer.workshop.title)}"


def _session_button(t: Translator, offer: Offer, zone: ZoneInfo) -> Button:
    label = f"{short_label(t, offer, zone)} ({seats(t, offer)})"
    return (label, f"{SESSION_PREFIX}{offer.session.id}")


def upcoming(t: Translator, offers: Sequence[Offer], zone: ZoneInfo) -> Screen:
    """Sessions to come, by theme, each a button with its date and seats left."""
    title = "📅 " + bold(t.gettext("Ateliers à venir"))
    rows: list[list[Button]] = []
    if not offers:
        text = "\n\n".join(
            [
                title,
                t.gettext(
                    "Il n'y a pas d'atelier prévu pour le moment. Revenez bientôt, ou "
                    "demandez à l'équipe « Ensemble ! »."
                ),
            ]
        )
    else:
        # The soonest ones only: a keyboard has room for about a hundred buttons, a phone
        # screen for far fewer.
        soonest = sorted(offers, key=lambda o: o.session.starts_at)[:MAX_LISTED]
        ordered = sorted(soonest, key=lambda o: (o.workshop.action, o.session.starts_at))
        themes = list(dict.fromkeys(o.workshop.action for o in ordered))
        lines = [title, t.gettext("Choisissez un atelier :")]
        for action in themes:
            count = sum(1 for o in ordered if o.workshop.action == action)
            lines.append(
                "• "
                + t.fill(
                    t.ngettext("{theme} : {count} atelier", "{theme} : {count} ateliers", count),
                    theme=theme(t, action),
                    count=count,
                )
            )
        text = "\n\n".join(lines[:2]) + "\n\n" + "\n".join(lines[2:])
        rows = [[_session_button(t, offer, zone)] for offer in ordered]
    rows.append([("🗓 " + t.gettext("Mes ateliers"), MY_WORKSHOPS)])
    rows.append(back_to_menu(t))
    return Screen(t.finish(text), keyboard(rows))


def _place_lines(t: Translator, offer: Offer) -> list[str]:
    place = offer.place
    if place is None:
        return ["📍 " + escape(t.gettext("Lieu : demandez à l'équipe « Ensemble ! »."))]
    where = t.gettext(place.name)
    if place.address:
        where = f"{where}, {place.address}"
    return ["📍 " + t.fill(t.gettext("Lieu : {place}"), place=where)]


def session_page(
    t: Translator,
    offer: Offer,
    registration: Registration | None,
    zone: ZoneInfo,
    *,
    open_for_registration: bool,
) -> Screen:
    """A session: what, when, where, seats, and the reader's place if they have one."""
    parts = [
        "📅 " + bold(t.gettext(offer.workshop.title)),
        escape(t.gettext(offer.workshop.description)),
        "\n".join(
            ["🗓 " + t.fill("{moment}", moment=when(t, offer, zone)), *_place_lines(t, offer)]
        ),
    ]
    rows: list[list[Button]] = []
    session_id = offer.session.id
    if not open_for_registration:
        # Started or cancelled: no seat to take or to give back any more.
        parts.append(escape(t.gettext("Les inscriptions à cet atelier sont fermées.")))
    elif registration is not None and registration.status == "registered":
        parts.append(
            "✅ " + escape(t.gettext("Votre place est réservée.")) + "\n" + _number(t, registration)
        )
        rows.append([("❌ " + t.gettext("Annuler ma place"), f"{CANCEL_PREFIX}{session_id}")])
    elif registration is not None and registration.status == "waiting":
        parts.append(
            "⏳ "
            + t.fill(
                t.gettext("Vous êtes sur la liste d'attente, à la place {position}."),
                position=registration.position or 1,
            )
            + "\n"
            + _number(t, registration)
        )
        rows.append(
            [("❌ " + t.gettext("Quitter la liste d'attente"), f"{CANCEL_PREFIX}{session_id}")]
        )
    elif offer.session.seats_left > 0:
        parts.append("🟢 " + escape(seats(t, offer)))
        rows.append([("✅ " + t.gettext("M'inscrire"), f"{REGISTER_PREFIX}{session_id}")])
    else:
        parts.append(
            "🔴 " + escape(t.gettext("Complet. Vous pouvez vous inscrire sur la liste d'attente."))
        )
        rows.append(
            [
                (
                    "⏳ " + t.gettext("M'inscrire sur la liste d'attente"),
                    f"{REGISTER_PREFIX}{session_id}",
                )
            ]
        )
    rows.append([("⬅️ " + t.gettext("Ateliers"), WORKSHOPS), *back_to_menu(t)])
    return Screen(t.finish("\n\n".join(parts)), keyboard(rows))


def _number(t: Translator, registration: Registration) -> str:
    """Shown at the door: staff take attendance by this number, never by name."""
    return "🎫 " + t.fill(
        t.gettext("Votre numéro d'inscription : {number}"), number=registration.number
    )


def registered(t: Translator, offer: Offer, zone: ZoneInfo) -> str:
    return t.finish(
        "✅ "
        + _about(
            t,
            t.gettext(
                "C'est noté : votre place est réservée pour « {title} », {moment}. Voici le "
                "fichier pour l'ajouter à votre agenda."
            ),
            offer,
            zone,
        )
    )


def waiting(t: Translator, offer: Offer, position: int) -> str:
    return t.finish(
        "⏳ "
        + t.fill(
            t.gettext(
                "« {title} » est complet. Vous êtes sur la liste d'attente, à la place "
                "{position}. Si une place se libère et que c'est votre tour, elle est réservée "
                "pour vous et je vous préviens."
            ),
            title=t.gettext(offer.workshop.title),
            position=position,
        )
    )


def promoted(t: Translator, offer: Offer, zone: ZoneInfo) -> str:
    return t.finish(
        "🎉 "
        + _about(
            t,
            t.gettext(
                "Bonne nouvelle : une place s'est libérée pour « {title} », {moment}. Votre "
                "place est réservée."
            ),
            offer,
            zone,
        )
    )


def back_to_waiting(t: Translator, offer: Offer, zone: ZoneInfo, position: int) -> str:
    """Staff reduced the seats and this person's seat was among the last given."""
    return t.finish(
        "⏳ "
        + _about(
            t,
            t.gettext(
                "Il y a moins de places pour « {title} », {moment}. Vous êtes maintenant sur "
                "la liste d'attente, à la place {position}. Si une place se libère et que "
                "c'est votre tour, elle est réservée pour vous et je vous préviens."
            ),
            offer,
            zone,
            position=position,
        )
    )


def closed(t: Translator) -> str:
    return t.finish(t.gettext("Les inscriptions à cet atelier sont fermées."))


def confirm_cancel(t: Translator, offer: Offer, zone: ZoneInfo) -> Screen:
    text = _about(
        t,
        t.gettext("Voulez-vous vraiment annuler votre inscription à « {title} », {moment} ?"),
        offer,
        zone,
    )
    session_id = offer.session.id
    return Screen(
        t.finish(text),
        keyboard(
            [
                [
                    (t.gettext("Oui, annuler"), f"{CANCEL_CONFIRMED_PREFIX}{session_id}"),
                    (t.gettext("Non"), f"{SESSION_PREFIX}{session_id}"),
                ]
            ]
        ),
    )


def cancelled(t: Translator, *, was_waiting: bool) -> Screen:
    text = (
        t.gettext("C'est fait : vous n'êtes plus sur la liste d'attente.")
        if was_waiting
        else t.gettext("C'est annulé. Votre place est libre pour une autre personne.")
    )
    return Screen(
        t.finish(text),
        keyboard([[("🗓 " + t.gettext("Mes ateliers"), MY_WORKSHOPS)], back_to_menu(t)]),
    )


def mine(t: Translator, places: Sequence[tuple[Offer, Registration]], zone: ZoneInfo) -> Screen:
    """The reader's places in sessions to come."""
    title = "🗓 " + bold(t.gettext("Mes ateliers"))
    if not places:
        text = "\n\n".join([title, t.gettext("Vous n'avez pas de place réservée pour le moment.")])
    else:
        lines = []
        for offer, registration in places:
            state = (
                t.gettext("place réservée")
                if registration.status == "registered"
                else t.fill(
                    t.gettext("liste d'attente, place {position}"),
                    position=registration.position or 1,
                )
            )
            lines.append("• " + _about(t, "{title} — {moment} — {state}", offer, zone, state=state))
        text = title + "\n\n" + "\n".join(lines)
    rows: list[list[Button]] = [[_session_button(t, offer, zone)] for offer, _ in places]
    rows.append([("📅 " + t.gettext("Ateliers à venir"), WORKSHOPS)])
    rows.append(back_to_menu(t))
    return Screen(t.finish(text), keyboard(rows))


def reminder(t: Translator, offer: Offer, zone: ZoneInfo) -> Screen:
    """Before a session: when and where, and a way to give the seat back."""
    text = "\n\n".join(
        [
            "⏰ "
            + _about(
                t,
                t.gettext("Rappel : « {title} », {moment}."),
                offer,
                zone,
            ),
            *_place_lines(t, offer),
        ]
    )
    session_id = offer.session.id
    return Screen(
        t.finish(text),
        keyboard(
            [
                [("🙁 " + t.gettext("Je ne peux pas venir"), f"{CANCEL_PREFIX}{session_id}")],
                [("📅 " + t.gettext("Voir l'atelier"), f"{SESSION_PREFIX}{session_id}")],
            ]
        ),
    )


def session_cancelled(t: Translator, offer: Offer, zone: ZoneInfo) -> str:
    return t.finish(
        "❌ "
        + _about(
            t,
            t.gettext(
                "« {title} », {moment}, est annulé. Nous sommes désolés. Regardez les autres "
                "ateliers avec /workshops."
            ),
            offer,
            zone,
        )
    )


def ics_caption(t: Translator) -> str:
    return t.finish(t.gettext("Ouvrez ce fichier pour ajouter l'atelier à votre agenda."))


def ics_name(offer: Offer) -> str:
    return f"atelier-{offer.session.id}.ics"
