"""Every review step LeadService applies leaves a labelled example (sinks/examples.py), on the real
MongoDB-wire server: what it holds, which steps label what, each lead's last word, held-out leads,
and the reviewers' agreement with the model."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from civicwatch.exceptions import StaleLeadError
from civicwatch.models import Decision, Lead
from sinks.examples import ReviewExamples, corpus_row, held_out, latest_per_lead
from sinks.leads import LeadService
from sinks.mongo import Store
from tests.sinks.test_sinks_store import CONFIG, T0, decision, post


def record(store: Store, pid: str, text: str, **kw: object) -> Lead:
    """A lead whose stored text is masked, as the crawl stores it, decided by a named model."""
    p = post(pid, text)
    d: Decision = replace(decision(pid, **kw), text_masked=text.replace("13812345678", "138****5678"),
                          model_version="ngram-test")
    lead, _ = LeadService(store, CONFIG.catalogue).record(p, d, text_masked=d.text_masked, title_masked=None,
                                                          author_hash="abc", now=T0)
    return lead


def examples(store: Store) -> list:
    return list(ReviewExamples(store.db).since())


def test_verify_stores_the_masked_text_the_corrected_labels_who_when_and_the_model(
        store: Store, service: LeadService) -> None:
    lead = record(store, "1", "福田区梅林街道井盖丢了，电话13812345678")
    service.verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version,
                                corrections={"item": "DL01", "district": "南山区", "street": "粤海街道"})
    [ex] = examples(store)
    assert (ex.action, ex.actor, ex.lead_id, ex.model_version) == ("verify", "alice", lead.id, "ngram-test")
    assert ex.text_masked == "福田区梅林街道井盖丢了，电话138****5678"  # the stored text, never the raw one
    assert ex.labels.is_lead is True
    assert (ex.labels.item, ex.labels.district, ex.labels.street) == ("DL01", "南山区", "粤海街道")
    assert (ex.model.item, ex.model.district) == ("DL02", "福田区")  # what the chain said before
    assert ex.at == T0 + timedelta(minutes=10)


@pytest.mark.parametrize(("reason", "is_lead"), [("广告或营销", False), ("不在深圳", False), ("重复线索", None),
                                                 ("已由其他渠道处理", None)])
def test_a_rejection_says_not_a_lead_unless_its_reason_is_about_handling(
        store: Store, service: LeadService, reason: str, is_lead: bool | None) -> None:
    lead = record(store, "1", "梅林街道井盖丢了")
    service.reject(lead.id, actor="bob", reason=reason, expected_version=lead.version)
    [ex] = examples(store)
    assert (ex.action, ex.reason, ex.labels.is_lead) == ("reject", reason, is_lead)


def test_correct_then_reject_then_reopen_each_leave_one_and_the_last_word_counts(
        store: Store, service: LeadService) -> None:
    lead = record(store, "1", "梅林街道井盖丢了")
    lead = service.correct(lead.id, actor="alice", expected_version=lead.version, corrections={"urgency": "general"})
    lead = service.reject(lead.id, actor="bob", reason="非民生诉求", expected_version=lead.version)
    assert [e.action for e in latest_per_lead(examples(store))] == ["reject"]
    service.reopen(lead.id, actor="ada", expected_version=lead.version)
    assert [e.action for e in examples(store)] == ["correct", "reject", "reopen"]
    assert examples(store)[0].labels.urgency == "general"
    assert latest_per_lead(examples(store)) == []  # the reopen took it back


def test_a_stale_step_leaves_no_example(store: Store, service: LeadService) -> None:
    lead = record(store, "1", "梅林街道井盖丢了")
    service.reject(lead.id, actor="bob", reason="非民生诉求", expected_version=lead.version)
    with pytest.raises(StaleLeadError):
        service.reject(lead.id, actor="alice", reason="非民生诉求", expected_version=lead.version)
    assert len(examples(store)) == 1


def test_training_takes_each_text_once_and_leaves_held_out_leads_for_measuring(
        store: Store, service: LeadService) -> None:
    for i in range(20):
        lead = record(store, str(i), f"梅林街道第{i % 10}个井盖丢了")  # every text twice
        service.reject(lead.id, actor="bob", reason="非民生诉求", expected_version=lead.version)
    found = ReviewExamples(store.db)
    training = found.for_training()
    assert len({e.text_masked for e in training}) == len(training)
    assert not any(held_out(e.lead_id) for e in training)
    held = found.held_out_recent(T0)
    assert held and all(held_out(e.lead_id) for e in held)
    assert len(training) + len(held) == 10
    row = corpus_row(training[0])
    assert row["label"]["is_lead"] is False and row["label"]["kind"] == "review_reject"
    assert row["text"] == training[0].text_masked


def test_agreement_over_the_last_seven_days(store: Store, service: LeadService) -> None:
    for i in range(4):
        lead = record(store, str(i), f"梅林街道第{i}个井盖丢了")
        if i == 0:
            service.reject(lead.id, actor="bob", reason="不在深圳", expected_version=lead.version)
        elif i == 1:
            service.verify_and_dispatch(lead.id, actor="bob", expected_version=lead.version,
                                        corrections={"district": "南山区", "street": "粤海街道"})
        else:
            service.verify_and_dispatch(lead.id, actor="bob", expected_version=lead.version)
    seen = ReviewExamples(store.db).agreement(T0 + timedelta(days=1))
    assert (seen["reviewed"], seen["rejected"]) == (4, 1)
    assert seen["lead"] == 0.75 and seen["item"] == 1.0 and seen["district"] == pytest.approx(2 / 3)
    assert ReviewExamples(store.db).agreement(T0 + timedelta(days=8))["reviewed"] == 0
    other = ReviewExamples(store.db).agreement(T0 + timedelta(days=1), version="ngram-newer")
    assert (other["reviewed"], other["other"], other["lead"]) == (0, 4, None)
    assert ReviewExamples(store.db).agreement(T0 + timedelta(days=1), version="ngram-test")["reviewed"] == 4
