"""The playbook (core): guidance by tier, channel, publicity; the checklist; templates; gestures; config."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cases import Action, Channel, Stage, Tier
from core.config import ConfigError, Settings, load_settings
from core.gestures import DEFAULT_GESTURES, GestureKind, suggestions
from core.phrase_check import DEFAULT_PHRASES
from core.playbook import Status, checklist, guidance, most_senior, next_due
from core.policy import AuthorityPolicy, DeadlinePolicy
from core.templates import DEFAULT_TEMPLATES, TemplateBook
from core.workflow import apply
from tests.domain_helpers import at, event, make_case

POLICY = DeadlinePolicy()


def about(case_kwargs: dict[str, object], step: Action) -> dict[str, str]:
    return {advice.about: advice.text for advice in guidance(make_case(**case_kwargs), step)}


def test_guidance_follows_the_tier() -> None:
    assert set(about({}, Action.APOLOGIZE)) == {"step", "phone"}  # a standard case: no tier line
    vip = about({"tier": Tier.VIP}, Action.FIX)["vip"]
    chronic = about({"tier": Tier.CHRONIC}, Action.FIX)["chronic"]
    assert "most senior person available" in vip and "now" in vip
    assert "not a bigger" in chronic and "consistent" in chronic
    # Named when known: the one on shift who may give the most, the supervisor first among equals.
    authority = AuthorityPolicy(default_limit=25, limits={"Omar": 250, "Grace": 250, "Ines": 500})
    senior = most_senior(authority, ("Grace", "Billy", "Omar"))
    assert senior == "Grace" and most_senior(authority, ()) == ""
    named = {a.about: a.text for a in guidance(make_case(tier=Tier.VIP), Action.FIX, senior)}["vip"]
    assert "the most senior person available (Grace) approves" in named
    # Every step of the sequence says something for each special tier (its own line or the tier's).
    for step in (Action.APOLOGIZE, Action.UPDATE, Action.DOCUMENT):
        assert about({"tier": Tier.VIP}, step)["vip"].startswith("VIP")
        assert about({"tier": Tier.CHRONIC}, step)["chronic"].startswith("Chronic")


@pytest.mark.parametrize(
    ("channel", "word"),
    [
        (Channel.PHONE, "Phone"),
        (Channel.EMAIL, "E-mail"),
        (Channel.SOCIAL, "Social media"),
        (Channel.IN_PERSON, "In person"),
        (Channel.CHAT, "Chat"),
    ],
)
def test_guidance_follows_the_channel(channel: Channel, word: str) -> None:
    lines = about({"channel": channel}, Action.APOLOGIZE)
    assert lines[channel.value].startswith(word)
    assert channel.value not in about({"channel": channel}, Action.DOCUMENT)  # not a talk with the customer


def test_a_public_case_is_taken_private_first_then_apologised_for_in_public_by_the_named_spokesperson() -> (
    None
):
    private = about({}, Action.APOLOGIZE)
    assert "public" not in private
    public = [advice.text for advice in guidance(make_case(public=True), Action.APOLOGIZE)]
    assert "directly first" in public[-2] and "where it was posted" in public[-2]
    assert "No spokesperson is named yet" in public[-1]
    named = guidance(make_case(public=True, spokesperson="Grace Liu"), Action.PUBLIC_APOLOGY)
    assert named[-1].text == "Public replies go through the spokesperson, Grace Liu."
    assert "apologise to the customer directly first" in named[-2].text  # the case is still new


def test_the_checklist_says_done_due_and_not_yet_with_when_who_and_why() -> None:
    case = make_case(public=True)
    events = [event(Action.OPEN, 0)]
    items = {item.step: item for item in checklist(case, events, POLICY)}
    assert items[Action.APOLOGIZE].status is Status.DUE
    assert (items[Action.APOLOGIZE].at, items[Action.APOLOGIZE].by) == (at(20), "Billy")
    assert items[Action.PUBLIC_APOLOGY].status is Status.NOT_YET
    assert "directly first" in items[Action.PUBLIC_APOLOGY].why
    # What each waits on directly, in the workflow's words (core.workflow.NEXT_STEP).
    assert items[Action.FIX].status is Status.NOT_YET
    assert items[Action.FIX].why == "review the complaint with the customer first"
    assert (items[Action.CLOSE].status, items[Action.CLOSE].why) == (
        Status.NOT_YET,
        "file the deposition first",
    )

    for step in (event(Action.APOLOGIZE, 5, "Hana"), event(Action.REVIEW, 9)):
        apply(case, step)
        events.append(step)
    items = {item.step: item for item in checklist(case, events, POLICY)}
    assert (items[Action.APOLOGIZE].status, items[Action.APOLOGIZE].at) == (Status.DONE, at(5))
    assert items[Action.APOLOGIZE].by == "Hana"
    assert items[Action.PUBLIC_APOLOGY].status is Status.DUE
    assert items[Action.FIX].status is Status.DUE and items[Action.FIX].at == at(29)  # 20 min after review
    assert (
        items[Action.FOLLOW_UP].status is Status.NOT_YET
        and "fix the problem first" in items[Action.FOLLOW_UP].why
    )
    next_step = next_due(checklist(case, events, POLICY))
    assert next_step is not None and next_step.step is Action.PUBLIC_APOLOGY


def test_a_documented_public_case_says_what_still_blocks_closing_and_a_closed_one_is_all_done() -> None:
    case = make_case(public=True)
    events = [event(Action.OPEN, 0)]
    for step in (
        event(Action.APOLOGIZE, 1),
        event(Action.REVIEW, 2),
        event(Action.FIX, 3),
        event(Action.FOLLOW_UP, 9, satisfied=True),
        event(Action.DOCUMENT, 12),
    ):
        apply(case, step)
        events.append(step)
    items = {item.step: item for item in checklist(case, events, POLICY)}
    assert items[Action.CLOSE].status is Status.NOT_YET
    assert "post the public apology first" in items[Action.CLOSE].why
    assert "name a spokesperson first" in items[Action.CLOSE].why
    for step in (
        event(Action.PUBLIC_APOLOGY, 13, "Grace"),
        event(Action.SPOKESPERSON, 14, "Omar", "", name="Grace Liu"),
        event(Action.CLOSE, 15),
    ):
        apply(case, step)
        events.append(step)
    items = {item.step: item for item in checklist(case, events, POLICY)}
    assert all(item.status is Status.DONE for item in items.values()), items
    assert (items[Action.PUBLIC_APOLOGY].at, items[Action.PUBLIC_APOLOGY].by) == (at(13), "Grace")
    assert items[Action.SPOKESPERSON].why == "Grace Liu"


def test_a_fix_the_customer_was_not_happy_with_is_due_again() -> None:
    case = make_case()
    events = [event(Action.OPEN, 0)]
    for step in (
        event(Action.APOLOGIZE, 1),
        event(Action.REVIEW, 2),
        event(Action.FIX, 3),
        event(Action.FOLLOW_UP, 9, satisfied=False),
    ):
        apply(case, step)
        events.append(step)
    assert case.stage is Stage.REVIEWED
    fix = next(item for item in checklist(case, events, POLICY) if item.step is Action.FIX)
    assert fix.status is Status.DUE and "not satisfied" in fix.why


def test_templates_are_per_category_with_an_any_fallback_and_filled_from_the_case() -> None:
    book = TemplateBook(DEFAULT_TEMPLATES)
    late = book.text_for(make_case(category="Late  Delivery", customer="Ada"), Action.APOLOGIZE)
    assert late == "Ada, I'm sorry your Sofa did not arrive when we promised. I'm on it now."
    other = book.text_for(make_case(category="lost parcel", customer="Bo"), Action.APOLOGIZE)
    assert other is not None and other.startswith("Bo, I'm sorry")
    assert book.text_for(make_case(), Action.CLOSE) is None


def test_gesture_suggestions_fit_the_tier_and_the_actors_limit() -> None:
    authority = AuthorityPolicy(default_limit=25, limits={"Omar": 250, "Grace": 60})
    standard = suggestions(Tier.STANDARD, "Billy", DEFAULT_GESTURES, authority, on_shift=("Grace",))
    assert [s.shown for s in standard.within] == [
        "voucher 10",
        "voucher 20",
        "discount 10",
        "discount 25",
        "free delivery 15",
    ]
    assert [(s.shown, s.approvers) for s in standard.above] == [
        ("voucher 50", ("Grace", "Omar")),  # on shift first
        ("upgrade 40", ("Grace", "Omar")),
    ]
    vip = suggestions(Tier.VIP, "Billy", DEFAULT_GESTURES, authority)
    assert vip.within[0].value == 25 and "upgrade 100" in [s.shown for s in vip.above]
    assert vip.above[-1].approvers == ("Omar",)
    chronic = suggestions(Tier.CHRONIC, "Billy", DEFAULT_GESTURES, authority)
    assert [s.shown for s in chronic.within] == ["voucher 10", "discount 10", "free delivery 15"]
    assert chronic.above == () and "not a bigger one" in chronic.lead  # no upgrade: not for chronic
    rich = suggestions(Tier.STANDARD, "Omar", DEFAULT_GESTURES, authority)
    assert rich.above == () and "upgrade 100" in rich.lines()[1] and len(rich.lines()) == 2
    assert standard.lines()[1:] == (
        "Within Billy's limit of 25: voucher 10, voucher 20, discount 10, discount 25, free delivery 15.",
        "Above it, name the approver: voucher 50 (Grace or Omar), upgrade 40 (Grace or Omar).",
    )


PLAYBOOK_TOML = """
[phrases]
use_defaults = false
[[phrases.avoid]]
phrase = "above my pay grade"
instead = "“Let me bring in someone who can decide this now.”"

