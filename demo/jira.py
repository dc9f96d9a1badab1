"""Deterministic raw Jira REST payloads for the demo's two teams.

`generate_vergunningen` returns Jira Cloud (v3) shapes for the pilot team: milestone-driven until
the pilot starts on 2026-03-02, then small items flowing steadily with limited WIP.
`generate_subsidies` returns Jira Data Center (v2) shapes for a team that stays milestone-driven:
big batches waiting for quarterly releases. Both carry the quirks a real instance has (reopened,
flagged, discarded and skipped items, Done → Closed, and in subsidies a renamed and a deleted
status), so the demo exercises the same ingest code as synced data.

Items are generated backwards from the moment they are done, in *working time*: hours counted over
weekday office hours (08:30-17:30 Amsterdam). That makes throughput per week and lead times easy to
steer, and every timestamp lands on a weekday during office hours. A release schedule beyond `end`
is generated too and then cut off at `end`, which leaves a realistic backlog and WIP behind.
Only the standard library is used, and every random draw comes from one seeded `random.Random` per
team, so the same `end` gives byte-identical payloads.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PILOT_START = date(2026, 3, 2)  # team vergunningen's pilot (koers.demo.toml)
HISTORY_MONTHS = 18
DAY = 9.0  # working hours per weekday: 08:30-17:30
WEEK = 5 * DAY
OFFICE_OPENS = time(8, 30)

VERGUNNINGEN_SEED = 20260302
SUBSIDIES_SEED = 20251218


@dataclass(frozen=True)
class JiraPayloads:
    server_info: dict  # GET /rest/api/2/serverInfo
    statuses: list[dict]  # GET /rest/api/2/status
    fields: list[dict]  # GET /rest/api/2/field
    issues: list[dict]  # search results with the changelog embedded (complete)


# --- fictional people ------------------------------------------------------------------------


@dataclass(frozen=True)
class FictionalPerson:
    """A made-up team member; none of these values may ever reach the warehouse."""

    display_name: str
    email: str
    account_id: str  # Jira Cloud `accountId`
    username: str  # Jira Data Center `name`
    user_key: str  # Jira Data Center `key`
    team: str


def _person(name: str, domain: str, team: str, number: int) -> FictionalPerson:
    first, *rest = name.split()
    surname = "".join(rest).lower()
    digest = hashlib.sha1(name.encode()).hexdigest()
    account = f"712020:{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    return FictionalPerson(
        display_name=name,
        email=f"{first.lower()}.{surname}@{domain}",
        account_id=account,
        username=f"{first[0].lower()}{surname}",
        user_key=f"JIRAUSER{10100 + number}",
        team=team,
    )


# The first person of each team is its product owner, the last its tester.
_VERG_NAMES = (
    "Sanne de Vries",
    "Daan Jansen",
    "Fleur Bakker",
    "Bram Visser",
    "Lotte Smit",
    "Ruben Meijer",
)
_SUB_NAMES = (
    "Noor van Dijk",
    "Thijs Mulder",
    "Eva de Boer",
    "Jesse Bos",
    "Iris Hendriks",
    "Milan Dekker",
)
FICTIONAL_PEOPLE: tuple[FictionalPerson, ...] = tuple(
    _person(name, "gemeente-voorbeeld.nl", "vergunningen", i) for i, name in enumerate(_VERG_NAMES)
) + tuple(
    _person(name, "provincie-voorbeeld.nl", "subsidies", 20 + i)
    for i, name in enumerate(_SUB_NAMES)
)


# --- titles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Theme:
    name: str  # also the epic's title
    component: str
    titles: tuple[str, ...]


def _combine(prefixes: tuple[str, ...], actions: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{p}: {a}" for p in prefixes for a in actions)


_VERG_THEMES = (
    _Theme(
        "Digitaal aanvragen omgevingsvergunning",
        "Formulieren",
        _combine(
            (
                "Aanvraagformulier omgevingsvergunning",
                "Aanvraagformulier sloopmelding",
                "Aanvraagformulier kapvergunning",
            ),
            (
                "bijlagen uploaden",
                "adres opzoeken in de BAG",
                "tussentijds opslaan",
                "foutmeldingen in begrijpelijke taal",
                "samenvatting voor verzenden",
                "toegankelijk maken (WCAG 2.2)",
                "bevestigingsmail met zaaknummer",
                "machtiging meesturen",
                "kadastrale gegevens tonen",
                "stap 'Bouwwerk' vereenvoudigen",
            ),
        ),
    ),
    _Theme(
        "MijnOmgeving",
        "MijnOmgeving",
        tuple(
            f"{a} in MijnOmgeving"
            for a in (
                "Betaalstatus tonen",
                "Status van de aanvraag tonen",
                "Documenten downloaden",
                "Berichten van de behandelaar tonen",
                "Aanvullende stukken nasturen",
                "Overzicht lopende aanvragen tonen",
                "Termijnen zichtbaar maken",
                "Besluit inzien",
                "Contactgegevens wijzigen",
                "Notificatievoorkeuren instellen",
            )
        ),
    ),
    _Theme(
        "Inloggen en machtigen",
        "Koppelingen",
        (
            "Koppeling met DigiD vernieuwen",
            "Inloggen met eHerkenning niveau 3",
            "Machtigen via DigiD Machtigen",
            "Sessie verloopt na 15 minuten inactiviteit",
            "Uitloggen op alle apparaten",
            "SAML-certificaat DigiD vervangen",
            "Foutpagina bij afgebroken DigiD-login",
            "eHerkenning ketenmachtiging ondersteunen",
            "Inloggen met DigiD Hoog voor gevoelige zaken",
            "Vertegenwoordiging door gemachtigde",
            "Inloggen voor buitenlandse aanvragers (eIDAS)",
        ),
    ),
    _Theme(
        "Bezwaar en beroep",
        "Backoffice",
        (
            "Bezwaartermijn berekenen",
            "Bezwaarformulier digitaal indienen",
            "Bezwaar koppelen aan besluit",
            "Ontvangstbevestiging bezwaar versturen",
            "Hoorzitting plannen",
            "Termijn voor aanvulling bewaken",
            "Beroepschrift doorzetten naar de rechtbank",
            "Pro-formabezwaar registreren",
        ),
    ),
    _Theme(
        "Leges en betalen",
        "Betalen",
        (
            "Legesberekening voor verbouwing",
            "Betalen met iDEAL",
            "Terugbetaling leges bij intrekking",
            "Leges per bouwsom tonen",
            "Factuur als PDF downloaden",
            "Betaalherinnering versturen",
            "Betaling koppelen aan zaak",
            "Legesverordening 2026 verwerken",
        ),
    ),
    _Theme(
        "Zaakgericht werken",
        "Koppelingen",
        (
            "Zaak aanmaken via de ZGW-API",
            "Documenten archiveren in het DRC",
            "Notificaties van Open Zaak verwerken",
            "Zaaktypecatalogus bijwerken",
            "Statuswijziging naar aanvrager sturen",
            "Besluit registreren in zaaksysteem",
            "Zaakdossier tonen aan behandelaar",
            "Rollen en betrokkenen vastleggen op zaak",
            "Migratie oude zaken naar Open Zaak",
            "Documenttypen mappen op informatieobjecttypen",
            "Zaak sluiten na onherroepelijk besluit",
        ),
    ),
    _Theme(
        "Behandeling vergunningaanvraag",
        "Backoffice",
        (
            "Termijnbewaking vergunningaanvraag",
            "Adviesaanvraag naar de omgevingsdienst",
            "Besluit genereren vanuit sjabloon",
            "Werkvoorraad behandelaar filteren",
            "Welstandsadvies vastleggen",
            "Publicatie in het Gemeenteblad",
            "Verdaging beslistermijn registreren",
            "Behandelaar toewijzen op basis van zaaktype",
        ),
    ),
    _Theme(
        "Koppeling Omgevingsloket (DSO)",
        "Koppelingen",
        (
            "Verzoeken uit het Omgevingsloket ophalen",
            "DSO-koppeling: foutafhandeling",
            "Bijlagen uit het DSO downloaden",
            "Indieningsvereisten synchroniseren",
            "Vergunningcheck uit het Omgevingsloket verwerken",
            "DSO-koppeling: aanvullingen ontvangen",
            "DSO-koppeling: intrekkingen verwerken",
            "Overstap naar DSO-koppelvlak v2",
            "Meldingen uit het Omgevingsloket verwerken",
        ),
    ),
)
_VERG_BUGS = (
    "Upload van PDF groter dan 10 MB mislukt",
    "Verkeerde datum in bevestigingsmail",
    "iDEAL-betaling blijft op 'in behandeling' staan",
    "Bezwaartermijn houdt geen rekening met feestdagen",
    "Adres met huisnummertoevoeging wordt niet gevonden",
    "Knop 'Verzenden' werkt niet in Safari",
    "Dubbele notificaties bij statuswijziging",
    "Leges afgerond op hele euro's",
    "Foutmelding na DigiD-login op mobiel",
    "Tekst valt buiten beeld op kleine schermen",
    "Zaaknummer ontbreekt in PDF-besluit",
    "Sessie verloopt tijdens uploaden",
) + tuple(
    f"{symptom} bij {where}"
    for symptom in (
        "Foutmelding",
        "Witte pagina",
        "Verkeerde tekst",
        "Time-out",
        "Dubbele melding",
        "Lay-out verspringt",
    )
    for where in (
        "uploaden van bijlagen",
        "betalen met iDEAL",
        "inloggen met DigiD",
        "indienen van bezwaar",
        "ophalen uit het Omgevingsloket",
        "downloaden van het besluit",
        "tussentijds opslaan",
        "zoeken op adres",
        "versturen van de aanvraag",
        "openen van MijnOmgeving",
    )
)
_VERG_TASKS = (
    "Afhankelijkheden bijwerken",
    "Upgrade naar Python 3.12",
    "Pentestbevindingen oplossen",
    "Logging naar centrale omgeving",
    "Monitoringdashboard inrichten",
    "Testdata anonimiseren",
    "Certificaat acceptatieomgeving vernieuwen",
    "Pipeline versnellen",
    "Toegankelijkheidsaudit voorbereiden",
    "DPIA bijwerken",
    "Node-versie frontend bijwerken",
    "Dode code opruimen",
    "Back-up terugzetten oefenen",
    "Foutbudget en alerts instellen",
    "Acceptatieomgeving opschonen",
    "Contracttests met zaaksysteem",
    "SBOM genereren in pipeline",
    "Browserondersteuning vastleggen",
    "Runbook voor storingen schrijven",
    "Secrets verhuizen naar vault",
    "End-to-endtests stabiliseren",
    "Load-test formulieren",
)
_SUB_THEMES = (
    _Theme(
        "Subsidieaanvraag digitaal",
        "Aanvraagportaal",
        _combine(
            ("Subsidieaanvraag",),
            (
                "controle op dubbele aanvragen",
                "KvK-gegevens ophalen",
                "begroting uploaden",
                "de-minimisverklaring toevoegen",
                "projectplan als bijlage",
                "cofinanciering opgeven",
                "aanvraag intrekken",
                "concept bewaren",
                "samenwerkingsverband opgeven",
                "bankrekening controleren",
            ),
        ),
    ),
    _Theme(
        "Beoordeling aanvragen",
        "Behandeling",
        _combine(
            ("Beoordeling",),
            (
                "formulier voor adviseurs",
                "scoringsmodel tenderregeling",
                "rangschikking bij overvraging",
                "stukken klaarzetten voor de adviescommissie",
                "vier-ogencontrole",
                "hardheidsclausule vastleggen",
                "aanvulling opvragen",
                "termijn voor besluit bewaken",
                "advies van vakafdeling vastleggen",
                "conflict of interest registreren",
                "werkverdeling behandelaars",
            ),
        ),
    ),
    _Theme(
        "Beschikken en betalen",
        "Financiën",
        (
            "Beschikking genereren vanuit sjabloon",
            "Voorschot betaalbaar stellen",
            "Betaalbatch naar financieel systeem",
            "Bevoorschotting in termijnen",
            "Weigeringsbeschikking met motivering",
            "Verplichting vastleggen in SAP",
            "Beschikking digitaal ondertekenen",
            "Betaalkenmerk op beschikking tonen",
            "Wijzigingsbeschikking bij budgetverschuiving",
            "Voorschot verrekenen met vaststelling",
            "Mandaatregister controleren bij beschikken",
            "Betalingen boven 50.000 euro laten accorderen",
        ),
    ),
    _Theme(
        "Verantwoording en vaststelling",
        "Behandeling",
        (
            "Eindverantwoording indienen",
            "Accountantsverklaring uploaden",
            "Tussenrapportage opvragen",
            "Vaststelling subsidie berekenen",
            "Terugvordering bij onderbesteding",
            "Herinnering verantwoordingstermijn",
            "Steekproef op verantwoordingen",
            "Prestatieverantwoording per activiteit",
            "Uitstel van verantwoording aanvragen",
            "Vaststelling ambtshalve bij kleine subsidies",
            "Verantwoordingsformulier vereenvoudigen",
        ),
    ),
    _Theme(
        "Koppelingen basisregistraties",
        "Koppelingen",
        (
            "Koppeling met KvK Handelsregister",
            "Inloggen met eHerkenning",
            "Koppeling met financieel systeem vernieuwen",
            "Documenten naar DMS archiveren",
            "Berichtenbox voor bedrijven",
            "Koppeling met de BRP",
            "Vestigingsadres ophalen uit het Handelsregister",
            "Certificaat PKIoverheid vernieuwen",
            "Koppeling met Digipoort",
            "Statusberichten via Mijn Overheid",
            "Bankrekening valideren bij aanvraag",
        ),
    ),
    _Theme(
        "Nieuwe regelingen",
        "Aanvraagportaal",
        _combine(
            (
                "Regeling Energietransitie mkb",
                "Regeling Leefbaarheid kleine kernen",
                "Regeling Cultuurparticipatie",
                "Regeling Natuurinclusieve landbouw",
                "Regeling Fietsstimulering",
                "Regeling Erfgoed en monumenten",
            ),
            (
                "aanvraagformulier configureren",
                "subsidieplafond instellen",
                "openstelling voorbereiden",
                "beoordelingscriteria vastleggen",
                "beschikkingssjabloon opstellen",
            ),
        ),
    ),
    _Theme(
        "Sturingsinformatie",
        "Rapportage",
        (
            "Rapportage uitgekeerde subsidies per regeling",
            "Subsidieregister publiceren als open data",
            "Managementinformatie doorlooptijden",
            "Export voor Provinciale Staten",
            "Overzicht subsidies voor Woo-verzoeken",
            "Dashboard uitputting subsidieplafonds",
            "Kwartaalrapportage voor de controller",
            "Rapportage per gemeente in de provincie",
            "Export voor de Rekenkamer",
            "Overzicht openstaande verantwoordingen",
        ),
    ),
)
_SUB_BUGS = (
    "Bedrag met komma wordt afgerond",
    "Beschikking toont verkeerde regeling",
    "Bijlage verdwijnt na opslaan",
    "KvK-nummer met voorloopnul geweigerd",
    "Dubbele betaalopdracht in batch",
    "Termijn verantwoording verkeerd berekend",
    "eHerkenning-login mislukt bij ketenmachtiging",
    "Export naar Excel geeft lege kolommen",
) + tuple(
    f"{symptom} bij {where}"
    for symptom in (
        "Foutmelding",
        "Verkeerd bedrag",
        "Time-out",
        "Lege pagina",
        "Dubbele regel",
        "Verkeerde datum",
    )
    for where in (
        "indienen van de aanvraag",
        "genereren van de beschikking",
        "aanmaken van de betaalbatch",
        "ophalen van KvK-gegevens",
        "uploaden van de begroting",
        "vaststellen van de subsidie",
        "exporteren naar Excel",
        "inloggen met eHerkenning",
        "versturen van de herinnering",
    )
)
_SUB_TASKS = (
    "Upgrade naar Java 21",
    "Patchronde applicatieservers",
    "Back-up terugzetten testen",
    "Testomgeving verversen",
    "Releasenotes opstellen",
    "Securityscan opvolgen",
    "Performancetest voor openstelling",
    "Autorisatiematrix bijwerken",
    "Oracle-database patchen",
    "Logrotatie instellen",
    "Batchjobs verplaatsen naar nieuwe server",
    "Certificaten productie vernieuwen",
    "Wachtwoordbeleid serviceaccounts",
    "Jenkins-pipeline migreren",
    "Testscripts regressietest bijwerken",
    "Monitoring op betaalbatch",
    "Release-checklist bijwerken",
    "Archiefbewaartermijnen instellen",
    "BIO-maatregelen toetsen",
    "Afhankelijkheden scannen op kwetsbaarheden",
)
_SUBTASK_TITLES = (
    "Frontend bouwen",
    "Backend aanpassen",
    "Testgevallen uitwerken",
    "Documentatie bijwerken",
    "API-contract afstemmen",
    "Toegankelijkheid testen",
)
_FOLLOW_UPS = (
    " (vervolg)",
    ": randgevallen",
    ": foutafhandeling",
    ": bevindingen gebruikerstest",
    ": teksten op B1-niveau",
    ": logging en monitoring",
    " (fase 2)",
    ": opschonen",
)
_DESCRIPTIONS = (
    "Acceptatiecriteria besproken in de refinement.",
    "Zie de klantreis in Confluence.",
    "Gemeld via het klantcontactcentrum.",
    "Wens uit de gebruikersgroep.",
)
_LABELS = ("wcag", "security", "privacy", "tech-debt", "klantreis")


# --- the two Jira instances -------------------------------------------------------------------

_CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {
        "id": 4,
        "key": "indeterminate",
        "colorName": "yellow",
        "name": "In Progress",
    },
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
_PRIORITIES = {"High": "2", "Medium": "3", "Low": "4"}


@dataclass(frozen=True)
class _Instance:
    """Everything that differs between the Cloud and the Data Center demo instance."""

    cloud: bool
    base_url: str
    project: tuple[str, str, str]  # id, key, name
    statuses: tuple[tuple[str, str, str], ...]  # id, name, category key
    issue_types: dict[str, tuple[str, str, int]]  # kind → id, name, hierarchy level
    resolutions: dict[str, str]  # name → id
    done_resolution: str
    people: tuple[FictionalPerson, ...]
    themes: tuple[_Theme, ...]
    bugs: tuple[str, ...]
    tasks: tuple[str, ...]
    points_field: tuple[str, str, str]  # id, name, schema.custom
    flagged_field: str
    flag_option: str
    epic_link_field: str | None = None  # DC only: epics are linked by a custom field
    epic_name_field: str | None = None
    deleted_statuses: tuple[tuple[str, str], ...] = ()  # id, name: gone from /status
    renamed: tuple[str, str, date] | None = None  # current name, old name, renamed on
    issue_id_base: int = 10000
    history_id_base: int = 10000

    @property
    def api(self) -> str:
        return "3" if self.cloud else "2"


_VERG = _Instance(
    cloud=True,
    base_url="https://gemeente-voorbeeld.atlassian.net",
    project=("10000", "VERG", "Vergunningen"),
    statuses=(
        ("10000", "Backlog", "new"),
        ("10001", "Te verfijnen", "new"),
        ("10002", "In uitvoering", "indeterminate"),
        ("10003", "Review", "indeterminate"),
        ("10004", "Klaar voor test", "indeterminate"),
        ("10005", "Testen", "indeterminate"),
        ("10006", "Gereed", "done"),
        ("10007", "Gesloten", "done"),
    ),
    issue_types={
        "Epic": ("10000", "Epic", 1),
        "Story": ("10004", "Story", 0),
        "Bug": ("10005", "Bug", 0),
        "Task": ("10006", "Task", 0),
        "Subtask": ("10007", "Subtask", -1),
    },
    resolutions={
        "Done": "10000",
        "Won't Do": "10001",
        "Duplicate": "10002",
        "Cannot Reproduce": "10003",
    },
    done_resolution="Done",
    people=FICTIONAL_PEOPLE[:6],
    themes=_VERG_THEMES,
    bugs=_VERG_BUGS,
    tasks=_VERG_TASKS,
    points_field=(
        "customfield_10016",
        "Story point estimate",
        "com.pyxis.greenhopper.jira:jsw-story-points",
    ),
    flagged_field="customfield_10021",
    flag_option="10019",
    issue_id_base=10000,
    history_id_base=10000,
)
_SUB = _Instance(
    cloud=False,
    base_url="https://jira.provincie-voorbeeld.nl",
    project=("11200", "SUB", "Subsidies"),
    statuses=(
        ("1", "Open", "new"),
        ("10100", "Analyse", "indeterminate"),
        ("3", "In uitvoering", "indeterminate"),
        ("10101", "Klaar voor test", "indeterminate"),
        ("10102", "Testen", "indeterminate"),
        ("10103", "Klaar voor release", "indeterminate"),
        ("10104", "Gereed", "done"),
        ("6", "Gesloten", "done"),
    ),
    issue_types={
        "Epic": ("10000", "Epic", 1),
        "Story": ("10001", "Story", 0),
        "Bug": ("1", "Bug", 0),
        "Task": ("3", "Taak", 0),
        "Subtask": ("5", "Subtaak", -1),
    },
    resolutions={"Gereed": "10000", "Won't Do": "10001", "Duplicate": "3", "Cannot Reproduce": "5"},
    done_resolution="Gereed",
    people=FICTIONAL_PEOPLE[6:],
    themes=_SUB_THEMES,
    bugs=_SUB_BUGS,
    tasks=_SUB_TASKS,
    points_field=(
        "customfield_10106",
        "Story Points",
        "com.atlassian.jira.plugin.system.customfieldtypes:float",
    ),
    flagged_field="customfield_10200",
    flag_option="10300",
    epic_link_field="customfield_10100",
    epic_name_field="customfield_10101",
    deleted_statuses=(("10050", "On hold"),),
    renamed=("Klaar voor test", "Te testen", date(2025, 7, 21)),
    issue_id_base=148000,
    history_id_base=512000,
)


# --- working time -----------------------------------------------------------------------------


class _Clock:
    """Working hours since an anchor Monday, counting only weekdays 08:30-17:30 Amsterdam time."""

    def __init__(self, anchor: date) -> None:
        self.anchor = anchor

    def to_dt(self, w: float) -> datetime:
        day = math.floor(w / DAY)
        ms = math.floor((w - day * DAY) * 3_600_000)  # floor: never later than `w`
        week, weekday = divmod(day, 5)
        local = datetime.combine(self.anchor + timedelta(days=7 * week + weekday), OFFICE_OPENS)
        # Wall-clock arithmetic, then attach the zone: the offset follows DST by itself.
        return (local + timedelta(milliseconds=ms)).replace(tzinfo=AMSTERDAM)

    def to_w(self, dt: datetime) -> float:
        """The working time at `dt`; outside office hours, the end of the last working hour."""
        local = dt.astimezone(AMSTERDAM)
        week, weekday = divmod((local.date() - self.anchor).days, 7)
        if weekday >= 5:
            return (week * 5 + 5) * DAY
        t = local.time()
        hours = (t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6) / 3600 - 8.5
        return (week * 5 + weekday) * DAY + min(max(hours, 0.0), DAY)


def _ts(dt: datetime) -> str:
    """Jira's timestamp: milliseconds and a colon-less offset."""
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond // 1000:03d}{dt:%z}"


