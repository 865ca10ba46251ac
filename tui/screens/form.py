"""One small modal form for every recovery action: typed text is kept until the service accepts it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from tui.screens.choice import ChoiceField
from tui.screens.modal import OnceModal
from tui.text import literal


@dataclass(frozen=True)
class Field:
    """One input of a form."""

    name: str
    label: str
    kind: str = "text"  # text | number | choice (a Select) | either (a ChoiceField: no default, Enter-proof)
    required: bool = False
    initial: Any = ""
    choices: tuple[str, ...] = ()
    placeholder: str = ""
    # Its text is what the customer heard: checked for phrases to avoid as it is typed (FormSpec.check).
    checked: bool = False


# The gentle hints for the texts of a form's checked fields (never a refusal: saving goes on).
PhraseCheck = Callable[[Sequence[str]], Sequence[str]]


@dataclass
class FormSpec:
    title: str
    context: Text | str = ""
    fields: list[Field] = field(default_factory=list)
    note: str = ""
    # The field the note goes under (the fix's gesture suggestions under "Something extra"); "": at the end.
    note_after: str = ""
    # What to keep in mind at this step for this case (core/playbook.py), one line each, above the fields.
    guidance: Sequence[str] = ()
    check: PhraseCheck | None = None
    # A text to start from (core/templates.py), inserted into `template_field` with ctrl+t.
    template: str | None = None
    template_field: str = "text"

    @property
    def checked_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields if spec.checked) if self.check else ()


Submit = Callable[[dict[str, Any]], Awaitable[str | None]]


class FormSelect(Select[str]):
    """A Select whose Enter moves to the next field, as the form's hint says (↓ or space opens the list).

    Textual's Select opens its list on Enter, and Enter in the list picks and closes it: with Enter-only
    navigation a form stalled on its first Select.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "next_field", "Next field", show=False)]

    def action_next_field(self) -> None:
        self.post_message(ChoiceField.Done(self))


class FormInput(Input):
    """A form's text field that keeps keys typed ahead in order.

    Textual hands a key to the widget focused when the key *arrives*: in a fast burst ("reason", Enter,
    "15:40", ctrl+s: a quick typist on a loaded machine, a paste, a script) every key was already queued here
    before Enter moved the focus on, so "15:40" went into the reason and ctrl+s saved before any of it was
    typed. Enter now moves on as this field reaches it, and a key queued here after that is handed, in
    order, to the field that has the focus.
    """

    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused
        if focused is not None and focused is not self:
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))
            return
        if event.key == "enter" and isinstance(self.screen, FormScreen):
            event.stop()
            event.prevent_default()
            self.screen.advance_from(self)
            return
        await super()._on_key(event)