[templates."Late Delivery"]
apologize = "Dear {customer}, sorry about the {product}."
follow-up = "Checked in with {customer}: …"

[[gestures]]
kind = "flowers"
values = [30, 15]
tiers = ["vip"]
"""


def test_the_config_replaces_phrases_and_adds_templates_and_gestures(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(PLAYBOOK_TOML, encoding="utf-8")
    settings = load_settings(path)
    assert [phrase.words for phrase in settings.phrases] == ["above my pay grade"]
    assert settings.phrase_book.check("That's ABOVE my pay-grade.")
    assert not settings.phrase_book.check("our policy doesn't allow")  # the defaults were left out
    case = make_case(customer="Ada")
    assert settings.template_book.text_for(case, Action.APOLOGIZE) == "Dear Ada, sorry about the Sofa."
    assert settings.template_book.text_for(case, Action.UPDATE) is not None  # shipped ones stay
    assert settings.gestures == (GestureKind("flowers", (15.0, 30.0), frozenset({Tier.VIP})),)
    defaults = Settings()
    assert defaults.phrases == DEFAULT_PHRASES and defaults.gestures == DEFAULT_GESTURES


def test_extending_keeps_the_shipped_phrases(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[phrases.avoid]]\nphrase = "not my problem"\ninstead = "x"\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.phrases == (*DEFAULT_PHRASES, settings.phrases[-1])
    assert settings.phrase_book.check("Not my problem.") and settings.phrase_book.check("not my job")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[phrases]\nuse_defaults = 1", "[phrases] use_defaults: must be true or false"),
        ("[phrases]\nextra = 1", "[phrases] extra: unknown setting"),
        ('[[phrases.avoid]]\nphrase = "x"', "[[phrases.avoid]] #1 instead: missing"),
        ('[[phrases.avoid]]\nphrase = "?!"\ninstead = "x"', "[[phrases.avoid]] #1 phrase: has no words"),
        (
            '[[phrases.avoid]]\nphrase = "… x"\ninstead = "x"',
            "[[phrases.avoid]] #1 phrase: “…” stands between",
        ),
        ('[templates.billing]\nclose = "x"', "[templates.billing] close: not a step with a text template"),
        ('[templates.billing]\nfix = "{amount}"', "[templates.billing] fix: unknown placeholder {amount}"),
        ("[templates.billing]\nfix = 3", "[templates.billing] fix: must be a string"),
        ('[[gestures]]\nkind = "v"\nvalues = []', "[[gestures]] #1 values: must be a non-empty list"),
        ('[[gestures]]\nkind = "v"\nvalues = ["a"]', "[[gestures]] #1 values #1: must be a number"),
        ('[[gestures]]\nkind = "v"\nvalues = [1]\ntiers = ["gold"]', "[[gestures]] #1 tiers gold: unknown"),
        ("[[gestures]]\nvalues = [1]", "[[gestures]] #1 kind: missing"),
    ],
)
def test_playbook_config_mistakes_name_the_file_and_the_field(
    tmp_path: Path, toml: str, message: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert str(raised.value).startswith(f"{path}: {message}"), str(raised.value)