def _months_before(dt: datetime, months: int) -> datetime:
    index = dt.year * 12 + dt.month - 1 - months
    year, month = divmod(index, 12)
    day = min(dt.day, 28)
    return dt.replace(year=year, month=month + 1, day=day)


def _third_thursday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 14)


def _chain_back(t_end: float, segments: list[tuple[str, float]]) -> list[tuple[float, str]]:
    """Entry times of consecutive statuses that together end at `t_end`, earliest first."""
    out: list[tuple[float, str]] = []
    t = t_end
    for status, duration in reversed(segments):
        t -= duration
        out.append((t, status))
    out.reverse()
    return out


# --- plans: what happens to an issue, in working time -------------------------------------------


@dataclass(eq=False)
class _Plan:
    kind: str  # Story, Bug, Task, Epic, Subtask
    path: list[tuple[float, str]]  # (working time, status name); path[0] is the creation
    discard: str | None = None  # the resolution of a discarded item
    flags: list[tuple[float, float]] = field(default_factory=list)  # flagged from, to
    points: float | None = None
    theme: int | None = None
    epic: _Plan | None = None
    parent: _Plan | None = None
    window: tuple[float, float] | None = None  # epics: when their stories are created
    summary: str = ""
    seq: int = 0

    @property
    def created(self) -> float:
        return self.path[0][0]


