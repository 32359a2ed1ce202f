"""The Shenzhen gazetteer: districts, streets, landmarks and colliding names elsewhere."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from civicwatch.config.loader import reject_duplicates


class Street(BaseModel):
    name: str
    short: str
    code: str
    ambiguous_short: bool = False
    aliases: list[str] = Field(default_factory=list)
    official_district: str | None = None


class Unit(BaseModel):
    name: str
    code: str


class District(BaseModel):
    name: str
    adcode: str | None = None
    short: str
    ambiguous_short: bool = False
    aliases: list[str] = Field(default_factory=list)
    official_parent: str | None = None
    streets: list[Street] = Field(default_factory=list)
    other_units: list[Unit] = Field(default_factory=list)


class Landmark(BaseModel):
    name: str
    district: str
    street: str | None = None
    kind: str
    aliases: list[str] = Field(default_factory=list)
    ambiguous: bool = False
    unit_code: str | None = None


class OtherPlace(BaseModel):
    name: str
    where: str
    level: str


class City(BaseModel):
    name: str
    aliases: list[str] = Field(default_factory=list)
    adcode: str | None = None


class Gazetteer(BaseModel):
    """config/gazetteer.yaml, a copy of ../shared/reference/shenzhen_gazetteer.yaml's codes."""

    model_config = ConfigDict(extra="forbid")

    version: str | None = None
    source: str | None = None
    city: City
    districts: list[District]
    landmarks: list[Landmark] = Field(default_factory=list)
    other_places_with_same_names: list[OtherPlace] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ids_are_unique(self) -> Gazetteer:
        # Lookups are keyed by these: a repeat would silently hide the first one.
        reject_duplicates("district name", ((d.name, ("districts", i, "name"))
                                            for i, d in enumerate(self.districts)))
        streets = [(i, j, s) for i, d in enumerate(self.districts) for j, s in enumerate(d.streets)]
        reject_duplicates("street code", ((s.code, ("districts", i, "streets", j, "code"))
                                          for i, j, s in streets))
        reject_duplicates("street name", ((s.name, ("districts", i, "streets", j, "name"))
                                          for i, j, s in streets))
        return self

    def street_index(self) -> dict[str, tuple[str, Street]]:
        """Canonical street name → (district name, street)."""
        return {s.name: (d.name, s) for d in self.districts for s in d.streets}
