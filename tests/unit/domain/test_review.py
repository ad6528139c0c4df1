"""Review workflows (domain/review.py): one mechanism, each area's statuses and decisions as data."""

from __future__ import annotations

import pytest

from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.review import (
    FINDING_REVIEW,
    FLAG_REVIEW,
    LEAD_REVIEW,
    MATERIAL_REVIEW,
    Decision,
    IllegalReview,
    Workflow,
)


# ---- marketing pre-review ------------------------------------------------------------------------------
@pytest.mark.parametrize("decision, to", [("approve", "approved"), ("reject", "rejected"),
                                          ("request_changes", "changes_requested")])
def test_a_pending_material_can_be_approved_rejected_or_sent_back(decision, to):
    assert MATERIAL_REVIEW.move("pending", decision) == to


def test_revoke_only_from_approved():
    assert MATERIAL_REVIEW.move("approved", "revoke") == "revoked"
    for status in ("pending", "rejected", "changes_requested", "revoked"):
        with pytest.raises(IllegalReview):
            MATERIAL_REVIEW.move(status, "revoke")


@pytest.mark.parametrize("status", ["approved", "rejected", "changes_requested", "revoked"])
def test_a_decided_material_is_not_decided_again_but_resubmitted(status):
    for decision in ("approve", "reject", "request_changes"):
        assert not MATERIAL_REVIEW.can(status, decision)


def test_a_new_material_awaits_review():
    assert MATERIAL_REVIEW.initial == "pending"


@pytest.mark.parametrize("spelling, decision", [("approved", "approve"), ("rejected", "reject"),
                                                ("changes", "request_changes"), ("request-changes", "request_changes"),
                                                ("revoked", "revoke")])
def test_the_api_and_cli_spellings_of_a_marketing_decision_are_accepted(spelling, decision):
    assert MATERIAL_REVIEW.decision(spelling).name == decision


# ---- collection QA ------------------------------------------------------------------------------------
def test_a_finding_is_disputed_only_while_it_stands():
    assert FINDING_REVIEW.initial == "open"
    assert FINDING_REVIEW.move("open", "dispute") == "disputed"
    for status in ("disputed", "upheld", "overturned"):
        with pytest.raises(IllegalReview):
            FINDING_REVIEW.move(status, "dispute")


@pytest.mark.parametrize("ruling, to", [("uphold", "upheld"), ("overturn", "overturned"),
                                        ("upheld", "upheld"), ("overturned", "overturned")])
def test_only_a_disputed_finding_is_upheld_or_overturned(ruling, to):
    assert FINDING_REVIEW.move("disputed", ruling) == to
    for status in ("open", "upheld", "overturned"):
        assert not FINDING_REVIEW.can(status, ruling)


# ---- black/gray review --------------------------------------------------------------------------------
@pytest.mark.parametrize("workflow", [LEAD_REVIEW, FLAG_REVIEW], ids=["lead", "flag"])
def test_an_analyst_may_confirm_or_reject_from_any_status_and_change_their_mind(workflow):
    for status in workflow.statuses:
        assert workflow.move(status, "confirm") == "confirmed"
        assert workflow.move(status, "reject") == "rejected"


def test_leads_start_open_and_flags_pending():
    assert (LEAD_REVIEW.initial, FLAG_REVIEW.initial) == ("open", "pending")


def test_an_unknown_blackgray_decision_is_an_invalid_value_naming_the_choices():
    with pytest.raises(InvalidValue) as e:
        LEAD_REVIEW.decision("maybe")
    assert (e.value.field, e.value.reason) == ("decision", "须为 confirm（确认）或 reject（排除）")


# ---- the mechanism ------------------------------------------------------------------------------------
def test_an_unknown_decision_lists_the_decisions_by_default():
    with pytest.raises(InvalidValue) as e:
        MATERIAL_REVIEW.decision("publish")
    assert e.value.reason == "应为 approve / reject / request_changes / revoke"


def test_a_refused_move_names_both_states_and_the_decision():
    with pytest.raises(IllegalReview) as e:
        MATERIAL_REVIEW.move("pending", "revoke")
    err = e.value
    assert (err.code, err.current, err.target, err.decision) == ("illegal_transition", "pending", "revoked", "revoke")
    assert err.details == {"current": "pending", "target": "revoked", "decision": "revoke"}
    assert "「待审核」(pending)" in err.message and "「已撤销」(revoked)" in err.message
    assert "撤销通过只适用于「已通过」状态" in err.message


def test_a_status_the_workflow_does_not_know_is_refused_not_passed_through():
    with pytest.raises(IllegalReview):
        FLAG_REVIEW.move("archived", "confirm")


def test_a_workflow_naming_an_unknown_status_fails_when_it_is_defined():
    with pytest.raises(ValueError, match="unknown statuses"):
        Workflow("物", {"a": "甲"}, [Decision("go", "b", frozenset({"a"}), "前进")], initial="a")
    with pytest.raises(ValueError, match="initial"):
        Workflow("物", {"a": "甲"}, [], initial="z")
    with pytest.raises(ValueError, match="alias"):
        Workflow("物", {"a": "甲"}, [], initial="a", aliases={"went": "go"})
