"""config/classifier.yaml: the words for each catalogue item, danger, complaint and noise words,
and the scoring knobs that turn what a post says into a lead score."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from civicwatch.config.catalogue import Catalogue
from civicwatch.config.loader import line_of, read_yaml, validate
from civicwatch.exceptions import ConfigError


class WordWeight(BaseModel):
    """What one kind of cue adds to the score: `weight` per word found, counting at most `max_words`."""

    model_config = ConfigDict(extra="forbid")

    weight: float = Field(ge=0)
    max_words: int = Field(ge=0)


class Scoring(BaseModel):
    """score = item words + complaint + danger - noise (+ include_bonus when an include rule hits);
    a post placed in Shenzhen is a lead from `lead_threshold` up."""

    model_config = ConfigDict(extra="forbid")

    lead_threshold: float = Field(description="lead score needed to keep a post")
    include_bonus: float = Field(ge=0, description="added to the score of a post an include rule hits")
    complaint: WordWeight
    danger: WordWeight
    noise: WordWeight = Field(description="subtracted: ads, jokes, guides, praise")
    generic_danger: list[str] = Field(
        default_factory=list,
        description="danger words common in ordinary complaints: they score, but never raise urgency alone")


class ClassifierConfig(BaseModel):
    """The whole of config/classifier.yaml; item codes are config/catalogue.yaml's."""

    model_config = ConfigDict(extra="forbid")

    items: dict[str, list[str]]
    danger: list[str] = Field(default_factory=list)
    complaint: list[str] = Field(default_factory=list)
    noise: list[str] = Field(default_factory=list)
    scoring: Scoring


def load_classifier(path: Path, catalogue: Catalogue) -> ClassifierConfig:
    """Validate config/classifier.yaml; every item must be one of the catalogue's."""
    data, node = read_yaml(path)
    vocabulary = validate(ClassifierConfig, data, path=path, node=node)
    unknown = [code for code in vocabulary.items if code not in catalogue.items]
    if unknown:
        raise ConfigError(f"unknown catalogue item(s) {', '.join(unknown)} (not in catalogue.yaml)",
                          path=str(path), line=line_of(node, ("items", unknown[0])), field=f"items.{unknown[0]}")
    return vocabulary