class _Builder:
    """Generates the plans of one team; the team functions below say what happens when."""

    def __init__(self, inst: _Instance, seed: int, end: datetime) -> None:
        if end.tzinfo is None:
            raise ValueError("end must be an aware datetime")
        self.inst = inst
        self.rng = random.Random(seed)
        start = _months_before(end.astimezone(AMSTERDAM), HISTORY_MONTHS)
        anchor = start.date() - timedelta(days=start.weekday() + 7 * 12)
        self.clock = _Clock(anchor)
        self.start_w = self.clock.to_w(start)
        self.end_w = self.clock.to_w(end)
        self.plans: list[_Plan] = []
        names = {name: category for _, name, category in inst.statuses}
        names.update({name: "indeterminate" for _, name in inst.deleted_statuses})
        self.category = names
        self.backlog = inst.statuses[0][1]  # Backlog / Open

    def w(self, day: date, hour: int = 12) -> float:
        return self.clock.to_w(datetime.combine(day, time(hour), AMSTERDAM))

    def ln(self, median: float, sigma: float, cap: float = 5.0) -> float:
        """A log-normal duration in working hours, capped so no single draw dominates."""
        return max(0.1, min(median * math.exp(self.rng.gauss(0.0, sigma)), median * cap))

    def times(self, start: float, stop: float, per_week: float) -> list[float]:
        """Poisson arrival times in [start, stop)."""
        out, t = [], start
        while True:
            t += self.rng.expovariate(per_week / WEEK)
            if t >= stop:
                return out
            out.append(t)

    def add(self, plan: _Plan | None) -> _Plan | None:
        """Keeps the plan, moving its creation into the 18-month window when it falls before."""
        if plan is None:
            return None
        if plan.created < self.start_w:
            nxt = plan.path[1][0] if len(plan.path) > 1 else None
            if nxt is None or nxt <= self.start_w + 1:
                return None
            created = self.start_w + self.rng.uniform(0.0, 0.3) * (nxt - self.start_w)
            plan.path[0] = (created, plan.path[0][1])
        plan.seq = len(self.plans)
        self.plans.append(plan)
        return plan

    def flow(
        self,
        kind: str,
        done_at: float,
        segments: list[tuple[str, float]],
        *,
        points: float | None = None,
        blocked: float = 0.0,
        reopen: bool = False,
        direct: bool = False,
        back: bool = False,
        skip: bool = False,
        closed_after: float | None = None,
    ) -> _Plan:
        """An item that reaches "Gereed" at `done_at`, after `segments` (status, duration)."""
        dev, test, done = "In uitvoering", "Testen", "Gereed"
        if skip:  # found to be done already while still in the backlog
            path = [(done_at - self.ln(60, 1.0), segments[0][0]), (done_at, done)]
            plan = _Plan(kind, path, points=points)
        else:
            segs = list(segments)
            i = next(n for n, (status, _) in enumerate(segs) if status == dev)
            segs[i] = (dev, segs[i][1] + blocked)
            if direct:  # created straight into "In uitvoering"
                segs = segs[i:]
            if reopen:  # done, found wanting, reworked and done again
                segs += [(done, self.ln(14, 0.6)), (dev, self.ln(6, 0.6)), (test, self.ln(3, 0.5))]
            plan = _Plan(kind, _chain_back(done_at, segs) + [(done_at, done)], points=points)
            if blocked:
                self._flag_during_dev(plan, blocked)
            elif back:
                self._back_to_backlog(plan)
        if closed_after is not None:
            plan.path.append((done_at + closed_after, "Gesloten"))
        return plan

    def dev_segment(self, plan: _Plan) -> tuple[int, float, float] | None:
        for i, (t, status) in enumerate(plan.path[:-1]):
            if status == "In uitvoering":
                return i, t, plan.path[i + 1][0]
        return None

    def _flag_during_dev(self, plan: _Plan, blocked: float) -> None:
        seg = self.dev_segment(plan)
        if seg is not None:
            _, s, e = seg
            on = s + self.rng.uniform(0.05, 0.9) * (e - s - blocked)
            plan.flags.append((on, on + blocked))

    def _back_to_backlog(self, plan: _Plan) -> None:
        """Deprioritised mid-way: back to the backlog for a while, then picked up again."""
        seg = self.dev_segment(plan)
        if seg is None or seg[2] - seg[1] < 18:
            return
        i, s, e = seg
        m = s + self.rng.uniform(0.2, 0.5) * (e - s)
        g = m + self.rng.uniform(0.3, 0.6) * (e - m)
        plan.path[i + 1 : i + 1] = [(m, self.backlog), (g, "In uitvoering")]

    def discarded(self, created: float, first: str, mid: str) -> _Plan:
        """Won't Do / Duplicate / Cannot Reproduce, straight from the backlog or mid-way."""
        r = self.rng
        kind = r.choices(("Story", "Bug", "Task"), (0.6, 0.3, 0.1))[0]
        if kind == "Bug" and r.random() < 0.5:
            resolution = "Cannot Reproduce"
        else:
            resolution = r.choice(("Won't Do", "Won't Do", "Duplicate"))
        if r.random() < 0.65:
            path = [(created, first), (created + self.ln(100, 1.0), "Gesloten")]
        else:
            t1 = created + self.ln(40, 0.9)
            path = [(created, self.backlog), (t1, mid), (t1 + self.ln(20, 0.8), "Gesloten")]
        return _Plan(kind, path, discard=resolution)

    def epics(self, step_weeks: tuple[float, float], length_weeks: tuple[float, float]) -> None:
        """Epics with overlapping windows; stories created inside a window may belong to it."""
        r = self.rng
        t = self.start_w + r.uniform(0, 2) * WEEK
        order = list(range(len(self.inst.themes)))
        r.shuffle(order)
        n = 0
        while t < self.end_w - WEEK:
            window = (t, t + r.uniform(*length_weeks) * WEEK)
            created = max(self.start_w + 0.5, t - self.ln(20, 0.6))
            epic = _Plan(
                "Epic", [(created, self.backlog)], window=window, theme=order[n % len(order)]
            )
            epic.summary = self.inst.themes[epic.theme].name
            if n >= len(order):
                epic.summary += f" – fase {n // len(order) + 1}"
            self.add(epic)
            t += r.uniform(*step_weeks) * WEEK
            n += 1

    def link_to_epics(self, share: dict[str, float]) -> None:
        epics = [p for p in self.plans if p.kind == "Epic"]
        for plan in self.plans:
            if plan.kind not in share or self.rng.random() >= share[plan.kind]:
                continue
            open_epics = [
                e for e in epics if e.window and e.window[0] <= plan.created < e.window[1]
            ]
            if open_epics:
                plan.epic = self.rng.choice(open_epics)
                plan.theme = plan.epic.theme

    def subtasks(self, share: float) -> None:
        """Some stories are split into sub-tasks that are done while the story is in progress."""
        r = self.rng
        for plan in list(self.plans):
            if plan.kind != "Story" or plan.discard or r.random() >= share:
                continue
            seg = self.dev_segment(plan)
            if seg is None or seg[2] - seg[1] < 6:
                continue
            _, s, e = seg
            for _ in range(r.randint(2, 3)):
                created = s + r.uniform(0.02, 0.1) * (e - s)
                started = created + r.uniform(0.05, 0.5) * (e - created)
                done = started + r.uniform(0.2, 0.95) * (e - started)
                path = [(created, self.backlog), (started, "In uitvoering"), (done, "Gereed")]
                self.add(_Plan("Subtask", path, parent=plan, summary=r.choice(_SUBTASK_TITLES)))

    def epic_paths(self) -> None:
        """Epics start with their first story and are done a little after their last one."""
        children: dict[int, list[_Plan]] = {}
        for plan in self.plans:
            if plan.epic is not None:
                children.setdefault(plan.epic.seq, []).append(plan)
        for epic in self.plans:
            if epic.kind != "Epic":
                continue
            kids = [k for k in children.get(epic.seq, []) if k.created <= self.end_w]
            if not kids:
                continue
            created = min(epic.created, min(k.created for k in kids) - 0.5)
            epic.path = [(max(created, self.start_w), self.backlog)]
            starts = [
                t
                for k in kids
                for t, s in k.path
                if self.category[s] == "indeterminate" and t <= self.end_w
            ]
            if not starts:
                continue
            first = min(starts)
            epic.path.append(
                (first - self.rng.uniform(0.05, 0.4) * (first - epic.created), "In uitvoering")
            )
            finals = [self._state_at(k, self.end_w) for k in kids]
            assert epic.window is not None
            # Stories never started do not hold an epic open: they move on to a later one.
            done_at = [t for t, s in finals if self.category[s] == "done"]
            if (
                epic.window[1] < self.end_w
                and done_at
                and all(self.category[s] != "indeterminate" for _, s in finals)
            ):
                done = max(done_at) + self.rng.uniform(9, 36)
                if done <= self.end_w:
                    epic.path.append((done, "Gereed"))

    def block_at_end(self, count: int) -> None:
        """A few items in progress at `end` are blocked right now: the aging view shows them."""
        candidates = []
        for plan in self.plans:
            if plan.kind in ("Epic", "Subtask") or plan.created > self.end_w:
                continue
            since, status = self._state_at(plan, self.end_w)
            if self.category[status] == "indeterminate" and not any(
                off > self.end_w for _, off in plan.flags
            ):
                candidates.append((plan, since))
        for plan, since in self.rng.sample(candidates, min(count, len(candidates))):
            on = max(since + 0.5 * (self.end_w - since), self.end_w - self.ln(14, 0.6))
            plan.flags.append((on, math.inf))

    def _state_at(self, plan: _Plan, w: float) -> tuple[float, str]:
        return [(t, s) for t, s in plan.path if t <= w][-1]

    def titles(self) -> None:
        """Titles and themes, drawn after epics are linked so stories fit their epic."""
        r = self.rng
        inst = self.inst
        decks: dict[object, list[str]] = {}
        rounds: Counter[object] = Counter()

        def draw(key: object, titles: tuple[str, ...]) -> str:
            # Without replacement; a story theme then continues with follow-ups of the same work.
            if not decks.get(key):
                rounds[key] += 1
                n = rounds[key] - 2
                story = isinstance(key, int)
                suffix = "" if n < 0 or not story else _FOLLOW_UPS[n % len(_FOLLOW_UPS)]
                decks[key] = [t + suffix for t in r.sample(titles, len(titles))]
            return decks[key].pop()

        for plan in self.plans:
            if plan.theme is None:
                parent = plan.parent.theme if plan.parent else None
                plan.theme = r.randrange(len(inst.themes)) if parent is None else parent
            if plan.summary:
                continue
            if plan.kind == "Bug":
                plan.summary = draw("Bug", inst.bugs)
            elif plan.kind == "Task":
                plan.summary = draw("Task", inst.tasks)
            else:
                plan.summary = draw(plan.theme, inst.themes[plan.theme].titles)


