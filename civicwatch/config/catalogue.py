"""The item catalogue ("三张清单"): categories, items, departments and SLA classes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SlaClass(BaseModel):
    dispatch_within_minutes: int = Field(gt=0)


class Item(BaseModel):
    code: str
    category: str
    department: str
    sla: Literal["urgent", "general"]
    name: str


class Catalogue(BaseModel):
    """config/catalogue.yaml; items are written as `CODE: [category, department, sla, name]`."""

    model_config = ConfigDict(extra="forbid")

    version: date | str | None = None
    sla_classes: dict[str, SlaClass]
    departments: dict[str, str]
    categories: dict[str, str]
    items: dict[str, Item]

    @model_validator(mode="before")
    @classmethod
    def _items_from_rows(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("items"), dict):
            rows = {}
            for code, row in data["items"].items():
                if isinstance(row, list) and len(row) == 4:
                    row = dict(zip(("category", "department", "sla", "name"), row, strict=True))
                if isinstance(row, dict):
                    row = {"code": str(code), **row}
                rows[str(code)] = row
            data = {**data, "items": rows}
        return data

    @model_validator(mode="after")
    def _references_exist(self) -> Catalogue:
        for code, item in self.items.items():
            if item.category not in self.categories:
                raise ValueError(f"item {code}: unknown category {item.category!r}")
            if item.department not in self.departments:
                raise ValueError(f"item {code}: unknown department {item.department!r}")
            if item.sla not in self.sla_classes:
                raise ValueError(f"item {code}: unknown SLA class {item.sla!r}")
        return self

    @property
    def sla_minutes(self) -> dict[str, int]:
        return {name: sla.dispatch_within_minutes for name, sla in self.sla_classes.items()}
