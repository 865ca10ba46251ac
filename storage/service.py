"""The workflow service: the one way anything changes a case (CLI, dashboard and scheduler all call it)."""

from __future__ import annotations

import getpass
import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core import intake, workflow
from core.absence import Absence, Move
from core.cases import Action, Case, CaseHistory, Event, Gesture, Stage
from core.clock import Clock, SystemClock
from core.config import Settings
from core.deadlines import Deadline, pending_deadlines
from core.deposition import Deposition, validate
from core.escalation import (
    SYSTEM_ACTOR,
    LadderAlert,
    LadderState,
    due_now,
    key_of,
    step_sentence,
    target,
)
from core.pauses import ResumeWhy
from core.payloads import (
    PAYLOAD_TYPES,
    AcknowledgePayload,
    DocumentPayload,
    EscalatePayload,
    FixPayload,
    FollowUpPayload,
    OpenPayload,
    PausePayload,
    Payload,
    ReassignPayload,
    ResumePayload,
    parse,
)
from core.phrase_check import counted
from storage.bulk import Imported, insert_histories, insert_history_batches, store_late_regions
from storage.database import Database
from storage.errors import CaseNotFound, ConflictError, ValidationError
from storage.mapping import case_from_row, case_row, copy_derived, deposition_row, event_row, row_from_case
from storage.models import AbsenceRow, CaseRow, EscalationRow
from storage.pauses import with_pauses
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
        recorder = self.settings.spelled(recorded_by or "") or self.recorder or event.actor
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
        # The phrase check never refuses; how many hints the note drew is kept for coaching (the summary).
        payload = counted(self.settings.phrase_book, action, text_, payload)
        people = {**payload.people(), "recorded_by": recorded_by or ""}
        problems = intake.event_problems(actor, text_, payload.to_json(), people)
        if problems:
            raise ValidationError(problems)
        # Names, once checked as typed, are matched to the roster here, for every front end: "billy" is
        # stored as the roster's Billy.
        spelled = self.settings.spelled
        event = Event(self.clock.now(), spelled(actor), action, text_, payload.with_people(spelled))
        event = self._stamped(event, recorded_by)
        deposition: Deposition | None = None
        if isinstance(payload, DocumentPayload):
            deposition = payload.deposition
            problems = validate(deposition)
            if problems:
                raise ValidationError(problems)
        try:
            with self.database.write() as session:
                row = case_row(session, case_id)
                (case,) = with_pauses(session, [case_from_row(row)])
                if expected_version is not None and expected_version != row.version:
                    raise ConflictError(case, expected_version)
                if isinstance(event.payload, ReassignPayload):
                    # Who had it before is the service's to record, whatever the caller said.
                    owner_from = case.owner if event.payload.owner_to is not None else None
                    event = replace(
                        event,
                        payload=replace(event.payload, from_agent=case.assignee, owner_from=owner_from),
                    )
                # A refused gesture names who could approve it, those on the running shift first.
                on_shift = self.settings.calendar.people_at(event.at)
                workflow.apply(
                    case, event, self.settings.authority, on_shift, self.settings.deadlines.pause_cap
                )
                stored = event_row(case_id, event)
                session.add(stored)
                session.flush()  # the event alone first: its id goes into the case's one UPDATE below
                copy_derived(case, row)
                row.last_event_id = stored.id
                if deposition is not None:
                    session.add(deposition_row(case_id, event, deposition))
                    record_trend_fact(session, case, self.settings.zone)
                session.flush()
                return replace(case_from_row(row), pauses=case.pauses)
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

    # -- escalation ---------------------------------------------------------------------------------

    def escalate(
        self, deadline: Deadline, step: int, role: str, target: str, *, recorded_by: str | None = None
    ) -> Event | None:
        """Take step `step` of `deadline`'s ladder: the escalation row and its ESCALATE event, in one
        transaction. None when it is not this caller's to take: the step is already in the database (another
        dashboard took it; the unique key refuses the second insert), or the deadline is no longer owed."""
        with self.database.write() as session:
            return self._take_step(session, deadline, step, role, target, recorded_by)

    def _take_step(
        self,
        session: Session,
        deadline: Deadline,
        step: int,
        role: str,
        target: str,
        recorded_by: str | None,
    ) -> Event | None:
        case_id = deadline.case_id
        if case_id is None:
            return None
        now = self.clock.now()
        payload = EscalatePayload(deadline.kind, deadline.due_at, step, role, target)
        text = step_sentence(role, target, deadline.kind, deadline.due_at, now)
        event = self._stamped(Event(now, SYSTEM_ACTOR, Action.ESCALATE, text, payload), recorded_by)
        row = session.get(CaseRow, case_id)
        if row is None or row.closed_at is not None:
            return None
        # With its pauses: a paused clock's deadline is due later, and that moved time is the ladder's key.
        (case,) = with_pauses(session, [case_from_row(row)])
        owed = pending_deadlines(case, self.settings.deadlines, self.settings.calendar)
        if key_of(deadline) not in {key_of(other) for other in owed}:
            return None  # met (or moved) since the caller looked
        try:
            with session.begin_nested():  # a savepoint: losing the insert loses nothing else
                session.add(
                    EscalationRow(
                        case_id=case_id,
                        kind=deadline.kind,
                        due_at=deadline.due_at,
                        step=step,
                        target=target,
                        at=now,
                    )
                )
        except IntegrityError:
            return None  # taken already: once per database, whoever got there first
        workflow.apply(case, event)
        stored = event_row(case_id, event)
        session.add(stored)
        session.flush()
        # A Core UPDATE: live sync sees the event, and the case's version (a form being typed) stays.
        session.execute(update(CaseRow).where(CaseRow.id == case_id).values(last_event_id=stored.id))
        return replace(event, id=stored.id)

    def escalate_breached(self, deadlines: Sequence[Deadline], since: datetime | None) -> list[LadderAlert]:
        """One round of the ladder over `deadlines` (a dashboard's breached ones): each step that is due is
        taken (once per database, see `escalate`; all of a round's steps in one transaction, so a start with
        hundreds of old breaches costs one commit), each unacknowledged step's alert repeats on its grid.
        `since`: when the caller's previous round ran (None: none yet, so missed repeats are not replayed).
        Reads the steps stored for these deadlines only: the work follows the breaches, not the history."""
        from storage.views import escalation_states

        now = self.clock.now()
        ladder, calendar = self.settings.escalation, self.settings.calendar
        breached = [deadline for deadline in deadlines if deadline.pending and deadline.due_at <= now]
        if not breached:
            return []
        states = escalation_states(self.database, [deadline.case_id or 0 for deadline in breached])
        alerts: list[LadderAlert] = []
        to_take: list[LadderAlert] = []
        for deadline in breached:
            due = due_now(deadline, now, since, ladder, states.get(key_of(deadline), LadderState()))
            if due is None:
                continue
            step = due.take if due.take is not None else due.repeat
            assert step is not None
            alert = LadderAlert(
                deadline,
                step,
                ladder.rungs[step].role,
                target(step, deadline, ladder, calendar, now),
                repeat=due.take is None,
            )
            (alerts if alert.repeat else to_take).append(alert)
        if to_take:
            with self.database.write() as session:
                for alert in to_take:
                    # None: another dashboard took it (its event reaches this one by live sync).
                    if self._take_step(session, alert.deadline, alert.step, alert.role, alert.target, None):
                        alerts.append(alert)
        return alerts

    def acknowledge(self, case_id: int, actor: str, *, recorded_by: str | None = None) -> Case:
        """Acknowledge the case's escalation: its repeats stop (the ladder still climbs if it stays
        breached). Refused (ValidationError) when no step of a deadline still owed waits for one."""
        if not actor.strip():
            raise ValidationError(["actor: who acknowledges must be named"])
        now = self.clock.now()
        with self.database.write() as session:
            row = case_row(session, case_id)
            (case,) = with_pauses(session, [case_from_row(row)])
            owed = {
                key_of(d) for d in pending_deadlines(case, self.settings.deadlines, self.settings.calendar)
            }
            waiting = [
                escalation
                for escalation in session.execute(
                    select(EscalationRow)
                    .where(EscalationRow.case_id == case_id, EscalationRow.acked_at.is_(None))
                    .order_by(EscalationRow.due_at.desc(), EscalationRow.step.desc())
                ).scalars()
                if (case_id, escalation.kind, escalation.due_at) in owed
            ]
            if not waiting:
                raise ValidationError([f"case #{case_id} has no escalation waiting to be acknowledged"])
            newest = waiting[0]
            for escalation in waiting:
                escalation.acked_at, escalation.acked_by = now, actor.strip()
            payload = AcknowledgePayload(newest.kind, newest.due_at, newest.step)
            text = f"acknowledged step {newest.step + 1} of the {newest.kind} escalation ({newest.target})"
            event = self._stamped(Event(now, actor.strip(), Action.ACKNOWLEDGE, text, payload), recorded_by)
            workflow.apply(case, event)
            stored = event_row(case_id, event)
            session.add(stored)
            session.flush()
            session.execute(update(CaseRow).where(CaseRow.id == case_id).values(last_event_id=stored.id))
            session.refresh(row)
            return replace(case_from_row(row), pauses=case.pauses)

    # -- absence -----------------------------------------------------------------------------------------

    def mark_absent(self, agent: str, actor: str) -> Absence:
        """Record `agent` as absent from now (already absent: the standing absence is returned)."""
        name = agent.strip()
        problems = intake.event_problems(actor.strip(), "", {"agent": name})
        if not name:
            problems.append("agent: name who is absent")
        if not actor.strip():
            problems.append("actor: who marks the absence must be named")
        if problems:
            raise ValidationError(problems)
        with self.database.write() as session:
            standing = session.execute(
                select(AbsenceRow).where(AbsenceRow.agent == name, AbsenceRow.ended_at.is_(None))
            ).scalar()
            if standing is not None:
                return Absence(standing.agent, standing.since, standing.marked_by)
            row = AbsenceRow(agent=name, since=self.clock.now(), marked_by=actor.strip())
            session.add(row)
            session.flush()
            return Absence(row.agent, row.since, row.marked_by)

    def mark_present(self, agent: str, actor: str) -> bool:
        """End `agent`'s absence (who and when kept on the row); False when they were not absent."""
        with self.database.write() as session:
            result = session.execute(
                update(AbsenceRow)
                .where(AbsenceRow.agent == agent.strip(), AbsenceRow.ended_at.is_(None))
                .values(ended_at=self.clock.now(), ended_by=actor.strip())
            )
            return bool(getattr(result, "rowcount", 0))

    def hand_over_absent(
        self, moves: Sequence[Move], actor: str, *, recorded_by: str | None = None
    ) -> tuple[list[Case], list[str]]:
        """Carry out an absence's plan (core.absence.plan_absence), one reassignment (with its note) per
        case; returns the cases handed over and a line per case that could not be (it changed meanwhile)."""
        done: list[Case] = []
        problems: list[str] = []
        for move in moves:
            try:
                done.append(
                    self.act(
                        move.case_id,
                        Action.REASSIGN,
                        actor,
                        move.note,
                        ReassignPayload(move.to, owner_to=move.owner_to),
                        recorded_by=recorded_by,
                    )
                )
            except (workflow.WorkflowError, ValidationError, CaseNotFound) as error:
                problems.append(f"#{move.case_id}: {error}")
        return done, problems

    def pause(
        self,
        case_id: int,
        actor: str,
        reason: str,
        *,
        until: datetime | None = None,
        expected_version: int | None = None,
        recorded_by: str | None = None,
    ) -> Case:
        """Stop the case's fix-or-update clock while it waits on the customer (`reason`), until `until`
        if given, and never past the configured cap; WorkflowError when no clock runs or it is paused."""
        return self.act(
            case_id,
            Action.PAUSE,
            actor,
            "",
            PausePayload(reason.strip(), until),
            expected_version=expected_version,
            recorded_by=recorded_by,
        )

    def resume(
        self,
        case_id: int,
        actor: str,
        text_: str = "",
        *,
        why: ResumeWhy = ResumeWhy.BY_HAND,
        expected_version: int | None = None,
        recorded_by: str | None = None,
    ) -> Case:
        """Run the paused fix-or-update clock again (`why`: by hand unless said); WorkflowError unless
        paused. A customer contact (an update …) resumes it by restarting it: no resume is needed then."""
        return self.act(
            case_id,
            Action.RESUME,
            actor,
            text_,
            ResumePayload(why),
            expected_version=expected_version,
            recorded_by=recorded_by,
        )

    def get(self, case_id: int) -> Case:
        with self.database.read() as session:
            (case,) = with_pauses(session, [case_from_row(case_row(session, case_id))])
            return case

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
