"""A verifier's corrections checked once, for the console form and the JSON API alike.

`validate_corrections` is pure: the fields given, the lead's current decision, the gazetteer and
the catalogue in; the fields that change out, or InvalidInputError naming the field, with a
message in Chinese that the console shows as it is and the API returns beside the field
(422). Free text is made valid (civicwatch.text) and capped (`check_text`, also used by
LeadService for every reason it stores).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from civicwatch.config import Catalogue, Gazetteer
from civicwatch.exceptions import InvalidInputError
from civicwatch.models import Decision
from civicwatch.text import valid_text

# What a correction may change; anything else in an API request is refused by name.
CORRECTION_FIELDS = ("district", "street", "item", "urgency", "department", "co_departments", "description")
URGENCIES = ("urgent", "general")
DEFAULT_TEXT_MAX_CHARS = 2000  # civicwatch/settings.py `review_text_max_chars`
# A tag opening or closing (`<script`, `</b`, `<!--`): a description goes to the dispatch system,
# which may show it as HTML; plain text never needs one ("<5米" still passes).
_TAG = re.compile(r"<\s*[/!]?\s*[A-Za-z!]")

FIELD_NAMES = {"district": "区", "street": "街道", "item": "事项", "urgency": "紧急程度", "department": "承办部门",
               "co_departments": "协办部门", "description": "工单描述", "reason": "理由", "into": "目标线索"}


def check_text(value: str, field: str, max_chars: int) -> str:
    """`value` made valid and stripped; InvalidInputError when longer than `max_chars`."""
    text = valid_text(value).replace("\r\n", "\n").strip()
    if len(text) > max_chars:
        name = FIELD_NAMES.get(field, field)
        raise InvalidInputError(f"{name}过长：{len(text)} 字，最多 {max_chars} 字。", field=field)
    return text


def _string(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{FIELD_NAMES.get(field, field)}必须是文字。", field=field)
    return valid_text(value).strip()


def _co_departments(value: Any) -> list[str]:
    if isinstance(value, str):
        return [c.strip() for c in value.split(",") if c.strip()]
    if isinstance(value, list | tuple) and all(isinstance(c, str) for c in value):
        return [c.strip() for c in value if c.strip()]
    raise InvalidInputError("协办部门必须是部门代码的列表。", field="co_departments")


def validate_corrections(given: Mapping[str, Any], decision: Decision, *, gazetteer: Gazetteer,
                         catalogue: Catalogue, max_text_chars: int = DEFAULT_TEXT_MAX_CHARS) -> dict[str, Any]:
    """The corrections in `given` that differ from `decision`, checked against the gazetteer and
    the catalogue: a district that exists, a street of that district, a catalogue item and
    department, an urgency of the two, a description without markup and within the cap.

    Only the fields present in `given` are read (an empty value means "none" for place fields);
    an unknown field is refused, so a typo is not silently ignored.
    """
    unknown = sorted(set(given) - set(CORRECTION_FIELDS))
    if unknown:
        raise InvalidInputError(f"不能更正的字段：{unknown[0]}（可更正：{'、'.join(CORRECTION_FIELDS)}）。",
                                field=unknown[0])
    wanted: dict[str, Any] = {}
    for field in ("district", "street", "item", "urgency", "department"):
        if field in given:
            wanted[field] = _string(given[field], field) or None
    if "description" in given:
        text = check_text(_string(given["description"], "description"), "description", max_text_chars)
        if _TAG.search(text):
            raise InvalidInputError("工单描述不能包含 HTML 标签（如 <script>）。", field="description")
        wanted["description"] = text or None
    current = {"district": decision.district, "street": decision.street, "item": decision.item,
               "urgency": decision.urgency, "department": decision.department,
               "description": (decision.text_masked or "").strip() or None}
    changed = {k: v for k, v in wanted.items() if v != current[k]}
    if "department" in changed and changed["department"] is None:
        del changed["department"]  # an empty department field keeps the item's
    if "item" in changed and wanted.get("urgency"):
        changed["urgency"] = wanted["urgency"]  # the form's urgency, not the new item's SLA class

    streets = {d.name: {s.name for s in d.streets} for d in gazetteer.districts}
    district = changed.get("district", decision.district)
    if "district" in changed and district is None:
        raise InvalidInputError("区不能清空，请从地名库中选择。", field="district")
    if "district" in changed and district not in streets:
        raise InvalidInputError(f"区「{district}」不在地名库中。", field="district")
    street = changed.get("street", decision.street)
    if ("district" in changed or "street" in changed) and street:
        if not any(street in names for names in streets.values()):
            raise InvalidInputError(f"街道「{street}」不在地名库中。", field="street")
        if street not in streets.get(district or "", set()):
            raise InvalidInputError(f"街道「{street}」不属于{district or '所选区'}。", field="street")
    if "district" in changed and "street" not in changed and street:
        changed["street"] = street  # keep the pair explicit for the service
    if "item" in changed and changed["item"] not in catalogue.items:
        raise InvalidInputError(f"事项「{changed['item']}」不在事项目录中。", field="item")
    if "urgency" in changed and changed["urgency"] not in URGENCIES:
        raise InvalidInputError("紧急程度只能是紧急（urgent）或一般（general）。", field="urgency")
    if not (changed.get("item") or decision.item):
        raise InvalidInputError("请先选择事项（决定承办部门）。", field="item")
    if "department" in changed and changed["department"] not in catalogue.departments:
        raise InvalidInputError(f"承办部门「{changed['department']}」不在部门清单中。", field="department")
    if "co_departments" in given:
        co = _co_departments(given["co_departments"])
        unknown_co = [c for c in co if c not in catalogue.departments]
        if unknown_co:
            raise InvalidInputError(f"协办部门「{unknown_co[0]}」不在部门清单中。", field="co_departments")
        if co:
            changed["co_departments"] = co
    return changed
