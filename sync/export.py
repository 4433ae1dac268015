"""The fiches as files, for a person to submit by hand when no credentials exist.

Each `fiche-N-<action>.json` is the exact body `POST /dispositifs` would get; `README.md`
shows the same content laid out like the platform's form, in French.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sync.fiches import build_fiche, missing_for_publication
from sync.programme import Action, Programme, Section
from sync.themes import resolve_themes

_PUBLIC_STATUS = {
    "asile": "demandeurs d'asile",
    "refugie": "réfugiés",
    "subsidiaire": "protection subsidiaire",
    "temporaire": "protection temporaire",
    "apatride": "apatrides",
    "french": "personnes françaises",
}
_PUBLIC = {
    "family": "familles",
    "women": "femmes",
    "youths": "jeunes",
    "senior": "seniors",
    "gender": "personnes LGBTQIA+",
}
_DAYS = {
    "monday": "lundi",
    "tuesday": "mardi",
    "wednesday": "mercredi",
    "thursday": "jeudi",
    "friday": "vendredi",
    "saturday": "samedi",
    "sunday": "dimanche",
}


def _listed(values: Any, labels: dict[str, str] | None, when_null: str) -> str:
    if values is None:
        return when_null
    if isinstance(values, str):
        return values
    return ", ".join(labels.get(v, v) if labels else str(v) for v in values)


def _price(price: Any) -> str:
    if price is None:
        return "non précisé"
    values = price.get("values") or []
    if values == [0]:
        return "gratuit"
    return " à ".join(f"{value} €" for value in values)


def _age(age: Any) -> str:
    if age is None:
        return "tous les âges"
    ages = age.get("ages") or []
    if age.get("type") == "lessThan":
        return f"moins de {ages[0]} ans"
    if age.get("type") == "moreThan":
        return f"plus de {ages[0]} ans"
    return f"de {ages[0]} à {ages[-1]} ans"


def _given(value: Any) -> str:
    return "non précisée" if value is None else "voir le JSON"


def _who(metadatas: dict[str, Any]) -> list[str]:
    return [
        f"- Département : {_listed(metadatas.get('location'), None, 'non précisé')}",
        f"- Statut : {_listed(metadatas.get('publicStatus'), _PUBLIC_STATUS, 'tous')}",
        f"- Public : {_listed(metadatas.get('public'), _PUBLIC, 'tout public')}",
        f"- Âge : {_age(metadatas.get('age'))}",
        f"- Niveau de français : {_listed(metadatas.get('frenchLevel'), None, 'tous les niveaux')}",
        f"- Conditions : {_listed(metadatas.get('conditions'), None, 'aucune')}",
        f"- Prix : {_price(metadatas.get('price'))}",
        f"- Jours : {_listed(metadatas.get('timeSlots'), _DAYS, 'non précisé')}",
        f"- Durée d'engagement : {_given(metadatas.get('commitment'))}",
        f"- Fréquence : {_given(metadatas.get('frequency'))}",
    ]


def _sections(sections: tuple[Section, ...]) -> list[str]:
    lines: list[str] = []
    for section in sections:
        lines += ["", f"#### {section.title}", "", section.text.strip()]
    return lines


def _fiche_markdown(
    programme: Programme, action: Action, body: dict[str, Any], file_name: str
) -> list[str]:
    listing = action.listing

    def theme_name(key: str) -> str:
        return " / ".join(programme.themes[key].names)

    themes = ", ".join(theme_name(key) for key in listing.secondary_themes) or "aucun"
    structure = body.get("mainSponsor")
    sponsor = (
        f"{programme.operator.name} (id {structure})"
        if structure
        else f"à choisir dans le formulaire : {programme.operator.name}"
    )
    contact = listing.contact
    reach = ", ".join(filter(None, (contact.email, contact.phone))) or "ni email ni téléphone"
    lines = [
        f"## Fiche {action.fiche} : {listing.titre_informatif}",
        "",
        f"Fichier : `{file_name}`",
        "",
        f"- Titre informatif : {listing.titre_informatif}",
        f"- Nom du dispositif : {listing.titre_marque}",
        f"- Structure : {sponsor}",
        f"- Thème : {theme_name(listing.theme)} ({body['theme']}) ; thèmes secondaires : {themes}",
        f"- Résumé : {listing.abstract}",
        f"- Contact : {contact.name} ({reach})",
        "- Carte : aucun lieu (le contrat ne donne pas d'adresse publique)"
        if body.get("map") is None
        else "- Carte : voir le JSON",
        "",
        "### C'est quoi ?",
        "",
        listing.what.strip(),
        "",
        programme.contract.listing_note,
        "",
        "### C'est pour qui ?",
        "",
        *_who(body.get("metadatas") or {}),
        "",
        "### Pourquoi c'est intéressant ?",
        *_sections(listing.why),
        "",
        "### Comment faire ?",
        *_sections(listing.how),
        "",
    ]
    problems = missing_for_publication(body)
    if problems:
        lines += ["**Incomplète** : " + "; ".join(problems), ""]
    return lines


def export_fiches(programme: Programme, directory: Path, *, structure_id: str | None) -> list[Path]:
    """Write every fiche's JSON body and a Markdown summary; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    # Offline on purpose: the configured theme ids, no call to the platform.
    theme_ids = resolve_themes(programme.themes, None).ids
    contract = programme.contract
    summary = [
        f"# Fiches « {programme.operator.programme} » à publier sur refugies.info",
        "",
        f"{contract.title} ({contract.territory}), du {contract.period.start:%d/%m/%Y} "
        f"au {contract.period.end:%d/%m/%Y}. L'article 7 du contrat demande de référencer "
        "chaque action financée sur refugies.info.",
        "",
        "Chaque fichier JSON est le corps exact de `POST /dispositifs`. Pour publier à la main :",
        f"se connecter à refugies.info avec un compte membre de la structure "
        f"{programme.operator.name}, créer une fiche « dispositif », recopier les champs "
        "ci-dessous, puis envoyer la fiche en validation.",
        "",
    ]
    if structure_id is None:
        summary += [
            "REFUGIES_INFO_STRUCTURE_ID n'est pas renseigné : les JSON n'ont pas de "
            "`mainSponsor`, la structure est à choisir dans le formulaire.",
            "",
        ]
    written: list[Path] = []
    for action in programme.actions:
        body = build_fiche(
            programme, action, structure_id=structure_id, theme_ids=theme_ids
        ).to_json()
        path = directory / f"fiche-{action.fiche}-{action.key}.json"
        path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
        summary += _fiche_markdown(programme, action, body, path.name)
    readme = directory / "README.md"
    readme.write_text("\n".join(summary), encoding="utf-8")
    written.append(readme)
    return written
