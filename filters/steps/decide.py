"""Decide: lead or not (with the reason code when not), and a lead's catalogue item and urgency."""

from __future__ import annotations

from typing import Self

from civicwatch.config import Config, Item
from filters.context import PostContext
from filters.steps import Step


class DecideStep(Step):
    name = "decide"

    def __init__(self, items: dict[str, Item], lead_threshold: float) -> None:
        self.items = items
        self.lead_threshold = lead_threshold

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(config.catalogue.items, config.classifier.scoring.lead_threshold)

    def process(self, ctx: PostContext) -> None:
        assert ctx.place is not None and ctx.classification is not None
        found, threshold = ctx.classification, self.lead_threshold
        if ctx.lead_prob is not None:  # the learned step's calibrated probability decides
            threshold = ctx.lead_threshold
            ctx.score = score = round(ctx.lead_prob, 3)
        else:
            ctx.score = score = round(ctx.score, 2)
        if found.noise:
            ctx.reasons.append("噪声词：" + "、".join(found.noise[:3]))
        if found.item is None:
            self.rule_out(ctx, "no_item", "无可办事项")
        elif ctx.out_of_reach:
            self.rule_out(ctx, "out_of_reach", f"线索分 {score} < {threshold}（未定位）")
        elif not ctx.place.is_shenzhen:
            self.rule_out(ctx, "not_shenzhen", "未确定在深圳")
        elif ctx.vetoed_by:
            self.rule_out(ctx, "excluded_by_rule", f"排除规则 {ctx.vetoed_by}")
        elif score < threshold:
            self.rule_out(ctx, "below_threshold", f"线索分 {score} < {threshold}")
        else:
            ctx.is_lead = True
            ctx.reasons.append(f"线索分 {score}")
            ctx.item = item = self.items[found.item]
            ctx.urgency = item.sla
            if item.sla != "urgent" and ctx.danger:
                ctx.urgency = "urgent"
                ctx.reasons.append("危及人身：" + "、".join(found.danger[:3]))
            elif item.sla != "urgent" and ctx.urgent_by_model:
                ctx.urgency = "urgent"
                ctx.reasons.append(f"危及人身（模型 {ctx.danger_prob:.2f}）")
