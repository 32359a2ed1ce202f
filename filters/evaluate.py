"""Scoring decisions against labelled posts (reference/labelled-posts.md): pure functions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from civicwatch.models import Decision

OUTPUT_FIELDS = ("text_masked", "matched", "reasons", "district", "street")


@dataclass
class Report:
    n: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    district_ok: int = 0
    item_ok: int = 0
    department_ok: int = 0
    true_leads: int = 0
    urgent_total: int = 0
    urgent_found: int = 0
    dup_tp: int = 0
    dup_fp: int = 0
    dup_fn: int = 0
    pii_total: int = 0
    pii_leaks: int = 0
    misses: list[str] = field(default_factory=list)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def metrics(self) -> dict[str, float]:
        p = self._ratio(self.tp, self.tp + self.fp)
        r = self._ratio(self.tp, self.tp + self.fn)
        dp = self._ratio(self.dup_tp, self.dup_tp + self.dup_fp)
        dr = self._ratio(self.dup_tp, self.dup_tp + self.dup_fn)
        return {
            "lead_precision": p, "lead_recall": r,
            "district_accuracy": self._ratio(self.district_ok, self.true_leads),
            "item_accuracy": self._ratio(self.item_ok, self.true_leads),
            "department_accuracy": self._ratio(self.department_ok, self.true_leads),
            "urgent_recall": self._ratio(self.urgent_found, self.urgent_total),
            "dup_precision": dp, "dup_recall": dr, "dup_f1": 2 * dp * dr / (dp + dr) if dp + dr else 0.0,
            "pii_leaks": float(self.pii_leaks),
        }


def _dup_root(key: str, dup_of: dict[str, str | None]) -> str:
    seen = set()
    while dup_of.get(key) and key not in seen:
        seen.add(key)
        key = dup_of[key]  # type: ignore[assignment]
    return key


def evaluate(rows: list[dict[str, Any]], decisions: list[Decision]) -> Report:
    """rows: labelled posts (with `label`); decisions: the chain's, in the same order."""
    rep = Report(n=len(rows))
    for row, d in zip(rows, decisions, strict=True):
        label = row["label"]
        text = (row.get("title") or "") + " " + row["text"]
        if label["is_lead"] and d.is_lead:
            rep.tp += 1
        elif d.is_lead:
            rep.fp += 1
            rep.misses.append(f"误报 {d.platform}:{d.post_id} 分{d.score} | {text[:70]} | {label.get('why', '')}")
        elif label["is_lead"]:
            rep.fn += 1
            rep.misses.append(f"漏报 {d.platform}:{d.post_id} 分{d.score} | {text[:70]} | {'; '.join(d.reasons)[-80:]}")
        if label["is_lead"]:
            rep.true_leads += 1
            rep.district_ok += d.district == label["district"]
            rep.item_ok += d.item == label["item"]
            rep.department_ok += d.department == label["department"]
            if d.is_lead and (d.district != label["district"] or d.department != label["department"]):
                rep.misses.append(f"错分 {d.platform}:{d.post_id} 区 {d.district}/{label['district']} 事项 "
                                  f"{d.item}/{label['item']} | {text[:60]}")
            if label["urgency"] == "urgent":
                rep.urgent_total += 1
                rep.urgent_found += d.urgency == "urgent"
        output = json.dumps({f: getattr(d, f) for f in OUTPUT_FIELDS}, ensure_ascii=False)
        for pii in label.get("pii") or []:
            rep.pii_total += 1
            if pii in output:
                rep.pii_leaks += 1
                rep.misses.append(f"泄露 {d.platform}:{d.post_id}: 个人信息未遮盖")
    keys = [f"{r['platform']}:{r['post_id']}" for r in rows]
    dup_of = {f"{d.platform}:{d.post_id}": d.dup_of for d in decisions}
    groups = {k: r["label"].get("dup_group") for k, r in zip(keys, rows, strict=True)}
    for a, b in combinations(keys, 2):
        same_label = groups[a] is not None and groups[a] == groups[b]
        same_pred = _dup_root(a, dup_of) == _dup_root(b, dup_of)
        rep.dup_tp += same_label and same_pred
        rep.dup_fp += same_pred and not same_label
        rep.dup_fn += same_label and not same_pred
    return rep
