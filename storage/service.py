"""The workflow service: the one way anything changes a case (CLI, dashboard and scheduler all call it)."""

from __future__ import annotations

import getpass
import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core import intake, workflow
from core.cases import Action, Case, CaseHistory, Event, Gesture, Stage
from core.clock import Clock, SystemClock
from core.config import Settings
from core.deposition import Deposition, validate
from core.payloads import (
    PAYLOAD_TYPES,
    DocumentPayload,
    FixPayload,
    FollowUpPayload,
    OpenPayload,
    Payload,
    ReassignPayload,
    parse,
)
from storage.bulk import Imported, insert_histories, insert_history_batches, store_late_regions
from storage.database import Database
from storage.errors import CaseNotFound, ConflictError, ValidationError
from storage.mapping import case_from_row, copy_derived, deposition_row, event_row, row_from_case
from storage.models import CaseRow
from storage.trend_facts import record_trend_fact

# The OS account and host this process writes from: (os_user, host).
Identity = Callable[[], tuple[str, str]]


def system_identity() -> tuple[str, str]:
    """The operating-system user and host name: `--as` is only a claim, these say who really typed it."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        user = "unknown"
    return user, socket.gethostname() or "unknown"


def known_region(session: Session, site: str) -> str:
    """The region of the most recent case at `site` that has one, or ""."""
    region = session.execute(
        select(CaseRow.region)
        .where(CaseRow.site == site, CaseRow.region != "")
        .order_by(CaseRow.opened_at.desc(), CaseRow.id.desc())
        .limit(1)
    ).scalar()
    return region or ""


class WorkflowService:
    """Opens a transaction per command, lets core/ decide, and stores the case with its new event.

    Every event stores who did the step (`actor`), who recorded it (`recorded_by`: the supervisor at the
    dashboard, the OS user at the CLI; the actor when not said) and the OS user and host it was written from.
    """

    def __init__(
        self,
        database: Database,
        settings: Settings | None = None,
        clock: Clock | None = None,
        identity: Identity | None = None,
        recorder: str | None = None,
    ) -> None:
        self.database = database
        self.settings = settings or Settings()
        self.clock = clock or SystemClock()
        self.identity = identity or system_identity
        # Who records when a call does not say: the CLI's OS user (its `--as` is only a claim).
        self.recorder = recorder

    def _stamped(self, event: Event, recorded_by: str | None) -> Event:
        """`event` with who recorded it (default: its actor) and the OS user and host writing it."""
        os_user, host = self.identity()
        recorder = (recorded_by or "").strip() or self.recorder or event.actor
        return replace(event, recorded_by=recorder, os_user=os_user, host=host)

    # -- intake -----------------------------------------------------------------------------------------

    def open_case(self, case: Case, actor: str, *, text_: str = "", recorded_by: str | None = None) -> Case:
        """Store a new case (stage new) with its OPEN event; returns it with its id."""
        case = intake.clean(replace(case))
        if not case.region.strip():
            # A known site's region, so the case counts in region trends: from [sites], else filled below
            # from the site's latest case with a region (as the CSV import fills it from its other rows).
            case.region = self.settings.region_of(case.site)
        problems = intake.case_problems(case, now=self.clock.now())
        if not actor.strip():
            problems.append("actor: who is opening the case must be named")
        if problems:
            raise ValidationError(problems)
        case.stage = Stage.NEW
        case.last_contact_at = case.opened_at
        opened = self._stamped(
            Event(self.clock.now(), actor.strip(), Action.OPEN, text_ or case.description, OpenPayload()),
            recorded_by,
        )
        with self.database.write() as session:
            if not case.region.strip() and case.site.strip():
                case.region = known_region(session, case.site)
            row = row_from_case(case)
            session.add(row)
            session.flush()
            event = event_row(row.id, opened)
            session.add(event)
            session.flush()
            # A Core UPDATE, so that noting the event does not count as a second version of the case.
            session.execute(update(CaseRow).where(CaseRow.id == row.id).values(last_event_id=event.id))
            session.refresh(row)
            return case_from_row(row)

    # -- workflow actions -------------------------------------------------------------------------------

    def act(
        self,
        case_id: int,
        action: Action,
        actor: str,
        text_: str = "",
        data: Mapping[str, Any] | Payload | None = None,
        *,
        expected_version: int | None = None,
        recorded_by: str | None = None,
    ) -> Case:
        """Record one workflow action on a case, or raise WorkflowError / AuthorityError / ConflictError.

        `actor` is who did the step (done by); `recorded_by` who is recording it, when someone else (the
        supervisor at the dashboard entering what an agent did).

        `data`: the action's details, typed (`core.payloads`) or in their JSON form, which is checked here:
        details that do not fit the action's type are refused (ValidationError naming the field).
        """
        payload = self._payload(action, data)
        event = self._stamped(Event(self.clock.now(), actor.strip(), action, text_, payload), recorded_by)
        problems = intake.event_problems(event.actor, event.text, payload.to_json())
        if problems:
            raise ValidationError(problems)
        deposition: Deposition | None = None
        if isinstance(payload, DocumentPayload):
            deposition = payload.deposition
            problems = validate(deposition)
            if problems:
                raise ValidationError(problems)
        try:
            with self.database.write() as session:
                row = session.get(CaseRow, case_id)
                if row is None:
                    raise CaseNotFound(case_id)
                case = case_from_row(row)
                if expected_version is not None and expected_version != row.version:
                    raise ConflictError(case, expected_version)
                if isinstance(payload, ReassignPayload):
                    # Who had it before is the service's to record, whatever the caller said.
                    event = replace(event, payload=replace(payload, from_agent=case.assignee))
                # A refused gesture names who could approve it, those on the running shift first.
                on_shift = self.settings.calendar.people_at(event.at)
                workflow.apply(case, event, self.settings.authority, on_shift)
                stored = event_row(case_id, event)
                session.add(stored)
                session.flush()  # the event alone first: its id goes into the case's one UPDATE below
                copy_derived(case, row)
                row.last_event_id = stored.id
                if deposition is not None:
                    session.add(deposition_row(case_id, event, deposition))
                    record_trend_fact(session, case, self.settings.zone)
                session.flush()
                return case_from_row(row)
        except StaleDataError:
            raise ConflictError(self.get(case_id), expected_version) from None

    @staticmethod
    def _payload(action: Action, data: Mapping[str, Any] | Payload | None) -> Payload:
        if data is None:
            data = {}
        if isinstance(data, Payload):
            if type(data) is not PAYLOAD_TYPES[action]:
                raise ValidationError(
                    [f"{action.value}: {type(data).__name__} holds the details of another action"]
                )
            # Typed details go through the same checks as their JSON form (a NaN or negative amount …).
            data = data.to_json()
        try:
            return parse(action, data)
        except ValueError as error:
            raise ValidationError([str(error)]) from None

    def reassign(
        self,
        case_id: int,
        to: str,
        actor: str,
        *,
        expected_version: int | None = None,
        recorded_by: str | None = None,
    ) -> Case:
        return self.act(
            case_id,
            Action.REASSIGN,
            actor,
            "",
            ReassignPayload(to.strip()),
            expected_version=expected_version,
            recorded_by=recorded_by,
        )

    def fix(
        self,
        case_id: int,
        actor: str,
        text_: str,
        *,
        gesture_kind: str = "",
        gesture_value: float = 0.0,
        approved_by: str | None = None,
        expected_version: int | None = None,
        recorded_by: str | None = None,
    ) -> Case:
        gesture: Gesture | None = None
        if gesture_kind.strip() or gesture_value:
            gesture = Gesture(gesture_kind.strip(), float(gesture_value), (approved_by or "").strip() or None)
        return self.act(
            case_id,
            Action.FIX,
            actor,
            text_,
            FixPayload(gesture),
            expected_version=expected_version,
            recorded_by=recorded_by,
        )

    def follow_up(
        self,
        case_id: int,
        actor: str,
        text_: str,
        *,
        satisfied: bool,
        expected_version: int | None = None,
        recorded_by: str | None = None,
    ) -> Case:
        return self.act(
            case_id,
            Action.FOLLOW_UP,
            actor,
            text_,
            FollowUpPayload(satisfied),
            expected_version=expected_version,
            recorded_by=recorded_by,
        )

    def file_deposition(
        self,
        case_id: int,
        actor: str,
        deposition: Deposition,
        *,
        expected_version: int | None = None,
        recorded_by: str | None = None,
    ) -> Case:
        summary = deposition.root_cause.strip().splitlines()[0] if deposition.root_cause.strip() else ""
        return self.act(
            case_id,
            Action.DOCUMENT,
            actor,
            summary,
            DocumentPayload(deposition),
            expected_version=expected_version,
            recorded_by=recorded_by,
        )

    def get(self, case_id: int) -> Case:
        with self.database.read() as session:
            row = session.get(CaseRow, case_id)
            if row is None:
                raise CaseNotFound(case_id)
            return case_from_row(row)

    def import_histories(
        self, histories: Sequence[CaseHistory], progress: Callable[[int], None] | None = None
    ) -> list[int]:
        """Store whole case histories atomically (all or nothing); returns the new case ids.

        Events that do not say who recorded them are stamped as recorded by the OS user importing them.
        """
        with self.database.write() as session:
            return insert_histories(session, histories, self.settings.zone, progress, self.identity())

    def import_batches(
        self,
        batches: Iterable[Sequence[CaseHistory]],
        late_regions: Callable[[], Sequence[Case]] = tuple,
        progress: Callable[[int], None] | None = None,
    ) -> Imported:
        """Store batch after batch of histories in one transaction: all or nothing, one batch in memory.

        An exception while `batches` is read (a CSV file's bad row, found after the first batches were
        written) rolls the whole import back: nothing stored before it is touched, nothing of it is kept.
        `late_regions()`, asked after the last batch, names cases stored before their region was known
        (see core.csv_import.CasesCsv); they are given it in the same transaction.
        """
        with self.database.write() as session:
            imported = insert_history_batches(session, batches, self.settings.zone, progress, self.identity())
            store_late_regions(session, late_regions(), self.settings.zone)
            return imported