# --- the two teams' stories ---------------------------------------------------------------------


def _vergunningen_plans(b: _Builder) -> None:
    """Monthly releases until the pilot, then a steady flow of small items."""
    r = b.rng
    pilot = b.w(PILOT_START, 0)
    first_release = b.start_w + 5 * WEEK
    releases = []
    month = b.clock.to_dt(b.start_w).date().replace(day=1)
    while month < PILOT_START:
        release = b.w(_third_thursday(month.year, month.month))
        if first_release <= release < pilot:
            releases.append(release)
        month = (month + timedelta(days=32)).replace(day=1)

    def old_style(kind: str, done_at: float, ready_from: float, release: float | None) -> None:
        """Big item: built, then queued in "Klaar voor test" until the release's test week."""
        test = r.uniform(3, 14)
        ready_until = done_at - test - 0.5
        ready = r.uniform(min(ready_from, ready_until - 1), ready_until)
        blocked = b.ln(24, 0.5) if r.random() < 0.1 else 0.0
        if kind == "Story":
            pre = [
                ("Te verfijnen", b.ln(24, 0.8)),
                ("Backlog", b.ln(70, 0.8)),
                ("In uitvoering", b.ln(50, 0.5)),
                ("Review", b.ln(8, 0.6)),
            ]
            points = float(r.choice((3, 5, 5, 8, 8, 13)))
        else:
            pre = [
                ("Backlog", b.ln(40, 0.9)),
                ("In uitvoering", b.ln(20, 0.6)),
                ("Review", b.ln(4, 0.6)),
            ]
            points = None
        segments = pre + [("Klaar voor test", done_at - test - ready), ("Testen", test)]
        closed = None
        if release is not None and r.random() < 0.35:  # closed once the release is live
            closed = max(release - done_at, 0.0) + r.uniform(1, 30)
        b.add(
            b.flow(
                kind,
                done_at,
                segments,
                points=points,
                blocked=blocked,
                reopen=r.random() < 0.05,
                direct=r.random() < 0.02,
                back=r.random() < 0.04,
                skip=r.random() < 0.02,
                closed_after=closed,
            )
        )

    prev = releases[0] - 20 * DAY
    for release in releases:
        for _ in range(r.randint(20, 28)):
            kind = "Story" if r.random() < 0.78 else "Bug"
            old_style(kind, release - r.triangular(0, 6 * DAY, 0.5 * DAY), prev - 3 * DAY, release)
        prev = release
    # Transition: the queue that waited for the March release is tested in the pilot's first weeks.
    for _ in range(r.randint(16, 22)):
        kind = "Story" if r.random() < 0.78 else "Bug"
        old_style(kind, pilot + 4 * WEEK * min(r.random(), r.random()), prev - 3 * DAY, None)

    # Outside the release rhythm: hotfixes and technical tasks.
    for done_at in b.times(b.start_w + 3 * WEEK, pilot, 0.5):
        segments = [
            ("Backlog", b.ln(12, 0.8)),
            ("In uitvoering", b.ln(8, 0.6)),
            ("Testen", b.ln(3, 0.5)),
        ]
        b.add(b.flow("Bug", done_at, segments))
    for done_at in b.times(b.start_w + 3 * WEEK, pilot, 0.35):
        segments = [
            ("Backlog", b.ln(80, 0.9)),
            ("In uitvoering", b.ln(30, 0.6)),
            ("Review", b.ln(4, 0.6)),
        ]
        b.add(b.flow("Task", done_at, segments, points=float(r.choice((2, 3, 5)))))

    # The pilot: 5-9 small items done a week (a ramp-up first), built to flow.
    week_start, week = pilot, 0
    while week_start < b.end_w + 6 * WEEK:
        summer = b.clock.to_dt(week_start).month in (7, 8)
        low, high = ((1, 3), (3, 5), (4, 7))[week] if week < 3 else (5, 7 if summer else 9)
        for _ in range(r.randint(low, high)):
            _pilot_item(b, week_start + r.uniform(0, WEEK))
        week_start += WEEK
        week += 1

    for created in b.times(b.start_w, b.end_w, 1.0):
        b.add(b.discarded(created, "Te verfijnen", "In uitvoering"))
    _vergunningen_ideas(b, pilot)
    b.epics(step_weeks=(5, 8), length_weeks=(10, 20))
    b.link_to_epics({"Story": 0.75, "Bug": 0.3})
    b.subtasks(0.14)