class FormScreen(OnceModal[dict[str, Any] | None]):
    """Enter moves to the next field (saves on the last); ctrl+s saves; Esc cancels.

    `submit` returns None when the service accepted the values, or a message: then the form stays open with
    everything the user typed (a refusal, a conflict, an unreachable database).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        # Not priority bindings: taken in turn after the keys typed before them (see FormInput).
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+t", "template", "Template"),
    ]

    def __init__(self, spec: FormSpec, submit: Submit) -> None:
        super().__init__(classes="form-screen")
        self.spec = spec
        self.submit = submit
        self.saving = False
        self.hints_shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(Text(self.spec.title, style="bold"), id="form-title")
            if self.spec.context:
                context = self.spec.context
                yield Static(context if isinstance(context, Text) else literal(context), id="form-context")
            # The playbook's guidance and the note scroll with the fields: the title, the hints, the error
            # and the keys' line must stay on screen at 80×24, however long they are.
            with VerticalScroll(id="form-fields"):
                if self.spec.guidance:
                    yield Static(guidance_text(self.spec.guidance), id="form-guidance")
                for spec in self.spec.fields:
                    label = spec.label + (" *" if spec.required else "")
                    yield Label(label, classes="field-label")
                    if spec.kind == "either":
                        yield ChoiceField(spec.choices, id=f"field-{spec.name}")
                    elif spec.kind == "choice":
                        yield FormSelect(
                            [(choice, choice) for choice in spec.choices],
                            value=spec.initial if spec.initial in spec.choices else Select.NULL,
                            allow_blank=not spec.required,
                            id=f"field-{spec.name}",
                        )
                    else:
                        yield FormInput(
                            str(spec.initial or ""),
                            placeholder=spec.placeholder,
                            type="number" if spec.kind == "number" else "text",
                            id=f"field-{spec.name}",
                        )
                    if spec.name == self.spec.note_after and self.spec.note:
                        yield Static(literal(self.spec.note), id="form-note")
                if self.spec.note and not self.spec.note_after:
                    yield Static(literal(self.spec.note), id="form-note")
            if self.spec.checked_names:
                hints = Static("", id="form-phrases")
                hints.display = False
                yield hints
            yield Static("", id="form-error")
            lists = any(spec.kind == "choice" for spec in self.spec.fields)
            yield Static(
                "Enter: next field · "
                + ("↓: open a list · " if lists else "")
                + ("ctrl+t: template · " if self.spec.template else "")
                + "ctrl+s: save · Esc: cancel",
                id="form-hint",
            )

    def on_mount(self) -> None:
        fields = [widget for widget in self.query("#form-fields > *") if widget.can_focus]
        if fields:
            fields[0].focus()
        self.call_after_refresh(self.fit_fields)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_fields)

    def fit_fields(self) -> None:
        """Give the fields what the terminal has left, so they scroll (to the focused one) while the title,
        the error and the hint stay on screen: at 80×24 the new-case form ran past the bottom, and with it
        the focused field and the message saying why Enter did not save."""
        form, fields = self.query_one("#form"), self.query_one("#form-fields", VerticalScroll)
        others = sum(child.outer_size.height for child in form.children if child is not fields)
        room = int(self.size.height * 0.95) - others - form.styles.gutter.height
        height = max(3, min(30, room))
        if fields.styles.max_height is None or fields.styles.max_height.value != height:
            fields.styles.max_height = height
        # Once the new height is laid out: scrolled to before, the focused field could end up below it.
        self.call_after_refresh(self.show_focused)

    def show_focused(self) -> None:
        fields = self.query_one("#form-fields", VerticalScroll)
        if self.focused is not None and self.focused in fields.children:
            fields.scroll_to_widget(self.focused, animate=False, immediate=True)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for spec in self.spec.fields:
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, ChoiceField):
                values[spec.name] = widget.value or ""
            elif isinstance(widget, Select):
                values[spec.name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Input):
                values[spec.name] = widget.value
        return values

    def show_error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(literal(message, style="bold red"))
        self.call_after_refresh(self.fit_fields)  # a message of two lines must not push the hint off

    @on(Input.Submitted)
    @on(ChoiceField.Done)
    def next_field(self, event: Input.Submitted | ChoiceField.Done) -> None:
        self.advance_from(event.input if isinstance(event, Input.Submitted) else event.field)

    def advance_from(self, field: Widget) -> None:
        """Enter on `field`: the next field, or save on the last."""
        inputs = [widget for widget in self.query("#form-fields > *") if widget.can_focus]
        unanswered = isinstance(field, ChoiceField) and field.value is None
        # Enter on an unanswered either-or stays there (the save refuses and names it): moving on, the letter
        # typed next to answer it ("s") went into the next field instead and replaced a prefilled "Done by".
        if not unanswered and field in inputs and inputs.index(field) < len(inputs) - 1:
            # At once, not after a refresh as `focus()` does: a key already queued behind this Enter must
            # find the next field focused (FormInput hands it on).
            self.set_focus(inputs[inputs.index(field) + 1])
        else:
            self.run_worker(self.action_save(), exclusive=True)

    @on(ChoiceField.Changed)
    def chosen(self) -> None:
        # The "Choose one for …" that refused the save is answered now: it must not stay on screen.
        if not self.saving:
            self.query_one("#form-error", Static).update("")

    @on(Input.Changed)
    def typed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.removeprefix("field-") in self.spec.checked_names:
            self.show_phrase_hints()

    def phrase_hints(self) -> list[str]:
        """The hints the checked fields' texts draw now (none for a form without checked fields)."""
        if self.spec.check is None or not self.spec.checked_names:
            return []
        texts = [self.query_one(f"#field-{name}", Input).value for name in self.spec.checked_names]
        return list(self.spec.check(texts))

    def show_phrase_hints(self) -> list[str]:
        hints = self.phrase_hints()
        if self.spec.checked_names and hints != self.hints_shown:
            shown = self.query_one("#form-phrases", Static)
            shown.update(phrase_text(hints))
            shown.display = bool(hints)  # no empty line under the fields while there is nothing to say
            if len(hints) != len(self.hints_shown):  # the lines they take come off the fields' room
                self.call_after_refresh(self.fit_fields)
            self.hints_shown = hints
        return hints

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # ctrl+t only where there is a template to insert (else the key does nothing and is not offered).
        return self.spec.template is not None if action == "template" else True

    def action_template(self) -> None:
        """Insert the step's template at the cursor of its field (the whole field when it is empty)."""
        if self.spec.template is None:
            return
        field_input = self.query_one(f"#field-{self.spec.template_field}", Input)
        if field_input.value.strip():
            field_input.insert_text_at_cursor(self.spec.template)
        else:
            field_input.value = self.spec.template
            field_input.cursor_position = len(field_input.value)
        field_input.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    async def action_save(self) -> None:
        if self.saving or self.closing:  # an Enter queued behind the one that saved must not save again
            return
        values = self.values()
        missing = [
            spec
            for spec in self.spec.fields
            if spec.required and spec.kind != "either" and not str(values.get(spec.name, "")).strip()
        ]
        problems = ["Required: " + ", ".join(spec.label for spec in missing)] if missing else []
        # An either-or is named with its options: the one answer a form must never guess.
        unchosen = [spec for spec in self.spec.fields if spec.kind == "either" and not values[spec.name]]
        problems += [f"Choose one for “{spec.label}”: " + " or ".join(spec.choices) for spec in unchosen]
        if problems:
            self.show_error(" · ".join(problems))
            # The cursor goes to the first field named, in the form's order: left where the save was asked
            # for (the last field, reached by Enter past an empty one), what is typed next would go there.
            named = {spec.name for spec in (*missing, *unchosen)}
            first = next(spec for spec in self.spec.fields if spec.name in named)
            self.query_one(f"#field-{first.name}").focus()
            return
        self.show_phrase_hints()  # a hint is shown, never a reason not to save
        self.saving = True
        self.query_one("#form-error", Static).update(Text("saving…", style="dim"))
        try:
            problem = await self.submit(values)
        finally:
            self.saving = False
        if problem:
            self.show_error(problem)
        else:
            self.dismiss(values)


def guidance_text(lines: Sequence[str]) -> Text:
    """The step's guidance: one line each (a spokesperson's name in it is user text: shown literally)."""
    return _marked_lines(lines, "› ", "bold")


def phrase_text(hints: Sequence[str]) -> Text:
    """The phrase check's hints, gently: a suggestion, not an error (saving is never refused)."""
    return _marked_lines(hints, "hint: ", "bold yellow")


def _marked_lines(lines: Sequence[str], mark: str, style: str) -> Text:
    """One line each after `mark` (in `style`); the lines themselves literal."""
    text = Text()
    for number, line in enumerate(lines):
        if number:
            text.append("\n")
        text.append(mark, style=style)
        text.append(literal(line))
    return text
