"""What a labelled post's `label` must say, whichever set it is in (corpus, hold-out): catalogue
and gazetteer names, SLA urgency, personal data present in the post, and the extra fields."""

from __future__ import annotations

from typing import Any

from civicwatch.config import Config


def label_errors(rows: list[dict[str, Any]], config: Config, *, needs: tuple[str, ...],
                 lead_needs_district: bool = False) -> list[str]:
    """One line per wrong label; `needs` are label fields every row must fill."""
    items = config.catalogue.items
    districts = {d.name: {s.name for s in d.streets} for d in config.gazetteer.districts}
    wrong = []
    for row in rows:
        label, pid = row["label"], row["post_id"]
        if label["is_lead"]:
            item = items.get(label["item"])
            if item is None:
                wrong.append(f"{pid}: unknown item {label['item']}")
                continue
            if (label["category"], label["department"]) != (item.category, item.department):
                wrong.append(f"{pid}: category/department {label['category']}/{label['department']} "
                             f"is not {item.code}'s {item.category}/{item.department}")
            if item.sla == "urgent" and label["urgency"] != "urgent":
                wrong.append(f"{pid}: {item.code} is urgent by its SLA class")
            if label["urgency"] not in ("urgent", "general"):
                wrong.append(f"{pid}: urgency {label['urgency']!r}")
            if lead_needs_district and not label.get("district"):
                wrong.append(f"{pid}: a lead without a district")
        elif any(label.get(f) for f in ("category", "item", "department", "urgency")):
            wrong.append(f"{pid}: a negative with catalogue labels")
        if label.get("district") and label["district"] not in districts:
            wrong.append(f"{pid}: unknown district {label['district']}")
        elif label.get("street") and label["street"] not in districts.get(label["district"], ()):
            wrong.append(f"{pid}: street {label['street']} is not in {label['district']}")
        text = (row.get("title") or "") + (row.get("text") or "")
        for pii in label.get("pii") or []:
            if pii not in text and pii not in row.get("author", ""):
                wrong.append(f"{pid}: pii {pii!r} is not in the post")
        if not all(label.get(f) for f in needs):
            wrong.append(f"{pid}: needs {', '.join(needs)}")
        if label["is_lead"] != (label.get("kind") == "lead"):
            wrong.append(f"{pid}: kind {label.get('kind')!r} disagrees with is_lead")
    return wrong