def _pilot_item(b: _Builder, done_at: float) -> None:
    r = b.rng
    kind = r.choices(("Story", "Bug", "Task"), (0.7, 0.18, 0.12))[0]
    blocked = b.ln(16, 0.5) if r.random() < 0.07 else 0.0
    if kind == "Story":
        segments = [
            ("Te verfijnen", b.ln(10, 0.8)),
            ("Backlog", b.ln(20, 0.9)),
            ("In uitvoering", b.ln(26, 0.6)),
            ("Review", b.ln(4, 0.7)),
            ("Klaar voor test", b.ln(5, 0.9)),
            ("Testen", b.ln(6, 0.6)),
        ]
        points = float(r.choice((1, 2, 2, 3, 3, 5)))
    elif kind == "Bug":
        segments = [
            ("Backlog", b.ln(14, 0.9)),
            ("In uitvoering", b.ln(12, 0.6)),
            ("Review", b.ln(3, 0.6)),
            ("Klaar voor test", b.ln(3, 0.8)),
            ("Testen", b.ln(4, 0.6)),
        ]
        points = None
    else:
        segments = [
            ("Backlog", b.ln(20, 0.9)),
            ("In uitvoering", b.ln(18, 0.6)),
            ("Review", b.ln(3, 0.6)),
        ]
        points = float(r.choice((1, 2, 3)))
    closed = b.ln(20, 0.6) if r.random() < 0.1 else None
    b.add(
        b.flow(
            kind,
            done_at,
            segments,
            points=points,
            blocked=blocked,
            reopen=r.random() < 0.04,
            direct=r.random() < 0.03,
            back=r.random() < 0.03,
            skip=kind != "Task" and r.random() < 0.02,
            closed_after=closed,
        )
    )


