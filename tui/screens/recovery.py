"""The recovery keys (forms, reassign, new case, trends, export, help) of the main screen and case view."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Static

from core.cases import Action, Case
from core.pauses import DEFAULT_PAUSE_CAP
from core.policy import AuthorityError
from core.workflow import WorkflowError, refusal
from storage.errors import CaseNotFound, ConflictError, DatabaseError, ValidationError
from tui.live_sync import UNREACHABLE
from tui.screens.keys import DESCRIPTIONS, MAIN_KEYS, MORE_KEYS, RECOVERY_KEYS
from tui.text import joined, literal, one_line

# The forms, the picker and help are imported when first asked for, not before the dashboard's first frame.
if TYPE_CHECKING:
    from tui.app import ShiftdeskApp
    from tui.forms import CaseForm
    from tui.screens.form import Submit
    from tui.screens.reassign import ReassignPicker


def explain(error: BaseException) -> str:
    """One line a supervisor understands, for every refusal the service can give."""
    if isinstance(error, ValidationError):
        return "; ".join(error.problems)
    if isinstance(error, (WorkflowError, AuthorityError)):
        return str(error)
    if isinstance(error, CaseNotFound):
        return f"case #{error.args[0]} does not exist"
    if isinstance(error, DatabaseError):
        return f"{UNREACHABLE}: nothing was saved ({error})"
    return f"{type(error).__name__}: {error}"


def possible_now(
    case: Case, at: datetime | None = None, pause_cap: timedelta = DEFAULT_PAUSE_CAP
) -> Text | None:
    """The recovery keys core/ allows on `case` now, e.g. "Possible now: a Apologize · r Reassign"
    (pause and resume judged at `at`: whether the clock is paused depends on the time)."""
    from tui.forms import CASE_FORMS

    steps = []
    for binding in (*RECOVERY_KEYS, *MORE_KEYS):
        name = binding.action.removeprefix("form('").removesuffix("')")
        action = CASE_FORMS[name].action if name in CASE_FORMS else None
        if binding.action == "reassign":
            action = Action.REASSIGN
        if action in (Action.PUBLIC_APOLOGY, Action.SPOKESPERSON) and not case.public:
            continue  # allowed, but no next step for a case the public did not see
        if action is not None and refusal(case, action, at, pause_cap) is None:
            steps.append(f"{binding.key_display or binding.key} {binding.description}")
    return Text("Possible now: " + " · ".join(steps)) if steps else None


def context_line(case: Case) -> Text:
    return joined(
        f"#{case.id} · {case.stage.value} · ",
        one_line(case.customer, 40),
        " · ",
        one_line(case.category, 30),
        " · assigned to ",
        one_line(case.assignee, 30),
    )


class RecoveryScreen(Screen[None]):
    """A screen whose keys act on one case: the highlighted row, or the case shown."""

    BINDINGS: ClassVar[list[BindingType]] = []

    @property
    def desk(self) -> ShiftdeskApp:
        from tui.app import ShiftdeskApp

        assert isinstance(self.app, ShiftdeskApp)
        return self.app

    def current_case_id(self) -> int | None:
        raise NotImplementedError

    def case_shown(self, case_id: int) -> Case | None:
        """The case when it is no longer on the board (closed meanwhile): the case view still has it."""
        return None

    def current_case(self) -> Case | None:
        case_id = self.current_case_id()
        if case_id is None:
            self.refuse(literal("No case is highlighted: move to one with ↑/↓ first."))
            return None
        case = self.desk.board.cases.get(case_id) or self.case_shown(case_id)
        if case is None:
            self.refuse(literal(f"Case #{case_id} is not open."))
        return case

    def refused_before_form(self, case: Case, action: Action) -> bool:
        """Say at once why an action cannot happen now, rather than after the user typed a text."""
        now, cap = self.desk.now(), self.desk.settings.deadlines.pause_cap
        reason = refusal(case, action, now, cap)
        if reason:
            self.refuse(literal(reason), possible_now(case, now, cap))
        return reason is not None

    def refuse(self, reason: Text, next_steps: Text | None = None) -> None:
        """A refusal in a small modal that keeps the keys typed after it (a toast let them fire: a text
        typed for a form that never opened ran the dashboard's letter keys)."""
        from tui.screens.confirm import RefusalScreen

        self.app.push_screen(RefusalScreen("Not now", reason, next_steps))

    # -- the forms -----------------------------------------------------------------------------------

    def action_form(self, name: str) -> None:
        """Open the form `name` of tui.forms.CASE_FORMS on the current case."""
        from tui.form_playbook import playbook_parts
        from tui.forms import CASE_FORMS, fields_for
        from tui.screens.form import FormScreen, FormSpec

        case = self.current_case()
        form = CASE_FORMS[name]
        if case is None or case.id is None or self.refused_before_form(case, form.action):
            return
        desk = self.desk
        note = form.note(desk.settings, desk.actor, case, desk.now()) if form.note else ""
        playbook = playbook_parts(desk.settings, form, case, desk.now())
        spec = FormSpec(
            form.title,
            context_line(case),
            fields_for(form, case),
            note=note,
            note_after=form.note_after,
            guidance=playbook.guidance,
            check=playbook.check,
            template=playbook.template,
        )
        self.app.push_screen(FormScreen(spec, self.submitter(case, form)))

    def submitter(self, case: Case, form: CaseForm) -> Submit:
        """The form's submit: runs the service call off the UI thread, keeps the text on any refusal."""
        from tui.form_playbook import hints_on
        from tui.forms import Submission
        from tui.screens.form import FormScreen

        desk = self.desk
        assert case.id is not None
        case_id, expected = case.id, {"version": case.version}

        async def submit(values: dict[str, Any]) -> str | None:
            try:
                service = await desk.ready_service()
                submission = Submission(case_id, desk.actor, expected["version"], values)
                updated = await asyncio.to_thread(form.call, service, submission)
            except ConflictError as conflict:
                fresh = conflict.current
                expected["version"] = fresh.version
                desk.main_screen.take_in([fresh])
                if isinstance(desk.screen, FormScreen):  # its header names the case as it is now
                    desk.screen.query_one("#form-context", Static).update(context_line(fresh))
                return (
                    f"Case #{fresh.id} changed while you were typing: it is now {fresh.stage.value}, "
                    f"assigned to {fresh.assignee} (version {fresh.version}). Your text is kept: "
                    "ctrl+s applies it to the new state, Esc cancels."
                )
            except (WorkflowError, AuthorityError, ValidationError, CaseNotFound, DatabaseError) as error:
                return explain(error)
            except ValueError as error:
                return str(error)
            desk.main_screen.take_in([updated])
            hints = hints_on(desk.settings, form, values)
            # Saved whatever the phrase check found; the count is what the shift summary will show.
            noted = f" · {hints} phrase hint{'s' if hints > 1 else ''} noted" if hints else ""
            desk.confirm(
                literal(f"#{updated.id}: {updated.stage.value}, assigned to {updated.assignee}{noted}")
            )
            return None

        return submit

    def action_new_case(self) -> None:
        from tui.forms import NEW_CASE, new_case_from
        from tui.screens.form import FormScreen

        desk = self.desk

        async def submit(values: dict[str, Any]) -> str | None:
            case = new_case_from(values, desk.now())
            try:
                service = await desk.ready_service()
                stored = await asyncio.to_thread(service.open_case, case, desk.actor)
            except (ValidationError, DatabaseError, ValueError) as error:
                return explain(error)
            desk.main_screen.take_in([stored])
            desk.confirm(joined(f"opened #{stored.id} for ", one_line(stored.customer)))
            return None

        self.app.push_screen(FormScreen(NEW_CASE, submit))

    # -- reassigning -----------------------------------------------------------------------------------

    def roster(self) -> tuple[str, ...]:
        """The running shift's agents (none when no shift, or no roster, is configured)."""
        occurrence = self.desk.settings.calendar.at(self.desk.now())
        return occurrence.shift.agents if occurrence else ()

    def action_reassign(self) -> None:
        from tui.screens.reassign import Candidate, ReassignPicker

        case = self.current_case()
        if case is None or case.id is None or self.refused_before_form(case, Action.REASSIGN):
            return
        desk = self.desk
        roster = list(self.roster())

        # The roster and everyone with open cases, each with their open load: the main screen's last
        # Reads.agent_loads(), re-read after every change, so the key itself waits on no query.
        loads = desk.main_screen.agent_loads
        if loads is None:  # just started, painted from the quick read: the same count, from its open cases
            loads = dict(Counter(case.assignee for case in desk.board.cases.values()))
        candidates = [Candidate(name, loads.get(name, 0), True) for name in roster]
        if roster:
            candidates += [
                Candidate(name, load, False, "not on this shift")
                for name, load in sorted(loads.items())
                if name not in roster
            ]
        else:  # no roster configured: everyone with open cases, and who worked the recent cases
            recent = desk.main_screen.recent_agents
            candidates += [Candidate(name, load, True) for name, load in sorted(loads.items())]
            # Who holds open cases is working now; a name seen on the last 30 days' cases may be off
            # today, so never under the cursor first (r, Enter once handed a case to such a name).
            candidates += [
                Candidate(name, 0, False, "seen on recent cases") for name in recent if name not in loads
            ]
        absent = desk.board.absent
        # Absent people are never offered first: listed last, said so.
        candidates = [
            replace(candidate, on_shift=False, remark="absent") if candidate.name in absent else candidate
            for candidate in candidates
        ]
        note = (
            f"{case.owner} stays the customer's ally and owes a check-back after the hand-over."
            if case.owner
            else ""
        )
        orphaned = desk.board.orphaned(case, desk.now())
        title = joined(
            f"ORPHANED ({orphaned}) · " if orphaned else "",
            "Reassign ",
            f"#{case.id} ",
            one_line(case.customer, 30),
            " — now with ",
            one_line(case.assignee, 30),
        )
        case_id, version = case.id, case.version

        async def hand_over(agent: str) -> None:
            await self.reassign(case_id, agent, version, closing=picker)

        picker = ReassignPicker(title, candidates, case.assignee, note, hand_over=hand_over)
        self.app.push_screen(picker)

    async def reassign(
        self, case_id: int, agent: str, version: int, closing: ReassignPicker | None = None
    ) -> None:
        """Write the hand-over; then, in one go (one frame), close `closing` and show the result."""
        desk = self.desk
        outcome: Case | Exception
        try:
            service = await desk.ready_service()
            outcome = await asyncio.to_thread(
                service.reassign, case_id, agent, desk.actor, expected_version=version
            )
        except (ConflictError, WorkflowError, ValidationError, CaseNotFound, DatabaseError) as error:
            outcome = error
        if closing is not None:
            closing.dismiss()
        if isinstance(outcome, ConflictError):
            desk.main_screen.take_in([outcome.current])
            desk.notify(
                literal(
                    f"#{case_id} changed meanwhile (now {outcome.current.stage.value}, assigned to "
                    f"{outcome.current.assignee}): not reassigned. Press r to try again."
                ),
                severity="warning",
                timeout=8,
            )
        elif isinstance(outcome, Exception):
            desk.notify(literal(explain(outcome)), severity="error", timeout=8)
        else:
            desk.main_screen.take_in([outcome])
            desk.confirm(joined(f"#{case_id} reassigned to ", one_line(outcome.assignee)), timeout=3)

    # -- other screens -----------------------------------------------------------------------------

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.key_help()))

    def key_help(self) -> list[tuple[str, str]]:
        rows = [("↑ ↓ / j k", "move in the open breakdowns")]
        for binding in MAIN_KEYS:
            key = binding.key_display or binding.key
            rows.append((key, DESCRIPTIONS.get(binding.action, binding.description)))
        rows += [
            ("Esc", "back / cancel"),
            ("ctrl+t", "in a case form: insert the step's template for the case's category, then edit it"),
            ("ctrl+p", "command palette: every action by name"),
        ]
        return rows

    def action_trends(self) -> None:
        from core.hotspots import boundaries_for
        from tui.screens.trends import TrendsScreen

        desk = self.desk

        async def open_trends() -> None:
            reads = await desk.ready_reads()
            desk.push_screen(
                TrendsScreen(reads, desk.settings.zone, desk.now(), boundaries_for(desk.settings.shifts))
            )

        desk.run_worker(open_trends(), group="trends")

    def action_acknowledge(self) -> None:
        case = self.current_case()
        if case is not None and case.id is not None:
            from tui.absence import acknowledge

            self.desk.run_worker(acknowledge(self, case.id), group="write")

    def action_absent(self) -> None:
        from tui.absence import pick_absent

        pick_absent(self)

    def action_export(self) -> None:
        from tui.export import export_now

        self.desk.run_worker(export_now(self.desk), group="export")