def _vergunningen_ideas(b: _Builder, pilot: float) -> None:
    """Wishes that were never started; most old ones go in the backlog clean-up of the pilot."""
    r = b.rng
    cleanup = pilot + DAY + 1.5  # Tuesday morning of the pilot's first week
    n = 0
    for created in b.times(b.start_w, b.end_w, 0.9):
        path = [(created, "Te verfijnen")]
        refined = created + b.ln(60, 1.0)
        if r.random() < 0.4 and (created >= pilot or refined < cleanup):
            path.append((refined, "Backlog"))
        plan = _Plan("Story", path)
        if created < cleanup - 1 and r.random() < 0.7:
            path.append((cleanup + 0.02 * n, "Gesloten"))
            plan.discard = "Won't Do"
            n += 1
        b.add(plan)


def _subsidies_plans(b: _Builder) -> None:
    """Quarterly releases throughout: big batches that wait for test and for the release."""
    r = b.rng
    releases = []
    month = b.clock.to_dt(b.start_w).date().replace(day=1)
    while b.w(month, 0) < b.end_w + 16 * WEEK:
        if month.month in (3, 6, 9, 12):
            release = b.w(_third_thursday(month.year, month.month))
            if release >= b.start_w + 8 * WEEK:
                releases.append(release)
        month = (month + timedelta(days=32)).replace(day=1)
    prev = releases[0] - 13 * WEEK
    for release in releases:
        for _ in range(r.randint(58, 74)):
            _subsidies_batch_item(b, release, prev)
        prev = release
    for done_at in b.times(b.start_w + 3 * WEEK, b.end_w + 4 * WEEK, 0.4):  # hotfixes
        segments = [
            ("Open", b.ln(12, 0.8)),
            ("In uitvoering", b.ln(8, 0.6)),
            ("Testen", b.ln(4, 0.5)),
        ]
        b.add(b.flow("Bug", done_at, segments))
    for done_at in b.times(b.start_w + 3 * WEEK, b.end_w + 4 * WEEK, 0.3):
        segments = [("Open", b.ln(60, 0.9)), ("In uitvoering", b.ln(24, 0.6))]
        b.add(b.flow("Task", done_at, segments))
    for created in b.times(b.start_w, b.end_w, 0.5):
        b.add(b.discarded(created, "Open", "Analyse"))
    for created in b.times(b.start_w, b.end_w, 0.6):  # a backlog that only grows
        path = [(created, "Open")]
        plan = _Plan("Story", path)
        if r.random() < 0.15:
            path.append((created + b.ln(300, 0.8), "Gesloten"))
            plan.discard = "Won't Do"
        b.add(plan)
    b.epics(step_weeks=(7, 10), length_weeks=(14, 26))
    b.link_to_epics({"Story": 0.8, "Bug": 0.3})
    b.subtasks(0.12)
    _on_hold(b, deleted_on=b.w(date(2025, 10, 6)), count=5)


def _subsidies_batch_item(b: _Builder, release: float, prev: float) -> None:
    r = b.rng
    kind = r.choices(("Story", "Bug", "Task"), (0.7, 0.2, 0.1))[0]
    test_from = r.uniform(release - 15 * DAY, release - 2 * DAY)
    test = min(r.uniform(4, 30), release - 9 - test_from)
    done_at = release - r.uniform(0, 8)  # "Gereed" on release day
    # Work tends to be finished late in the quarter: the later of two draws.
    ready = max(r.uniform(prev - 2 * DAY, test_from - 1), r.uniform(prev - 2 * DAY, test_from - 1))
    blocked = b.ln(24, 0.5) if r.random() < 0.1 else 0.0
    if kind == "Story":
        pre = [
            ("Open", b.ln(50, 0.8)),
            ("Analyse", b.ln(50, 0.7)),
            ("In uitvoering", b.ln(90, 0.5)),
        ]
        points = float(r.choice((5, 8, 8, 13, 13, 20)))
    elif kind == "Bug":
        pre = [("Open", b.ln(50, 0.9)), ("In uitvoering", b.ln(16, 0.6))]
        points = None
    else:
        pre = [("Open", b.ln(60, 0.9)), ("Analyse", b.ln(8, 0.6)), ("In uitvoering", b.ln(24, 0.6))]
        points = float(r.choice((3, 5, 8)))
    segments = pre + [
        ("Klaar voor test", test_from - ready),
        ("Testen", test),
        ("Klaar voor release", done_at - test_from - test),
    ]
    closed = (release - done_at) + r.uniform(9, 90) if r.random() < 0.5 else None
    b.add(
        b.flow(
            kind,
            done_at,
            segments,
            points=points,
            blocked=blocked,
            reopen=r.random() < 0.04,
            direct=r.random() < 0.02,
            back=r.random() < 0.04,
            skip=kind == "Bug" and r.random() < 0.04,
            closed_after=closed,
        )
    )


def _on_hold(b: _Builder, deleted_on: float, count: int) -> None:
    """A few early items visited "On hold", a status deleted since (so absent from /status)."""
    eligible = []
    for plan in b.plans:
        seg = b.dev_segment(plan)
        if (
            plan.kind != "Subtask"
            and not plan.flags
            and seg
            and seg[2] - seg[1] > 20
            and seg[2] < deleted_on
        ):
            eligible.append((plan, seg))
    for plan, (i, s, e) in b.rng.sample(eligible, min(count, len(eligible))):
        hold = s + b.rng.uniform(0.2, 0.5) * (e - s)
        back = hold + b.rng.uniform(0.3, 0.7) * (e - hold)
        plan.path[i + 1 : i + 1] = [(hold, "On hold"), (back, "In uitvoering")]


# --- rendering: plans → Jira payloads -------------------------------------------------------------


@dataclass
class _Issue:
    plan: _Plan
    id: str
    key: str
    path: list[tuple[float, str]]  # up to `end`
    assignments: list[tuple[float, int]]  # (time, person index); at creation = initial value
    reporter: int
    priority: str
    labels: list[str]
    updated: float
    histories: list[dict] = field(default_factory=list)


class _Renderer:
    def __init__(self, b: _Builder) -> None:
        self.b = b
        self.inst = b.inst
        self.ids = {name: sid for sid, name, _ in self.inst.statuses}
        self.ids.update({name: sid for sid, name in self.inst.deleted_statuses})
        self.rename_w = None
        if self.inst.renamed:
            self.rename_w = b.w(self.inst.renamed[2], 0)

    def payloads(self) -> JiraPayloads:
        b = self.b
        plans = sorted(
            (p for p in b.plans if p.created <= b.end_w), key=lambda p: (p.created, p.seq)
        )
        issues: list[_Issue] = []
        number = 0
        for plan in plans:
            number += 1 + (b.rng.random() < 0.02)  # the odd deleted or moved issue leaves a gap
            issues.append(self._issue(plan, number))
        by_plan = {id(i.plan): i for i in issues}
        self._histories(issues)
        return JiraPayloads(
            server_info=self._server_info(),
            statuses=[self._status(name, "2") for _, name, _ in self.inst.statuses],
            fields=self._fields(),
            issues=[self._issue_json(i, by_plan) for i in issues],
        )

    # -- per-issue facts

    def _issue(self, plan: _Plan, number: int) -> _Issue:
        r, b = self.b.rng, self.b
        path = [(t, s) for t, s in plan.path if t <= b.end_w]
        people = len(self.inst.people)
        reporter = 0 if r.random() < 0.6 else r.randrange(people)
        assignments: list[tuple[float, int]] = []
        for n, (t, status) in enumerate(path):
            if status == "In uitvoering" and not assignments:
                gap = t - path[n - 1][0] if n else 0.0
                # Picked up by a developer: assigned just before the move, or at creation.
                lead = min(r.uniform(0.02, 0.3), gap / 3)
                assignments.append((t - lead, 1 + r.randrange(people - 2)))
            elif status == "Testen" and assignments and r.random() < 0.5:
                gap = t - path[n - 1][0]
                assignments.append((t - min(r.uniform(0.01, 0.15), gap / 3), people - 1))
        if plan.kind == "Epic":
            assignments = [(path[0][0], 0)]
        last = max(
            [
                path[-1][0],
                *(t for f in plan.flags for t in f if t <= b.end_w),
                *(t for t, _ in assignments),
            ]
        )
        if r.random() < 0.3:  # a comment or an edit that leaves no status history
            last = min(b.end_w, last + b.ln(20, 1.0))
        if self._category(path[-1][1]) != "done" and r.random() < 0.4:
            last = max(last, b.end_w - r.uniform(0.5, 30))
        priority = (
            "High"
            if plan.kind == "Bug" and r.random() < 0.4
            else r.choices(("Medium", "Low", "High"), (0.75, 0.15, 0.1))[0]
        )
        labels = sorted({r.choice(_LABELS) for _ in range(r.choice((0, 0, 0, 1, 1, 2)))})
        key = f"{self.inst.project[1]}-{number}"
        return _Issue(
            plan,
            str(self.inst.issue_id_base + number),
            key,
            path,
            assignments,
            reporter,
            priority,
            labels,
            last,
        )

    def _category(self, name: str) -> str:
        return self.b.category[name]

    # -- changelog

    def _histories(self, issues: list[_Issue]) -> None:
        """Builds every history, then numbers them in time order across the whole instance."""
        pending: list[tuple[float, int, int, _Issue, dict]] = []
        for n, issue in enumerate(issues):
            for seq, (t, history) in enumerate(self._events(issue)):
                pending.append((t, n, seq, issue, history))
        pending.sort(key=lambda e: (e[0], e[1], e[2]))
        for number, (_, _, _, issue, history) in enumerate(pending):
            entry = {"id": str(self.inst.history_id_base + number), **history}
            issue.histories.append(entry)

    def _events(self, issue: _Issue) -> list[tuple[float, dict]]:
        b, plan = self.b, issue.plan
        events: list[tuple[float, list[dict], int]] = []  # time, items, author
        resolution: str | None = None
        done_entries = [
            n
            for n, (_, s) in enumerate(plan.path)
            if self._category(s) == "done"
            and (n == 0 or self._category(plan.path[n - 1][1]) != "done")
        ]
        for n in range(1, len(issue.path)):
            t, status = issue.path[n]
            before = issue.path[n - 1][1]
            items = []
            if self._category(status) == "done" and self._category(before) != "done":
                final = n == done_entries[-1]
                name = plan.discard if (final and plan.discard) else self.inst.done_resolution
                items.append(
                    self._item("resolution", None, None, self.inst.resolutions[name], name)
                )
                resolution = name
            elif self._category(status) != "done" and self._category(before) == "done":
                assert resolution is not None
                items.append(
                    self._item(
                        "resolution", self.inst.resolutions[resolution], resolution, None, None
                    )
                )
                resolution = None
            items.append(self._status_item(t, before, status))
            events.append((t, items, self._author(issue, t)))
        option = f"[{self.inst.flag_option}]"
        for on, off in plan.flags:
            if on <= b.end_w:
                events.append((on, [self._flag_item(None, option)], self._author(issue, on)))
            if off <= b.end_w:
                events.append((off, [self._flag_item(option, None)], self._author(issue, off)))
        previous: int | None = None
        for n, (t, person) in enumerate(issue.assignments):
            if n or t > issue.path[0][0]:
                events.append((t, [self._assignee_item(previous, person)], person))
            previous = person
        events.sort(key=lambda e: e[0])
        return [
            (t, {"author": self._user(author), "created": self._ts(t), "items": items})
            for t, items, author in events
        ]

    def _author(self, issue: _Issue, t: float) -> int:
        current = [p for at, p in issue.assignments if at <= t]
        return current[-1] if current else issue.reporter

    def _item(
        self,
        name: str,
        frm: str | None,
        frm_s: str | None,
        to: str | None,
        to_s: str | None,
        fieldtype: str = "jira",
        field_id: str | None = None,
    ) -> dict:
        item: dict[str, Any] = {"field": name, "fieldtype": fieldtype}
        if self.inst.cloud:
            item["fieldId"] = field_id or name
        item.update({"from": frm, "fromString": frm_s, "to": to, "toString": to_s})
        return item

    def _status_item(self, t: float, before: str, after: str) -> dict:
        return self._item(
            "status",
            self.ids[before],
            self._name_at(before, t),
            self.ids[after],
            self._name_at(after, t),
        )

    def _name_at(self, name: str, t: float) -> str:
        """The name a history stored at the time: a renamed status keeps its old name there."""
        renamed = self.inst.renamed
        if renamed and name == renamed[0] and self.rename_w is not None and t < self.rename_w:
            return renamed[1]
        return name

    def _flag_item(self, frm: str | None, to: str | None) -> dict:
        return self._item(
            "Flagged",
            frm,
            "Impediment" if frm else None,
            to,
            "Impediment" if to else "",
            "custom",
            self.inst.flagged_field,
        )

    def _assignee_item(self, frm: int | None, to: int) -> dict:
        people = self.inst.people
        if self.inst.cloud:
            ids = [people[p].account_id if p is not None else None for p in (frm, to)]
        else:
            ids = [people[p].username if p is not None else None for p in (frm, to)]
        names = [people[p].display_name if p is not None else None for p in (frm, to)]
        item = self._item("assignee", ids[0], names[0], ids[1], names[1])
        if self.inst.cloud:
            item.update({"tmpFromAccountId": ids[0], "tmpToAccountId": ids[1]})
        return item

    # -- JSON objects

    def _ts(self, w: float) -> str:
        return _ts(self.b.clock.to_dt(w))

    def _url(self, path: str, api: str | None = None) -> str:
        return f"{self.inst.base_url}/rest/api/{api or self.inst.api}/{path}"

    def _user(self, person: int) -> dict:
        p = self.inst.people[person]
        if self.inst.cloud:
            return {
                "self": self._url(f"user?accountId={p.account_id}"),
                "accountId": p.account_id,
                "displayName": p.display_name,
                "active": True,
                "timeZone": "Europe/Amsterdam",
                "accountType": "atlassian",
            }
        return {
            "self": self._url(f"user?username={p.username}"),
            "name": p.username,
            "key": p.user_key,
            "emailAddress": p.email,
            "displayName": p.display_name,
            "active": True,
            "timeZone": "Europe/Amsterdam",
        }

    def _status(self, name: str, api: str | None = None) -> dict:
        sid = self.ids[name]
        category = _CATEGORIES[self._category(name)]
        icon = "" if self.inst.cloud else "images/icons/statuses/generic.png"
        return {
            "self": self._url(f"status/{sid}", api),
            "description": "",
            "iconUrl": f"{self.inst.base_url}/{icon}",
            "name": name,
            "id": sid,
            "statusCategory": {
                "self": self._url(f"statuscategory/{category['id']}", api),
                **category,
            },
        }

    def _issue_type(self, kind: str) -> dict:
        tid, name, level = self.inst.issue_types[kind]
        out: dict[str, Any] = {
            "self": self._url(f"issuetype/{tid}"),
            "id": tid,
            "description": "",
            "iconUrl": f"{self.inst.base_url}/images/icons/issuetypes/{name.lower()}.svg",
            "name": name,
            "subtask": kind == "Subtask",
        }
        if self.inst.cloud:
            out["hierarchyLevel"] = level
        else:
            out["avatarId"] = 10300 + int(tid) % 100
        return out

    def _priority(self, name: str) -> dict:
        pid = _PRIORITIES[name]
        return {
            "self": self._url(f"priority/{pid}"),
            "iconUrl": f"{self.inst.base_url}/images/icons/priorities/{name.lower()}.svg",
            "name": name,
            "id": pid,
        }

    def _component(self, name: str) -> dict:
        names = sorted({t.component for t in self.inst.themes})
        cid = str(10020 + names.index(name))
        return {"self": self._url(f"component/{cid}"), "id": cid, "name": name}

    def _parent(self, parent: _Issue) -> dict:
        return {
            "id": parent.id,
            "key": parent.key,
            "self": self._url(f"issue/{parent.id}"),
            "fields": {
                "summary": parent.plan.summary,
                "status": self._status(parent.path[-1][1]),
                "priority": self._priority(parent.priority),
                "issuetype": self._issue_type(parent.plan.kind),
            },
        }

    def _issue_json(self, issue: _Issue, by_plan: dict[int, _Issue]) -> dict:
        inst, plan = self.inst, issue.plan
        status = issue.path[-1][1]
        resolution = None
        resolved_at = None
        if self._category(status) == "done":
            resolved = [
                h
                for h in issue.histories
                if any(i["field"] == "resolution" and i["to"] for i in h["items"])
            ]
            resolved_at = resolved[-1]["created"]
            rid = next(i["to"] for i in resolved[-1]["items"] if i["field"] == "resolution")
            name = next(n for n, i in inst.resolutions.items() if i == rid)
            resolution = {
                "self": self._url(f"resolution/{rid}"),
                "id": rid,
                "description": "",
                "name": name,
            }
        flagged_now = any(on <= self.b.end_w < off for on, off in plan.flags)
        assignee = issue.assignments[-1][1] if issue.assignments else None
        theme = inst.themes[plan.theme or 0]
        fields: dict[str, Any] = {
            "summary": plan.summary,
            "status": self._status(status),
            "issuetype": self._issue_type(plan.kind),
            "priority": self._priority(issue.priority),
            "created": self._ts(plan.created),
            "updated": self._ts(issue.updated),
            "resolution": resolution,
            "resolutiondate": resolved_at,
            "labels": issue.labels,
            "components": [self._component(theme.component)] if plan.kind != "Epic" else [],
        }
        parent = plan.parent or (plan.epic if inst.cloud else None)
        if parent is not None:
            fields["parent"] = self._parent(by_plan[id(parent)])
        fields["assignee"] = self._user(assignee) if assignee is not None else None
        fields["reporter"] = self._user(issue.reporter)
        fields["creator"] = self._user(issue.reporter)
        fields[inst.points_field[0]] = plan.points
        fields[inst.flagged_field] = (
            [
                {
                    "self": self._url(f"customFieldOption/{inst.flag_option}"),
                    "value": "Impediment",
                    "id": inst.flag_option,
                }
            ]
            if flagged_now
            else None
        )
        if inst.epic_link_field:
            fields[inst.epic_link_field] = by_plan[id(plan.epic)].key if plan.epic else None
        if inst.epic_name_field:
            fields[inst.epic_name_field] = plan.summary if plan.kind == "Epic" else None
        fields["description"] = self._description(plan)
        fields["project"] = {
            "self": self._url(f"project/{inst.project[0]}"),
            "id": inst.project[0],
            "key": inst.project[1],
            "name": inst.project[2],
            "projectTypeKey": "software",
        }
        histories = issue.histories[::-1] if inst.cloud else issue.histories  # as each returns
        changelog = {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(histories),
            "histories": histories,
        }
        if inst.cloud:
            return {
                "expand": "renderedFields,names,schema,operations,editmeta,changelog,"
                "versionedRepresentations",
                "id": issue.id,
                "self": self._url(f"issue/{issue.id}"),
                "key": issue.key,
                "changelog": changelog,
                "fields": fields,
            }
        return {
            "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
            "id": issue.id,
            "self": self._url(f"issue/{issue.id}"),
            "key": issue.key,
            "fields": fields,
            "changelog": changelog,
        }

    def _description(self, plan: _Plan) -> Any:
        if plan.kind in ("Subtask", "Epic"):
            return None
        text = _DESCRIPTIONS[plan.seq % len(_DESCRIPTIONS)]
        if not self.inst.cloud:
            return text
        return {
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
        }

    # -- catalogues

    def _server_info(self) -> dict:
        end = self._ts(self.b.end_w)
        if self.inst.cloud:
            return {
                "baseUrl": self.inst.base_url,
                "displayUrl": self.inst.base_url,
                "version": "1001.0.0-SNAPSHOT",
                "versionNumbers": [1001, 0, 0],
                "deploymentType": "Cloud",
                "buildNumber": 100290,
                "buildDate": "2026-11-24T09:12:31.000+0100",
                "serverTime": end,
                "scmInfo": "6c1f4e2b8a0d",
                "serverTitle": "Jira",
                "defaultLocale": {"locale": "nl_NL"},
            }
        return {
            "baseUrl": self.inst.base_url,
            "version": "10.3.6",
            "versionNumbers": [10, 3, 6],
            "deploymentType": "Server",
            "buildNumber": 10030006,
            "buildDate": "2025-05-15T00:00:00.000+0200",
            "serverTime": end,
            "scmInfo": "3f2d9b1c7e54",
            "serverTitle": "Jira Provincie Voorbeeld",
        }

    def _fields(self) -> list[dict]:
        system = [
            ("summary", "Samenvatting", {"type": "string"}),
            ("status", "Status", {"type": "status"}),
            ("issuetype", "Issuetype", {"type": "issuetype"}),
            ("priority", "Prioriteit", {"type": "priority"}),
            ("created", "Aangemaakt", {"type": "datetime"}),
            ("updated", "Bijgewerkt", {"type": "datetime"}),
            ("resolution", "Oplossing", {"type": "resolution"}),
            ("resolutiondate", "Opgelost", {"type": "datetime"}),
            ("labels", "Labels", {"type": "array", "items": "string"}),
            ("components", "Componenten", {"type": "array", "items": "component"}),
            ("parent", "Bovenliggend", {"type": "issuelink"}),
            ("assignee", "Toegewezen aan", {"type": "user"}),
            ("reporter", "Melder", {"type": "user"}),
            ("creator", "Maker", {"type": "user"}),
            ("description", "Beschrijving", {"type": "string"}),
            ("project", "Project", {"type": "project"}),
        ]
        out = [
            {
                "id": fid,
                "key": fid,
                "name": name,
                "custom": False,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": [fid],
                "schema": {**schema, "system": fid},
            }
            for fid, name, schema in system
        ]
        inst = self.inst
        custom = [
            (inst.points_field[0], inst.points_field[1], "number", inst.points_field[2]),
            (
                inst.flagged_field,
                "Flagged",
                "array",
                "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
            ),
            (
                "customfield_10020" if inst.cloud else "customfield_10104",
                "Sprint",
                "array",
                "com.pyxis.greenhopper.jira:gh-sprint",
            ),
            (
                "customfield_10019" if inst.cloud else "customfield_10105",
                "Rank",
                "any",
                "com.pyxis.greenhopper.jira:gh-lexo-rank",
            ),
        ]
        if inst.epic_link_field and inst.epic_name_field:
            custom += [
                (
                    inst.epic_link_field,
                    "Epic Link",
                    "any",
                    "com.pyxis.greenhopper.jira:gh-epic-link",
                ),
                (
                    inst.epic_name_field,
                    "Epic Name",
                    "string",
                    "com.pyxis.greenhopper.jira:gh-epic-label",
                ),
            ]
        for fid, name, kind, plugin in custom:
            number = int(fid.rsplit("_", 1)[1])
            schema: dict[str, Any] = {"type": kind, "custom": plugin, "customId": number}
            if name == "Flagged":
                schema["items"] = "option"
            elif name == "Sprint":
                schema["items"] = "json"
            out.append(
                {
                    "id": fid,
                    "key": fid,
                    "name": name,
                    "untranslatedName": name,
                    "custom": True,
                    "orderable": True,
                    "navigable": True,
                    "searchable": True,
                    "clauseNames": [f"cf[{number}]", name],
                    "schema": schema,
                }
            )
        return out


# --- public API ---------------------------------------------------------------------------------


def _generate(
    inst: _Instance,
    seed: int,
    end: datetime,
    story: Callable[[_Builder], None],
) -> JiraPayloads:
    b = _Builder(inst, seed, end)
    story(b)
    b.block_at_end(2 if inst.cloud else 4)
    b.epic_paths()
    b.titles()
    return _Renderer(b).payloads()


def generate_vergunningen(end: datetime) -> JiraPayloads:
    """Jira Cloud (v3) payloads for project VERG: the pilot team, 18 months up to `end`."""
    return _generate(_VERG, VERGUNNINGEN_SEED, end, _vergunningen_plans)


def generate_subsidies(end: datetime) -> JiraPayloads:
    """Jira Data Center (v2) payloads for project SUB: milestone-driven, 18 months up to `end`."""
    return _generate(_SUB, SUBSIDIES_SEED, end, _subsidies_plans)
